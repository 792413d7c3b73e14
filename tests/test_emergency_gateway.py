"""The gateway's safety net: the emergency number when Rasa cannot say it (a conversation
handed to a person, Rasa down), over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from bot.services.processes import free_port
from tests.standins import zalo as zalo_standin
from tests.standins.gateway import Gateway
from tests.standins.server import wait_for
from tests.standins.zalo import ZaloStandin, event, signed
from tests.webchat_support import running_gateway


def chat(url: str, sender: str, message: str) -> httpx.Response:
    return httpx.post(f"{url}/api/chat", json={"sender": sender, "message": message}, timeout=90)


def reply_text(response: httpx.Response) -> str:
    return "\n".join(m["text"] for m in response.json()["messages"])


@pytest.fixture(scope="module")
def web(stack):
    with running_gateway(stack.env) as running:
        yield running


def test_a_conversation_handed_to_a_person_still_gets_the_number(stack, web):
    sender = f"test-{uuid.uuid4().hex[:10]}"
    handed = reply_text(chat(web.url, sender, "toi muon gap nhan vien"))
    assert "tổng đài viên" in handed
    # Rasa is silent while the conversation waits for an operator: the gateway answers.
    quiet = chat(web.url, sender, "alo co ai khong")
    assert quiet.status_code == 200 and "114" not in reply_text(quiet)
    urgent = chat(web.url, sender, "nha toi bi chay, cuu voi")
    assert urgent.status_code == 200
    assert reply_text(urgent).startswith("🚨 GỌI NGAY 114"), reply_text(urgent)
    # said once, not twice, when Rasa itself answers the emergency
    other = f"test-{uuid.uuid4().hex[:10]}"
    answered = reply_text(chat(web.url, other, "nha toi bi chay, cuu voi"))
    assert answered.count("GỌI NGAY 114") == 1, answered


def test_with_rasa_down_an_emergency_is_answered_and_anything_else_waits(tmp_path):
    env = {"HUE_ASSIST_HOME": str(tmp_path), "RASA_URL": f"http://127.0.0.1:{free_port()}"}
    with running_gateway(env) as gateway:
        sender = f"test-{uuid.uuid4().hex[:10]}"
        urgent = chat(gateway.url, sender, "There's a gas leak in our kitchen, we smell gas")
        assert urgent.status_code == 200
        assert reply_text(urgent).startswith("🚨 CALL 114 (fire and rescue) NOW"), urgent.text
        ordinary = chat(gateway.url, sender, "xin chao")
        assert ordinary.status_code == 503 and ordinary.json()["code"] == "unavailable"


@pytest.fixture
def zalo() -> Iterator[ZaloStandin]:
    standin = ZaloStandin().start()
    try:
        yield standin
    finally:
        standin.stop()


def test_a_zalo_citizen_gets_the_number_while_rasa_is_down_and_only_once(tmp_path, zalo):
    """The message waits for Rasa as usual; the emergency reply does not wait with it."""
    env = {
        "HUE_ASSIST_HOME": str(tmp_path),
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}/webhook",
        **zalo_standin.gateway_env(zalo),
    }
    gateway = Gateway(env, tmp_path / "gateway.log").start()
    try:
        uid = f"{uuid.uuid4().int % 10**18}"
        body, headers = signed(event(uid, text="co nguoi bi dien giat o cot dien, bat tinh roi"))
        response = httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers)
        assert response.status_code == 200
        wait_for(lambda: zalo.texts_to(uid), timeout=30)
        assert zalo.texts_to(uid)[0].startswith("🚨 GỌI NGAY 115"), zalo.texts_to(uid)
        ordinary = event(f"{uid}1", text="den duong hong o 12 Le Loi")
        body, headers = signed(ordinary)
        httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers)
        # the worker keeps retrying while Rasa is down: the alert is not sent again
        wait_for(
            lambda: httpx.get(f"{gateway.url}/healthz").json()["inbox"]["pending"] == 2,
            timeout=30,
        )
        health = httpx.get(f"{gateway.url}/healthz").json()
        assert health["inbox"]["pending"] == 2, health  # both still wait for Rasa
        assert len(zalo.texts_to(uid)) == 1 and not zalo.texts_to(f"{uid}1")
    finally:
        gateway.stop()


def test_a_zalo_emergency_is_answered_before_rasa_and_not_twice(stack, zalo, tmp_path):
    env = {  # its own inbox and outbox (other tests' stand-ins left tokens in the stack's)
        **stack.env,
        "HUE_ASSIST_HOME": str(tmp_path),
        "RASA_URL": stack.rasa_url,
        "ACTION_SERVER_URL": stack.settings.action_server_url,
        **zalo_standin.gateway_env(zalo),
    }
    gateway = Gateway(env, tmp_path / "gateway.log").start()
    try:
        uid = f"{uuid.uuid4().int % 10**18}"
        body, headers = signed(event(uid, text="nha hang xom dang chay lon, cuu voi"))
        assert httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers).is_success
        asked = ("sự việc ở đâu", "Số điện thoại")
        wait_for(lambda: any(a in t for t in zalo.texts_to(uid) for a in asked), timeout=60)
        said = zalo.texts_to(uid)
        assert said[0].startswith("🚨 GỌI NGAY 114"), said
        assert sum("GỌI NGAY" in t for t in said) == 1, said
    finally:
        gateway.stop()
