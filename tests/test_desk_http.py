"""The operators' desk over real HTTP: the real gateway (a subprocess) in front of the real
Rasa and action server, a Zalo stand-in, operators signing in with the JSON API."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from typer.testing import CliRunner

from bot.base.clock import iso, now
from bot.cli import app as cli
from bot.gateway.desk import PAGE_PATH
from tests.desk_support import (
    PASSWORD,
    DeskClient,
    add_operator,
    operator_name,
    queue_senders,
    zalo_says,
    zalo_user,
)
from tests.standins import zalo as zalo_standin
from tests.standins.gateway import Gateway
from tests.standins.server import wait_for
from tests.standins.zalo import ZaloStandin

READS = ("me", "queue", "conversation", "suggestions", "events", "operators", "categories")
CHANGES = ("signout", "claim", "transfer", "reply", "release", "close", "report", "follow")


@pytest.fixture(scope="module")
def zalo(stack) -> Iterator[ZaloStandin]:
    standin = ZaloStandin().start()
    try:
        yield standin
    finally:
        standin.stop()


def gateway_env(stack, standin: ZaloStandin, **extra: str) -> dict[str, str]:
    return {
        **stack.env,
        "RASA_URL": stack.rasa_url,
        "ACTION_SERVER_URL": stack.settings.action_server_url,
        **zalo_standin.gateway_env(standin),
        **extra,
    }


@pytest.fixture(scope="module")
def gateway(stack, zalo) -> Iterator[Gateway]:
    gw = Gateway(gateway_env(stack, zalo), stack.settings.home / "logs" / "gateway-desk.log")
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()


@pytest.fixture
def operator(stack, gateway) -> Iterator[DeskClient]:
    client = DeskClient(gateway.url)
    name = add_operator(stack.settings.db_path, operator_name())
    assert client.signin(name).status_code == 200
    client.name = name  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        client.close()


def db(stack) -> sqlite3.Connection:
    return sqlite3.connect(stack.settings.db_path)


# -- nothing without a session --------------------------------------------------------------


def test_nothing_under_desk_answers_without_a_session(stack, gateway):
    anonymous = httpx.Client(base_url=gateway.url)
    for name in READS:
        response = anonymous.get(f"/desk/api/{name}", params={"sender": "zalo:1"})
        assert response.status_code == 401 and response.json()["code"] == "no_session", name
    for name in CHANGES:
        response = anonymous.post(f"/desk/api/{name}", json={"sender": "zalo:1"})
        assert response.status_code == 401, name
    assert anonymous.get("/desk/api/anything-else").status_code == 401
    page = anonymous.get("/desk")
    assert page.status_code == 200 and "Đăng nhập" in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and page.headers["x-frame-options"] == "DENY"
    assert page.content == PAGE_PATH.read_bytes()  # the page is code, no conversation


def test_sign_in_cookie_csrf_and_sign_out(stack, gateway):
    name = add_operator(stack.settings.db_path, operator_name())
    client = DeskClient(gateway.url)
    wrong = client.signin(name, "not-the-password")
    assert wrong.status_code == 401 and wrong.json()["code"] == "refused"
    assert "set-cookie" not in wrong.headers
    ok = client.signin(name)
    assert ok.status_code == 200 and ok.json()["role"] == "operator"
    cookie = ok.headers["set-cookie"]
    for flag in ("HttpOnly", "Path=/desk", "SameSite=strict"):
        assert flag.lower() in cookie.lower(), cookie
    assert "secure" not in cookie.lower()  # plain http here; behind https it is Secure
    behind_proxy = httpx.post(
        f"{gateway.url}/desk/api/signin",
        json={"name": name, "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "secure" in behind_proxy.headers["set-cookie"].lower()
    assert client.get("me").json()["name"] == name
    # a change without the token, with another token, or as a form is refused
    assert client.post("claim", {"sender": "zalo:1"}, csrf=False).json()["code"] == "csrf"
    client.csrf, real = "forged", client.csrf
    assert client.post("claim", {"sender": "zalo:1"}).status_code == 403
    client.csrf = real
    form = client.http.post(
        "/desk/api/claim", data={"sender": "zalo:1"}, headers={"X-CSRF-Token": real}
    )
    assert form.status_code == 415
    assert client.post("signout").json() == {"signed_out": True}
    assert client.get("me").status_code == 401
    # the old cookie, replayed, is dead on the server too
    replay = httpx.get(f"{gateway.url}/desk/api/me", cookies={"hue_desk": ok.cookies["hue_desk"]})
    assert replay.status_code == 401


def test_an_expired_session_and_a_disabled_account_get_nothing(stack, gateway):
    name = add_operator(stack.settings.db_path, operator_name())
    client = DeskClient(gateway.url)
    client.signin(name)
    with db(stack) as conn:
        conn.execute(
            "UPDATE desk_sessions SET seen_at = ? WHERE name = ?",
            [iso(now() - timedelta(minutes=31)), name],
        )
    assert client.get("queue").status_code == 401
    client.signin(name)
    assert client.get("queue").status_code == 200
    env = {**stack.env}
    result = CliRunner().invoke(cli, ["users", "disable", name, "--as", "boss"], env=env)
    assert result.exit_code == 0, result.output
    assert client.get("queue").status_code == 401  # the open session ended with the account
    assert client.signin(name).status_code == 401


def test_repeated_failures_lock_the_account_and_answer_slowly(stack, gateway):
    name = add_operator(stack.settings.db_path, operator_name())
    client = DeskClient(gateway.url)
    started = time.monotonic()
    codes = [client.signin(name, "wrong-password").json()["code"] for _ in range(5)]
    assert codes == ["refused"] * 4 + ["locked"]
    assert time.monotonic() - started >= 5 * 0.5
    assert client.signin(name).json()["code"] == "locked"  # even with the right password


# -- a Zalo citizen and an operator ---------------------------------------------------------


def test_zalo_citizen_is_answered_by_an_operator_then_by_the_assistant_again(
    stack, zalo, gateway, operator
):
    uid = zalo_user()
    sender = f"zalo:{uid}"
    handed = "\n".join(zalo_says(gateway, zalo, uid, "toi muon gap nhan vien"))
    assert "tổng đài viên" in handed and "phút" in handed
    wait = zalo_says(gateway, zalo, uid, "alo co ai khong")
    assert len(wait) == 1 and "vui lòng chờ" in wait[0]  # kept and acknowledged once
    assert zalo_says(gateway, zalo, uid, "so dt cua toi la 0905 123 456", wait=False) == []
    assert sender in queue_senders(operator)
    item = next(i for i in operator.get("queue").json()["items"] if i["sender_id"] == sender)
    assert item["channel"] == "zalo" and item["state"] == "waiting"
    assert item["last"]["text"] == "so dt cua toi la [SĐT]"
    assert item["first"]["text"] == "toi muon gap nhan vien"

    claimed = operator.post("claim", {"sender": sender}).json()["handover"]
    assert claimed["state"] == "claimed" and claimed["claimed_by"] == operator.name
    view = operator.get("conversation", sender=sender).json()
    texts = [m["text"] for m in view["messages"]]
    assert texts[0] == "toi muon gap nhan vien" and "so dt cua toi la [SĐT]" in texts
    assert [m["author"] for m in view["messages"]][:2] == ["citizen", "assistant"]

    # a second operator cannot answer someone else's conversation
    other = DeskClient(gateway.url)
    other.signin(add_operator(stack.settings.db_path, operator_name()))
    refused = other.post("reply", {"sender": sender, "text": "Tôi trả lời thay"})
    assert refused.status_code == 409 and refused.json()["code"] == "claimed_by_other"
    assert refused.json()["holder"] == operator.name
    assert other.post("claim", {"sender": sender}).status_code == 409

    before = len(zalo.to(uid))
    answer = "Chào bạn, mình là tổng đài viên. Bạn cần hỗ trợ gì ạ?"
    assert operator.post("reply", {"sender": sender, "text": answer}).status_code == 200
    wait_for(lambda: len(zalo.to(uid)) > before, timeout=10)
    assert zalo.texts_to(uid)[before:] == [answer]
    delivered = operator.get("conversation", sender=sender).json()["messages"][-1]
    assert delivered["author"] == "operator" and delivered["delivery"] == "sent"

    released = operator.post("release", {"sender": sender}).json()["handover"]
    assert released["state"] == "released" and released["release_reason"] == "operator"
    wait_for(lambda: any("trợ lý ảo" in t for t in zalo.texts_to(uid)[before + 1 :]), timeout=10)
    assert sender not in queue_senders(operator)
    again = "\n".join(zalo_says(gateway, zalo, uid, "xin chao"))
    assert "Xin chào" in again
    with db(stack) as conn:
        actions = [
            row[0]
            for row in conn.execute(
                "SELECT action FROM audit_log WHERE actor = ? ORDER BY id", [operator.name]
            )
        ]
    assert actions[-5:] == [
        "handover_claim",
        "desk_view",
        "handover_reply",
        "desk_view",
        "handover_release",
    ]


def test_the_event_stream_says_what_moved(stack, zalo, gateway, operator):
    uid = zalo_user()
    sender = f"zalo:{uid}"
    assert operator.get("events", sender=sender).status_code == 404  # before streaming
    zalo_says(gateway, zalo, uid, "toi can gap nguoi that")
    seen: list[str] = []
    with operator.http.stream("GET", "/desk/api/events", params={"sender": sender}) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        for line in events.iter_lines():
            if line.startswith("event: "):
                seen.append(line[7:])
            if seen.count("conversation") == 1 and "claimed" not in seen:
                operator.post("claim", {"sender": sender})
                seen.append("claimed")
            if seen.count("conversation") == 2:
                break
    assert seen[:2] in (["queue", "conversation"], ["conversation", "queue"]), seen
    operator.post("release", {"sender": sender})


def test_a_reply_the_channel_refuses_is_shown_to_the_operator(stack, zalo, gateway, operator):
    uid = zalo_user()
    sender = f"zalo:{uid}"
    zalo_says(gateway, zalo, uid, "cho toi noi chuyen voi nguoi that")
    operator.post("claim", {"sender": sender})
    zalo.fail_next(-230, "User has not interacted with the OA in the last 7 days")
    operator.post("reply", {"sender": sender, "text": "Bạn còn ở đó không?"})

    def refused() -> dict | None:
        last = operator.get("conversation", sender=sender).json()["messages"][-1]
        return last if last["delivery"] == "undeliverable" else None

    last = wait_for(refused, timeout=15)
    assert "-230" in last["delivery_error"]
    operator.post("close", {"sender": sender})


def test_suggestions_and_a_report_filed_for_the_citizen(stack, zalo, gateway, operator):
    uid = zalo_user()
    sender = f"zalo:{uid}"
    zalo_says(gateway, zalo, uid, "toi muon gap tong dai vien")
    zalo_says(gateway, zalo, uid, "lam sao de dang ky ho kinh doanh?", wait=False)
    suggestions = wait_for(
        lambda: operator.get("suggestions", sender=sender).json()["suggestions"], timeout=120
    )
    assert suggestions[0]["source"].startswith("http") and suggestions[0]["answer"]
    assert operator.post(
        "report", {"sender": sender, "category": "garbage", "location": "x", "description": "y"}
    ).json()["code"] in ("not_claimed",)
    operator.post("claim", {"sender": sender})
    place = f"{uuid.uuid4().hex[:6]} Nguyen Hue, phuong Vinh Ninh"
    filed = operator.post(
        "report",
        {"sender": sender, "category": "garbage", "location": place, "description": "rac ton"},
    ).json()["filed"]
    code = filed["service_request_id"]
    wait_for(lambda: any(code in t for t in zalo.texts_to(uid)), timeout=10)
    view = operator.get("conversation", sender=sender).json()
    assert [r["service_request_id"] for r in view["reports"]] == [code]
    item = next(i for i in operator.get("queue").json()["items"] if i["sender_id"] == sender)
    assert item["reports"] == 1
    operator.post("release", {"sender": sender})


# -- nobody claims: the timeout and the office closing -------------------------------------


def web_chat(url: str, sender: str, message: str) -> dict:
    response = httpx.post(
        f"{url}/api/chat", json={"sender": sender, "message": message}, timeout=90
    )
    assert response.status_code == 200, response.text
    return response.json()


def web_updates(url: str, sender: str) -> dict:
    return httpx.get(f"{url}/api/chat/updates", params={"sender": sender}).json()


@pytest.mark.parametrize(
    ("desk_yaml", "told"),
    [
        ("office_hours: always\nclaim_timeout_minutes: 0.05\n", "chưa có tổng đài viên nào"),
        ("office_hours:\n  sun: ['03:00-03:01']\n", "hết giờ làm việc"),
    ],
    ids=["timeout", "office-closed"],
)
def test_nobody_claims_the_citizen_is_told_and_the_assistant_resumes(
    stack, zalo, tmp_path, desk_yaml, told
):
    config = tmp_path / "desk.yml"
    config.write_text(desk_yaml, encoding="utf-8")
    env = gateway_env(stack, zalo, HUE_ASSIST_DESK=str(config))
    gw = Gateway(env, tmp_path / "gateway.log").start()
    try:
        sender = f"test-{uuid.uuid4().hex[:10]}"
        first = web_chat(gw.url, sender, "toi muon gap nhan vien")
        assert first["handover"] == "waiting"
        notice = wait_for(lambda: web_updates(gw.url, sender)["messages"], timeout=20)
        assert told in notice[0]["text"] and "19001075" in notice[0]["text"]
        answered = web_chat(gw.url, sender, "xin chao")
        assert "handover" not in answered and "Xin chào" in answered["messages"][0]["text"]
        with db(stack) as conn:
            reason = conn.execute(
                "SELECT release_reason FROM handovers WHERE sender_id = ?", [f"web:{sender}"]
            ).fetchone()[0]
        assert reason == ("timeout" if "always" in desk_yaml else "office_closed")
    finally:
        gw.stop()
