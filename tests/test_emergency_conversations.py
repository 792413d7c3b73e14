"""A person in danger comes first: conversations through the real Rasa and action servers."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import payloads, texts

CODE_RE = re.compile(r"PA-\d{4}-\d{6}")
ALERT = "🚨"


def new_sender() -> str:
    return f"web:test-{uuid.uuid4().hex[:10]}"


def first_text(messages: list[dict]) -> str:
    return (messages[0].get("text") or "") if messages else ""


def finish_urgent(stack, sender: str, replies: list[dict], place: str) -> str:
    """Answer the urgent report's questions (the place if asked, no phone); its code."""
    if "sự việc ở đâu" in texts(replies):
        replies = stack.say(sender, place)
    assert "Số điện thoại" in texts(replies), texts(replies)
    done = texts(stack.say(sender, "/deny"))
    assert "Đã báo khẩn" in done, done
    return CODE_RE.search(done).group(0)


@pytest.mark.parametrize(
    ("message", "number"),
    [
        ("chay rung o xa Huong Tho, khoi bay mu mit", "114"),
        ("co nguoi bi tai nan giao thong nam giua duong Tran Phu, chay mau nhieu", "115"),
        ("nuoc ngap toi dau goi o kiet 5 Phan Dinh Phung, nha co nguoi gia bi ket", "114"),
        ("tôi bị hàng xóm đánh, cần báo công an", "113"),
    ],
)
def test_the_first_reply_names_the_number_first(stack, message, number):
    replies = stack.say(new_sender(), message)
    first = first_text(replies)
    assert first.startswith(f"{ALERT} GỌI NGAY {number}"), first
    # one line of what to do now, then (separately) the offer to tell the city
    assert len(first.splitlines()) == 2, first
    assert "Trung tâm điều hành" in texts(replies) or "Số điện thoại" in texts(replies)
    assert "Bạn có ảnh" not in texts(replies) and "Sự cố ở đâu ạ" not in texts(replies)


def test_english_emergency_is_answered_in_english(stack):
    replies = stack.say(new_sender(), "Help, my neighbour's house is on fire!")
    assert first_text(replies).startswith(f"{ALERT} CALL 114"), texts(replies)


@pytest.mark.parametrize(
    "message",
    [
        "bóng đèn bị cháy ở kiệt 5 Lê Lợi, tối thui",
        "ngập nhẹ ở đường Lê Lợi sau mưa, nhờ thông cống",
        "cháy túi rồi, có chương trình hỗ trợ người nghèo không",
    ],
)
def test_look_alikes_go_the_ordinary_way(stack, message):
    assert ALERT not in texts(stack.say(new_sender(), message))


def test_urgent_report_asks_the_place_once_files_at_once_and_routes_to_the_ioc(stack):
    sender = new_sender()
    stack.say(sender, "co nguoi bi dien giat o cot dien, dang bat tinh")
    place = stack.say(sender, "truoc so 40 Hung Vuong")
    assert "Địa điểm: truoc so 40 Hung Vuong" in texts(place)
    assert "/deny" in payloads(place)  # the phone is skippable
    done = texts(stack.say(sender, "/deny"))
    assert "Đã báo khẩn" in done and "115" in done, done
    code = CODE_RE.search(done).group(0)
    with stack.store() as store:
        report = store.get_report(code)
    assert report["emergency"] == "electrocution"
    assert report["service_code"] == "power_outage"
    assert "(IOC)" in report["agency_responsible"]
    assert "dien giat" in report["description"]
    assert "urgent: electrocution" in report["history"][0]["note"]
    # the conversation is free again: a thank-you is just a thank-you
    assert "Không có gì" in texts(stack.say(sender, "cam on"))


def test_a_place_nobody_knows_still_files_and_cancelling_files_nothing(stack):
    sender = new_sender()
    stack.say(sender, "em be roi xuong ho, dang chim, cuu voi")
    assert "Địa điểm: chưa rõ địa điểm" in texts(stack.say(sender, "/deny"))
    assert CODE_RE.search(texts(stack.say(sender, "0905123456")))
    other = new_sender()
    stack.say(other, "nha ben canh dang chay lon")
    cancelled = texts(stack.say(other, "hủy"))
    assert "không gửi" in cancelled and "114" in cancelled, cancelled
    with stack.store() as store:
        assert store.latest_report_of(other) is None


def _to_step(stack, sender: str, step: str) -> None:
    """Drive an ordinary street-light report to ``step`` (its question just asked)."""
    if step == "category":
        assert "loại sự cố" in texts(stack.say(sender, "toi muon phan anh"))
        return
    if step == "status":
        assert "mã phản ánh" in texts(stack.say(sender, "kiem tra phan anh cua toi"))
        return
    stack.say(sender, "den duong hong")
    if step == "location":
        return
    stack.say(sender, f"so {uuid.uuid4().int % 900 + 100} Ngu Binh, phuong Thuan Hoa")
    if step == "description":
        return
    stack.say(sender, "den tat ca tuan nay")
    if step == "photo":
        return
    stack.say(sender, "/deny")
    if step == "phone":
        return
    readback = stack.say(sender, "/deny")
    assert "Gửi phản ánh?" in texts(readback)
    if step == "readback":
        return
    assert "sửa mục nào" in texts(stack.say(sender, "/deny"))  # step == "correction"


@pytest.mark.parametrize(
    "step",
    ["category", "location", "description", "photo", "phone", "readback", "correction", "status"],
)
def test_an_emergency_wins_at_every_step_of_a_form(stack, step):
    sender = new_sender()
    _to_step(stack, sender, step)
    replies = stack.say(sender, "nha hang xom dang boc chay, lua lan sang nha toi roi")
    assert first_text(replies).startswith(f"{ALERT} GỌI NGAY 114"), texts(replies)
    # then the urgent report: the place, asked once (the street light is not filed)
    assert "sự việc ở đâu" in texts(replies), texts(replies)
    code = finish_urgent(stack, sender, replies, "kiet 7 Ngu Binh")
    with stack.store() as store:
        assert store.get_report(code)["emergency"] == "fire"


def test_more_words_about_the_same_danger_do_not_answer_the_open_question(stack):
    sender = new_sender()
    stack.say(sender, "nha ben canh dang chay lon")
    again = stack.say(sender, "lua lan sang roi, cuu voi")
    assert "114" in texts(again) and "sự việc ở đâu" in texts(again)
    assert "Địa điểm: 12 Le Loi" in texts(stack.say(sender, "12 Le Loi"))
    code = CODE_RE.search(texts(stack.say(sender, "/deny"))).group(0)
    with stack.store() as store:
        report = store.get_report(code)
    assert report["address"] == "12 Le Loi"
    assert "lua lan sang" in report["description"] and report["service_code"] == "other"


def test_a_second_different_danger_gets_its_own_number(stack):
    sender = new_sender()
    assert "113" in first_text(stack.say(sender, "tôi bị hàng xóm đánh, cần báo công an"))
    fire = stack.say(sender, "nha toi bi chay")
    assert first_text(fire).startswith(f"{ALERT} GỌI NGAY 114"), texts(fire)
    assert "Địa điểm: kiet 5 Phan Dinh Phung" in texts(stack.say(sender, "kiet 5 Phan Dinh Phung"))
    code = CODE_RE.search(texts(stack.say(sender, "khong co so"))).group(0)
    with stack.store() as store:
        report = store.get_report(code)
    assert report["emergency"] == "fire" and "hàng xóm đánh" in report["description"]


def test_a_different_problem_mid_form_can_be_filed_as_well(stack):
    sender = new_sender()
    stack.say(sender, "cay do chan duong o kiet 11 Doan Thi Diem")
    stack.say(sender, "/deny")  # no photo
    asked = stack.say(sender, "a con den duong o kiet 11 cung hong nua")
    assert "Gửi cả hai" in texts(asked) or any("both" in p for p in payloads(asked))
    assert "Được" in texts(stack.say(sender, '/report_incident{"incident_choice": "both"}'))
    assert "Gửi phản ánh?" in texts(stack.say(sender, "/deny"))
    first = texts(stack.say(sender, "dung roi"))
    assert CODE_RE.search(first) and "phản ánh thứ hai" in first, first
    stack.say(sender, "/deny")  # photo of the second
    assert "Đèn chiếu sáng" in texts(stack.say(sender, "/deny"))  # its read-back
    second = CODE_RE.search(texts(stack.say(sender, "dung roi"))).group(0)
    with stack.store() as store:
        assert store.get_report(second)["service_code"] == "streetlight"


def test_a_different_problem_can_replace_the_one_being_written(stack):
    sender = new_sender()
    stack.say(sender, "co rac thai do bay o kiet 21 Nguyen Truong To")
    stack.say(sender, "/deny")
    asked = stack.say(sender, "a, con cay do chan ngang duong o kiet 21 nua")
    assert "Thay bằng sự cố mới" in str(asked), texts(asked)
    stack.say(sender, '/report_incident{"incident_choice": "replace"}')
    for _ in range(4):
        replies = stack.say(sender, "/deny")
        if "Gửi phản ánh?" in texts(replies):
            break
        if "ở đâu" in texts(replies):
            stack.say(sender, "kiet 21 Nguyen Truong To")
    assert "Cây xanh" in texts(replies), texts(replies)


def test_an_unknown_ward_is_pointed_out_at_most_once_and_then_dropped(stack):
    sender = new_sender()
    stack.say(sender, "co cay do chan duong")
    said = [texts(stack.say(sender, "duong Le Duan phuong Ba Dinh"))]
    if "không tìm thấy" in said[0]:  # pointed out once: the same answer is then taken
        said.append(texts(stack.say(sender, "duong Le Duan phuong Ba Dinh")))
    assert "ảnh hiện trường" in said[-1], said
    said.append(texts(stack.say(sender, "/deny")))
    assert sum("không tìm thấy" in s for s in said) <= 1, said
    readback = texts(stack.say(sender, "/deny"))
    assert "Le Duan" in readback and "không tìm thấy" not in readback, readback


def test_urgent_reports_come_first_in_reports_list_and_count_in_stats(stack):
    sender = new_sender()
    replies = stack.say(sender, "co nguoi bi dam chay mau nhieu o cong cho An Cuu")
    assert "113" in first_text(replies), texts(replies)
    code = finish_urgent(stack, sender, replies, "cong cho An Cuu")
    ordinary = new_sender()
    stack.say(ordinary, "den duong hong o so 9 Ba Trieu, toi thui ca tuan")
    stack.say(ordinary, "/deny")
    stack.say(ordinary, "/deny")
    stack.say(ordinary, "dung roi")
    env = {"HUE_ASSIST_HOME": str(stack.settings.home)}
    listed = CliRunner().invoke(app, ["reports", "list", "--json"], env=env)
    rows = json.loads(listed.stdout)
    assert rows[0]["urgent"] is True
    urgent_codes = [r["service_request_id"] for r in rows if r["urgent"]]
    assert code in urgent_codes
    assert all(r["urgent"] for r in rows[: len(urgent_codes)])
    numbers = json.loads(CliRunner().invoke(app, ["stats", "--json"], env=env).stdout)
    assert numbers["urgent"]["reports"] >= 1 and numbers["urgent"]["by_kind"].get("violence")
