"""The Telegram channel end to end: webhook updates (and ``hue-assist telegram poll``) into
the real gateway, the real Rasa and action server, replies sent to a Bot API stand-in."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from bot.base.settings import project_root
from tests.standins import telegram as tg_standin
from tests.standins.gateway import Gateway
from tests.standins.server import settle, wait_for
from tests.standins.telegram import TelegramStandin, callback_update, message_update

SECRET = "webhook-secret-for-tests"
CODE_RE = re.compile(r"PA-\d{4}-\d{6}")
JPEG = b"\xff\xd8\xff\xe0" + b"telegram test photo " * 20


@pytest.fixture(scope="module")
def telegram() -> Iterator[TelegramStandin]:
    standin = TelegramStandin().start()
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture(scope="module")
def tg_env(stack, telegram) -> dict[str, str]:
    return {
        **stack.env,
        "RASA_URL": stack.rasa_url,
        "ACTION_SERVER_URL": stack.settings.action_server_url,
        "TELEGRAM_BOT_TOKEN": tg_standin.TOKEN,
        "TELEGRAM_API_BASE": telegram.url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
    }


@pytest.fixture(scope="module")
def gateway(stack, tg_env) -> Iterator[Gateway]:
    gw = Gateway(tg_env, stack.settings.home / "logs" / "gateway-telegram.log").start()
    try:
        yield gw
    finally:
        gw.stop()


def chat() -> int:
    return 10**9 + uuid.uuid4().int % 10**9


def post(gateway: Gateway, update: dict, secret: str | None = SECRET) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return httpx.post(f"{gateway.url}/webhooks/telegram", json=update, headers=headers)


def say(gateway: Gateway, telegram: TelegramStandin, chat_id: int, update: dict) -> list[str]:
    before = len(telegram.to(chat_id))
    assert post(gateway, update).status_code == 200
    wait_for(lambda: len(telegram.to(chat_id)) > before, timeout=60)
    settle(lambda: len(telegram.to(chat_id)))
    return [s.params.get("text", "") for s in telegram.to(chat_id)[before:]]


def inbox_count(stack, update_id: int) -> int:
    with stack.store() as store:
        return store.db.execute(
            "SELECT COUNT(*) FROM inbox WHERE channel = 'telegram' AND channel_msg_id = ?",
            [str(update_id)],
        ).fetchone()[0]


def test_text_answered_with_inline_keyboard_and_callbacks(stack, telegram, gateway):
    chat_id = chat()
    replies = say(gateway, telegram, chat_id, message_update(chat_id, text="toi muon phan anh"))
    assert "loại sự cố" in "\n".join(replies)
    markup = telegram.to(chat_id)[-1].params["reply_markup"]
    buttons = [row[0] for row in markup["inline_keyboard"]]
    assert buttons and all(b["callback_data"].startswith("/") for b in buttons)
    reply = say(gateway, telegram, chat_id, callback_update(chat_id, buttons[0]["callback_data"]))
    assert "ở đâu" in "\n".join(reply)
    wait_for(lambda: "answerCallbackQuery" in telegram.calls)


def test_secret_token_is_required_and_nothing_stored(stack, gateway):
    chat_id = chat()
    update = message_update(chat_id, text="xin chao")
    assert post(gateway, update, secret=None).status_code == 401
    assert post(gateway, update, secret="wrong").status_code == 401
    assert inbox_count(stack, update["update_id"]) == 0


def test_malformed_and_oversized_updates_are_refused(stack, gateway):
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    bad = httpx.post(f"{gateway.url}/webhooks/telegram", content=b"{not json", headers=headers)
    assert bad.status_code == 400
    no_id = httpx.post(f"{gateway.url}/webhooks/telegram", json={"message": {}}, headers=headers)
    assert no_id.status_code == 400
    big = message_update(chat(), text="x" * (1024 * 1024 + 1))
    assert post(gateway, big).status_code == 413
    assert inbox_count(stack, big["update_id"]) == 0


def test_edited_messages_and_channel_posts_are_ignored(stack, telegram, gateway):
    chat_id = chat()
    edited = message_update(chat_id, text="sua lai")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": int(time.time())}
    post_update = message_update(chat_id, text="kenh")
    post_update["channel_post"] = {
        **post_update.pop("message"),
        "chat": {"id": -100, "type": "channel"},
    }
    for update in (edited, post_update):
        response = post(gateway, update)
        assert response.status_code == 200 and response.json()["accepted"] == 0
    # The bot keeps working afterwards.
    assert "Xin chào" in "\n".join(
        say(gateway, telegram, chat_id, message_update(chat_id, text="xin chao"))
    )


def test_report_with_location_and_photo(stack, telegram, gateway):
    chat_id = chat()
    telegram.files["photo-big"] = JPEG
    where = {"latitude": 16.4637, "longitude": 107.5909}
    say(gateway, telegram, chat_id, message_update(chat_id, location=where))
    assert "mô tả" in "\n".join(
        say(gateway, telegram, chat_id, message_update(chat_id, text="co cay do chan duong"))
    )
    asked = say(
        gateway,
        telegram,
        chat_id,
        message_update(chat_id, text="cay do chan het duong, xe khong qua duoc"),
    )
    assert "ảnh" in "\n".join(asked)
    sizes = [
        {"file_id": "photo-small", "file_unique_id": "s", "width": 90, "height": 60},
        {"file_id": "photo-big", "file_unique_id": "b", "width": 1280, "height": 960},
    ]
    asked = say(gateway, telegram, chat_id, message_update(chat_id, photo=sizes))
    assert "điện thoại" in "\n".join(asked)
    say(gateway, telegram, chat_id, message_update(chat_id, text="/deny"))
    done = "\n".join(say(gateway, telegram, chat_id, callback_update(chat_id, "/affirm")))
    code = CODE_RE.search(done).group(0)
    with stack.store() as store:
        report = store.get_report(code)
    assert (report["lat"], report["long"]) == (16.4637, 107.5909)
    assert report["channel"] == "telegram" and report["service_code"] == "tree"
    assert httpx.get(report["media_url"]).content == JPEG


def test_voice_note_gets_a_request_to_type(stack, telegram, gateway):
    chat_id = chat()
    voice = {"file_id": "v1", "file_unique_id": "v1u", "duration": 3}
    replies = say(gateway, telegram, chat_id, message_update(chat_id, voice=voice))
    assert "nhắn bằng chữ" in "\n".join(replies)


def test_replayed_update_is_answered_once(stack, telegram, gateway):
    chat_id = chat()
    update = message_update(chat_id, text="xin chao")
    for _ in range(3):
        assert post(gateway, update).status_code == 200
    wait_for(lambda: telegram.to(chat_id), timeout=60)
    settle(lambda: len(telegram.to(chat_id)), quiet=1.5)
    assert len(telegram.to(chat_id)) == 1 and inbox_count(stack, update["update_id"]) == 1


def test_flood_limit_is_retried_and_blocked_chat_is_undeliverable(stack, telegram, gateway):
    chat_id = chat()
    telegram.fail_next(429, "Too Many Requests: retry after 1", retry_after=1)
    start = time.monotonic()
    say(gateway, telegram, chat_id, message_update(chat_id, text="xin chao"))
    assert time.monotonic() - start >= 1.0
    blocked = chat()
    telegram.fail_next(403, "Forbidden: bot was blocked by the user")
    assert post(gateway, message_update(blocked, text="xin chao")).status_code == 200
    with stack.store() as store:
        state = wait_for(
            lambda: store.db.execute(
                "SELECT state FROM outbox WHERE sender_id = ? AND state != 'pending'",
                [f"telegram:{blocked}"],
            ).fetchone(),
            timeout=60,
        )
    assert state[0] == "undeliverable"


def test_poll_feeds_the_inbox_without_a_webhook(stack, telegram, gateway, tg_env):
    chat_id = chat()
    env = {**os.environ, **tg_env, "PYTHONPATH": str(project_root())}
    poller = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "telegram",
            "poll",
            "--timeout",
            "2",
        ],
        cwd=project_root(),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        update = message_update(chat_id, text="xin chao")
        telegram.queue_update(update)
        wait_for(lambda: telegram.to(chat_id), timeout=60)
        assert "Xin chào" in telegram.texts_to(chat_id)[0]
        # The offset moved past the stored update: it is not fetched (or stored) twice.
        settle(lambda: len(telegram.to(chat_id)), quiet=3)
        assert inbox_count(stack, update["update_id"]) == 1 and len(telegram.to(chat_id)) == 1
        assert "deleteWebhook" in telegram.calls
    finally:
        os.killpg(poller.pid, signal.SIGTERM)
        poller.wait(timeout=15)
    assert poller.returncode == 0, poller.stderr.read().decode() if poller.stderr else ""


def test_health_lists_the_telegram_channel(gateway):
    health = httpx.get(f"{gateway.url}/healthz").json()
    assert health["channels"] == {"telegram": "ok"}, health
    assert health["checks"]["channel:telegram"] == "ok"
    assert {"pending", "failed", "undeliverable"} <= set(health["outbox"])
