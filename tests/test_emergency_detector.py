"""Emergency detection from the words alone: meaning over keywords, recall over precision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain.emergency import KINDS, detect

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        # the messages that were each handled as a routine two-day report
        ("chay rung o xa Huong Tho, khoi bay mu mit", "114"),
        ("co nguoi bi tai nan giao thong nam giua duong Tran Phu, chay mau nhieu", "115"),
        ("nuoc ngap toi dau goi o kiet 5 Phan Dinh Phung, nha co nguoi gia bi ket", "114"),
        ("tôi bị hàng xóm đánh, cần báo công an", "113"),
        ("nha toi bi chay", "114"),
        ("Nhà bên cạnh đang cháy lớn!!!", "114"),
        ("mui gas nong nac trong bep, con toi dang ngu", "114"),
        ("co nguoi bi dien giat o cot dien truoc cho", "115"),
        ("em bé rơi xuống hồ Tịnh Tâm", "114"),
        ("thang may ket co 3 nguoi ben trong", "114"),
        ("co trom dang vao nha toi", "113"),
        ("cứu với", "113"),
        ("My house is on fire!", "114"),
        ("Someone collapsed on Le Loi street and is not breathing", "115"),
        ("A man with a knife is attacking people near Dong Ba market", "113"),
    ],
)
def test_a_person_in_danger_is_an_emergency_with_the_right_number_first(text, number):
    alert = detect(text)
    assert alert is not None, text
    assert alert.numbers[0] == number, (text, alert)
    assert alert.category in {
        "other",
        "forest_fire",
        "flooding",
        "security",
        "power_outage",
    }


@pytest.mark.parametrize(
    "text",
    [
        "bóng đèn bị cháy ở kiệt 5 Lê Lợi",  # a burnt-out bulb
        "đèn đường bị cháy bóng 3 hôm nay",
        "cháy túi rồi, có chương trình hỗ trợ nào không",  # broke
        "vé xem lễ hội cháy hết rồi",  # sold out
        "ngập nhẹ ở đường Lê Lợi sau mưa",  # light flooding
        "xe máy chạy ẩu quá ở đường Hùng Vương",  # chạy (run), not cháy
        "ruong lua bi ngap",  # lúa (rice), not lửa
        "đánh giá phản ánh 5 sao",
        "toi muon hoi thu tuc phong chay chua chay",
        "so dien thoai cuu hoa la bao nhieu",
        "vu chay tuan truoc da dap xong, con dong tro chua don",
        "nha toi bi trom hom qua",
        "ngã tư Ba Triệu đèn giao thông hỏng",
        "the street light is burnt out",
        "there is a fire hydrant leaking on Le Loi",
        "Hàng xóm đốt rơm rạ khói bay vào nhà, nhờ phường nhắc nhở",
        '/report_incident{"category": "forest_fire"}',
        "",
    ],
)
def test_look_alikes_are_not_emergencies(text):
    assert detect(text) is None, (text, detect(text))


def test_a_forest_fire_is_filed_as_forest_fire_and_a_flood_rescue_as_flooding():
    assert detect("chay rung thong tren doi o Huong Tra").category == "forest_fire"
    assert detect("nuoc lu len nhanh, ca nha mac ket tren mai").category == "flooding"
    assert detect("nha toi bi chay").category == "other"
    assert detect("bi cuop giat dien thoai, ten cuop dang chay ve phia cho").category == "security"


def test_every_kind_names_only_real_emergency_numbers():
    for kind in KINDS.values():
        assert kind.numbers and set(kind.numbers) <= {"113", "114", "115"}


def _score(path: Path) -> tuple[float, float]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    tp = sum(1 for r in rows if r["emergency"] and detect(r["text"]))
    fn = sum(1 for r in rows if r["emergency"] and not detect(r["text"]))
    fp = sum(1 for r in rows if not r["emergency"] and detect(r["text"]))
    return tp / (tp + fn), tp / (tp + fp)


def test_held_out_set_recall_and_precision_stay_above_their_floors():
    """The hand-written evaluation set (never used to write the phrase lists): recall first."""
    recall, precision = _score(ROOT / "bench" / "data" / "emergencies.jsonl")
    assert recall >= 0.90, recall
    assert precision >= 0.80, precision


def test_development_set_is_still_recognised():
    recall, precision = _score(ROOT / "tests" / "data" / "emergencies_dev.jsonl")
    assert recall >= 0.97, recall
    assert precision >= 0.95, precision
