"""``hue-assist handover`` and ``hue-assist users`` against a real gateway and a web citizen:
the operator's reply reaches the page through ``/api/chat/updates``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from tests.standins.server import wait_for
from tests.webchat_support import Gateway, running_gateway


@pytest.fixture(scope="module")
def web(stack) -> Iterator[Gateway]:
    with running_gateway(stack.env) as running:
        yield running


def hue(stack, *args: str, input: str | None = None):
    from bot.cli import app

    env = {**stack.env, "RASA_URL": stack.rasa_url, "HUE_ASSIST_ACTOR": "lan"}
    return CliRunner().invoke(app, list(args), env=env, input=input)


def chat(web: Gateway, sender: str, message: str) -> dict:
    response = httpx.post(
        f"{web.url}/api/chat", json={"sender": sender, "message": message}, timeout=90
    )
    assert response.status_code == 200, response.text
    return response.json()


def updates(web: Gateway, sender: str) -> dict:
    return httpx.get(f"{web.url}/api/chat/updates", params={"sender": sender}).json()


def test_an_operator_without_a_browser_answers_a_web_citizen(stack, web):
    page_id = f"cli-{uuid.uuid4().hex[:10]}"
    sender = f"web:{page_id}"
    asked = chat(web, page_id, "toi muon gap nhan vien")
    assert asked["handover"] == "waiting" and "tổng đài viên" in asked["messages"][0]["text"]
    kept = chat(web, page_id, "email cua toi la lan@example.com, alo?")
    assert kept["handover"] == "waiting" and "vui lòng chờ" in kept["messages"][0]["text"]
    assert chat(web, page_id, "con ai khong")["messages"] == []  # said once

    listed = hue(stack, "handover", "list", "--json")
    assert listed.exit_code == 0, listed.output
    item = next(i for i in json.loads(listed.output) if i["sender_id"] == sender)
    assert item["state"] == "waiting" and item["channel"] == "web"
    table = hue(stack, "handover", "list")
    assert page_id in table.output and "chờ" in table.output

    shown = hue(stack, "handover", "show", sender)
    assert shown.exit_code == 0 and "[EMAIL]" in shown.output and "example.com" not in shown.output
    not_yet = hue(stack, "handover", "reply", sender, "Chào bạn")
    assert not_yet.exit_code == 1 and "claim" in not_yet.output

    assert hue(stack, "handover", "claim", sender).exit_code == 0
    other = hue(stack, "handover", "claim", sender, "--as", "mai")
    assert other.exit_code == 1 and "đang do lan xử lý" in other.output
    assert hue(stack, "handover", "reply", sender, "--as", "mai", "Mai đây").exit_code == 1

    answer = "Chào bạn, tổng đài viên Lan đây. Mình giúp gì được ạ?"
    replied = hue(stack, "handover", "reply", sender, answer)
    assert replied.exit_code == 0, replied.output
    got = wait_for(lambda: updates(web, page_id), timeout=10)
    assert got["messages"] == [{"text": answer, "buttons": []}] and got["handover"] == "claimed"

    raw = hue(stack, "handover", "show", sender, "--raw", "--json")
    view = json.loads(raw.output)
    assert "lan@example.com" in json.dumps(view, ensure_ascii=False)
    assert [m["author"] for m in view["messages"]][-1] == "operator"

    released = hue(stack, "handover", "release", sender)
    assert released.exit_code == 0, released.output
    back = updates(web, page_id)
    assert "trợ lý ảo" in back["messages"][0]["text"] and "handover" not in back
    assert "Xin chào" in chat(web, page_id, "xin chao")["messages"][0]["text"]
    again = hue(stack, "handover", "release", sender)
    assert again.exit_code == 1

    with stack.store() as store:
        actions = [
            row[0]
            for row in store.db.execute(
                "SELECT action FROM audit_log WHERE actor = 'lan' AND detail LIKE '%cli%'"
                " ORDER BY id"
            )
        ]
    assert actions[-5:] == [
        "desk_view",
        "handover_claim",
        "handover_reply",
        "desk_view_raw",
        "handover_release",
    ]
    numbers = json.loads(hue(stack, "stats", "--json").output)["handovers"]
    assert numbers["requested"] >= 1 and numbers["replies_by_operator"]["lan"] >= 1
    assert numbers["median_minutes_to_first_reply"] is not None


def test_close_tells_the_citizen_and_the_assistant_answers_next(stack, web):
    page_id = f"cli-{uuid.uuid4().hex[:10]}"
    chat(web, page_id, "cho toi gap nhan vien")
    assert hue(stack, "handover", "claim", f"web:{page_id}").exit_code == 0
    closed = hue(stack, "handover", "close", f"web:{page_id}")
    assert closed.exit_code == 0, closed.output
    said = updates(web, page_id)["messages"][0]["text"]
    assert "kết thúc" in said
    assert "Xin chào" in chat(web, page_id, "xin chao")["messages"][0]["text"]


def test_users_add_list_passwd_disable(stack):
    name = f"op{uuid.uuid4().hex[:6]}"
    added = hue(stack, "users", "add", name, "--role", "operator", "--password-stdin", input="mat-khau-rat-dai\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    short = hue(stack, "users", "add", f"{name}x", "--role", "operator", "--password-stdin", input="ngan\n")  # fmt: skip
    assert short.exit_code == 1 and "10" in short.output
    assert hue(stack, "users", "add", "x", "--role", "boss", "--password-stdin").exit_code == 2
    listed = json.loads(hue(stack, "users", "list", "--json").output)
    mine = next(u for u in listed if u["name"] == name)
    assert mine["role"] == "operator" and not mine["disabled"] and "password_hash" not in mine
    prompted = hue(stack, "users", "passwd", name, input="mot-mat-khau-khac\nmot-mat-khau-khac\n")
    assert prompted.exit_code == 0, prompted.output
    assert hue(stack, "users", "disable", name).exit_code == 0
    assert next(u for u in json.loads(hue(stack, "users", "list", "--json").output) if u["name"] == name)["disabled"]  # fmt: skip
    assert hue(stack, "users", "disable", "nobody-here").exit_code == 1
    with stack.store() as store:
        rows = store.db.execute(
            "SELECT action FROM audit_log WHERE subject = ? ORDER BY id", [name]
        ).fetchall()
    assert [r[0] for r in rows] == ["user_add", "user_passwd", "user_disable"]
