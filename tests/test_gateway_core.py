"""The gateway's reliable core: inbox, worker, outbox and sender on real SQLite; and the
whole gateway with Rasa and the action server stopped and restarted mid-conversation."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.base import settings as settings_mod
from bot.base.clock import stamp
from bot.domain.messages import Incoming
from bot.gateway import sender, worker
from bot.services.channels import zalo, zalo_events
from bot.services.channels.base import Delivery, split_text
from bot.services.processes import Supervisor, action_service, free_port, rasa_service
from bot.storage import inbox, outbox, outbox_parts, schema
from bot.storage.store import Store
from tests.standins import telegram as tg_standin
from tests.standins import zalo as zalo_standin
from tests.standins.gateway import Gateway
from tests.standins.server import settle, wait_for
from tests.standins.telegram import TelegramStandin, message_update
from tests.standins.zalo import ZaloStandin, event, signed


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "db.sqlite")
    try:
        yield s
    finally:
        s.close()


def text(user: str, msg_id: str, body: str = "xin chao") -> Incoming:
    return Incoming("zalo", msg_id, user, "text", text=body)


# -- inbox -----------------------------------------------------------------------------


def test_channels_migration_is_applied(store):
    assert {"channels-1", "channels-2", "channels-3"} <= set(schema.applied(store.db))
    tables = {"inbox", "channel_tokens", "outbox_parts", "channel_contacts"}
    assert tables <= set(store.db.table_names())
    assert "failures" in store.db["inbox"].columns_dict
    assert {"sending_since", "parts", "reason", "sent_as"} <= set(store.db["outbox"].columns_dict)
    assert {"seed_hash", "refused_at"} <= set(store.db["channel_tokens"].columns_dict)


def test_same_channel_message_id_is_stored_once(store):
    with store.transaction() as db:
        (first,) = inbox.accept(db, [text("u1", "m1")])
    with store.transaction() as db:
        (again,) = inbox.accept(db, [text("u1", "m1", "other text")])
        (other_channel,) = inbox.accept(db, [Incoming("telegram", "m1", "u1", "text", "x")])
    assert first == (again[0], False) and again[1] is True
    assert other_channel[1] is False
    assert store.db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0] == 2


def test_each_citizen_gets_their_oldest_message_first_even_while_it_waits(store):
    with store.transaction() as db:
        inbox.accept(db, [text("u1", "a"), text("u2", "b"), text("u1", "c")])
    due = inbox.due(store.db, set(), 10)
    assert [(r.sender_id, r.channel_msg_id) for r in due] == [("zalo:u1", "a"), ("zalo:u2", "b")]
    assert [r.channel_msg_id for r in inbox.due(store.db, {"zalo:u1"}, 10)] == ["b"]
    with store.transaction() as db:
        inbox.postpone(db, due[0].id, "rasa down", 60)
    # u1's first message waits for its retry: u1's second one must not overtake it.
    assert [r.channel_msg_id for r in inbox.due(store.db, set(), 10)] == ["b"]


def test_a_message_is_answered_once_even_if_completed_twice(store):
    with store.transaction() as db:
        inbox.accept(db, [text("u1", "a")])
    (row,) = inbox.due(store.db, set(), 10)
    with store.transaction() as db:
        assert len(inbox.complete(db, row, [{"text": "1"}, {"text": "2"}])) == 2
    with store.transaction() as db:
        assert inbox.complete(db, row, [{"text": "1"}]) == []
    rows = list(store.db.query("SELECT inbox_id, kind, channel FROM outbox"))
    assert rows == [{"inbox_id": row.id, "kind": "reply", "channel": "zalo"}] * 2
    assert inbox.due(store.db, set(), 10) == []


def test_replies_are_recovered_from_the_tracker_not_asked_twice():
    events = [
        {"event": "user", "text": "hi", "metadata": {"inbox_id": 6}},
        {"event": "bot", "text": "old"},
        {"event": "user", "text": "x", "metadata": {"inbox_id": 7}},
        {"event": "action", "name": "utter_x"},
        {"event": "bot", "text": "A", "data": {"buttons": [{"title": "Có", "payload": "/affirm"}]}},
        {"event": "bot", "text": "B", "data": {}},
        {"event": "user", "text": "y", "metadata": {"inbox_id": 8}},
        {"event": "bot", "text": "C"},
    ]
    assert worker.replies_in_tracker(events, 7) == [
        {"text": "A", "buttons": [{"title": "Có", "payload": "/affirm"}]},
        {"text": "B"},
    ]
    assert worker.replies_in_tracker(events, 9) is None


# -- outbox and sender -----------------------------------------------------------------


def queue(store: Store, sender_id: str, *texts: str) -> list[int]:
    with store.transaction() as db:
        return [outbox.enqueue(db, sender_id, {"text": t}, kind="reply", at=stamp()) for t in texts]


def test_outbox_keeps_order_per_recipient_and_backs_off(store):
    queue(store, "zalo:u1", "one", "two")
    queue(store, "telegram:u2", "three")
    queue(store, "web:u3", "not ours")
    due = sender.due(store.db, ["telegram", "zalo"], set(), 10)
    assert [r.payload["text"] for r in due] == ["one", "three"]
    with store.transaction() as db:
        sender.record(db, due[0], Delivery("retry", "timeout"))
    row = store.db.execute(
        "SELECT attempts, next_attempt_at, state FROM outbox WHERE id = ?", [due[0].id]
    ).fetchone()
    assert row[0] == 1 and row[1] > stamp() and row[2] == "pending"
    # "two" must wait behind "one".
    assert [r.payload["text"] for r in sender.due(store.db, ["zalo"], set(), 10)] == []


def test_backoff_grows_and_gives_up_after_max_attempts(store):
    (oid,) = queue(store, "zalo:u1", "x")
    delays = [sender.backoff(n) for n in range(1, 8)]
    assert all(b > a for a, b in zip(delays, delays[1:], strict=False))
    for _ in range(sender.MAX_ATTEMPTS):
        row = sender.OutboxRow(
            oid,
            "zalo:u1",
            "zalo",
            {"text": "x"},
            store.db.execute("SELECT attempts FROM outbox WHERE id = ?", [oid]).fetchone()[0],
        )
        with store.transaction() as db:
            sender.record(db, row, Delivery("retry", "down"))
    assert (
        store.db.execute("SELECT state FROM outbox WHERE id = ?", [oid]).fetchone()[0] == "failed"
    )


def test_parts_are_stored_once_and_a_retry_gets_only_those_not_sent(store):
    (oid,) = queue(store, "zalo:u1", "long")
    planned = [{"text": "a"}, {"text": "b"}, {"text": "c"}]
    with store.transaction() as db:
        first = outbox_parts.start(db, oid, "zalo:u1", planned)
        outbox_parts.mark_sent(db, oid, 0, "m1")
    assert first.pending == list(enumerate(planned)) and first.last_inbound_at is None
    with store.transaction() as db:
        # Planned differently this time (a new version, say): the stored parts win.
        again = outbox_parts.start(db, oid, "zalo:u1", [{"text": "abc"}])
    assert again.pending == [(1, {"text": "b"}), (2, {"text": "c"})]
    assert store.db.execute("SELECT parts FROM outbox WHERE id = ?", [oid]).fetchone()[0] == 3


def test_a_halted_channel_spends_no_attempt_and_stopped_channels_get_no_rows(store):
    (oid,) = queue(store, "zalo:u1", "x")
    queue(store, "telegram:u2", "y")
    (row,) = sender.due(store.db, {"zalo": 1, "telegram": 0}, set(), 10)
    with store.transaction() as db:
        sender.record(db, row, Delivery("halted", "quota", reason="channel_stopped"))
    attempts, state = store.db.execute(
        "SELECT attempts, state FROM outbox WHERE id = ?", [oid]
    ).fetchone()
    assert (attempts, state) == (0, "pending")
    assert sender.due(store.db, {"zalo": 0, "telegram": 0}, set(), 10) == []
    assert len(sender.due(store.db, {"zalo": 1, "telegram": 1}, set(), 10)) == 2


def test_undeliverable_is_kept_and_the_next_message_goes_on(store):
    first, second = queue(store, "zalo:u1", "a", "b")
    (row,) = sender.due(store.db, ["zalo"], set(), 10)
    with store.transaction() as db:
        sender.record(db, row, Delivery("undeliverable", "-230", reason="window"))
    assert store.db.execute(
        "SELECT state, reason FROM outbox WHERE id = ?", [first]
    ).fetchone() == ("undeliverable", "window")
    assert [r.id for r in sender.due(store.db, ["zalo"], set(), 10)] == [second]


# -- Zalo pieces -----------------------------------------------------------------------


def test_zalo_signature_is_sha256_of_app_id_body_timestamp_and_key():
    evt = event("42", text="chào")
    body, headers = signed(evt)
    expected = hashlib.sha256(
        (evt["app_id"]).encode() + body + evt["timestamp"].encode() + b"standin-oa-secret-key"
    ).hexdigest()
    assert headers["X-ZEvent-Signature"] == f"mac={expected}"
    assert zalo.verify_signature(body, evt, headers["X-ZEvent-Signature"], "standin-oa-secret-key")
    assert not zalo.verify_signature(body, evt, headers["X-ZEvent-Signature"], "other-key")
    assert not zalo.verify_signature(
        body + b" ", evt, headers["X-ZEvent-Signature"], "standin-oa-secret-key"
    )
    assert not zalo.verify_signature(body, evt, "", "standin-oa-secret-key")


def test_zalo_events_become_channel_neutral_messages():
    where = {
        "type": "location",
        "payload": {"coordinates": {"latitude": "16.46", "longitude": "107.59"}},
    }
    (loc,) = zalo_events.to_messages(event("7", "user_send_location", text="", attachments=[where]))
    assert (loc.kind, loc.lat, loc.long, loc.sender_id) == ("location", 16.46, 107.59, "zalo:7")
    (follow,) = zalo_events.to_messages(
        {"event_name": "follow", "follower": {"id": "9"}, "timestamp": "1"}
    )
    assert follow.kind == "follow" and follow.user_id == "9"
    assert zalo_events.to_messages({"event_name": "oa_send_text", "sender": {"id": "oa"}}) == []
    assert zalo_events.to_messages(event("7", "user_send_sticker", attachments=[])) == []


def test_zalo_messages_split_long_text_and_keep_four_buttons():
    buttons = [{"title": f"B{i}", "payload": f"/p{i}"} for i in range(6)]
    parts = zalo.messages_for(
        {"text": "chữ " * 1200, "buttons": buttons, "image": "http://x/y.jpg"}
    )
    assert [len(p.get("text", "")) <= zalo.MAX_TEXT for p in parts] == [True] * len(parts)
    assert len(parts) == 4  # 4800 characters → 3 text parts, then the image
    sent = parts[2]["attachment"]["payload"]["buttons"]
    assert len(sent) == 4 and {b["type"] for b in sent} == {"oa.query.hide"}
    assert parts[3]["attachment"]["payload"]["template_type"] == "media"


def test_split_text_keeps_every_word():
    words = " ".join(f"w{i}" for i in range(3000))
    parts = split_text(words, 2000)
    assert all(len(p) <= 2000 for p in parts) and " ".join(parts).split() == words.split()


# -- the whole gateway with Rasa and the action server stopped and restarted -----------


class OwnStack:
    """Rasa and an action server of this test's own, so stopping them spares other tests."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {
            "HUE_ASSIST_HOME": str(home),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
        }
        self.settings = settings_mod.load({**os.environ, **self.env})
        self.rasa_sup = Supervisor(home / "logs")
        self.actions_sup = Supervisor(home / "logs")

    def start_actions(self) -> None:
        service = action_service(self.settings)
        self.actions_sup.start(service)
        self.actions_sup.wait_ready(service, 120)

    def start_rasa(self) -> None:
        service = rasa_service(self.settings, self.settings.rasa_port)
        self.rasa_sup.start(service)
        self.rasa_sup.wait_ready(service, 300)

    def stop(self) -> None:
        self.rasa_sup.stop_all()
        self.actions_sup.stop_all()


def rasa_user_events(rasa_url: str, sender_id: str, token: str) -> list[int]:
    tracker = httpx.get(
        f"{rasa_url}/conversations/{sender_id}/tracker", params={"token": token}, timeout=30
    ).json()
    return [
        (e.get("metadata") or {}).get("inbox_id") for e in tracker["events"] if e["event"] == "user"
    ]


def test_rasa_and_action_server_restarted_mid_conversation_every_message_answered_once(
    trained_model, tmp_path
):
    own = OwnStack(tmp_path / "home")
    zalo_api = ZaloStandin().start()
    telegram_api = TelegramStandin().start()
    env = {
        **own.env,
        "RASA_URL": own.settings.rasa_url,
        "ACTION_SERVER_URL": own.settings.action_server_url,
        **zalo_standin.gateway_env(zalo_api),
        "TELEGRAM_BOT_TOKEN": tg_standin.TOKEN,
        "TELEGRAM_API_BASE": telegram_api.url,
        "TELEGRAM_WEBHOOK_SECRET": "s3cret",
    }
    gateway = Gateway(env, own.home / "logs" / "gateway.log")
    uid, chat_id = f"{uuid.uuid4().int % 10**18}", 2 * 10**9 + uuid.uuid4().int % 10**6
    sent: list[str] = []

    def send_zalo(body: str) -> None:
        evt = event(uid, text=body)
        raw, headers = signed(evt)
        assert (
            httpx.post(f"{gateway.url}/webhooks/zalo", content=raw, headers=headers).status_code
            == 200
        )
        sent.append(evt["message"]["msg_id"])

    def send_telegram(body: str) -> None:
        update = message_update(chat_id, text=body)
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        response = httpx.post(f"{gateway.url}/webhooks/telegram", json=update, headers=headers)
        assert response.status_code == 200

    def delivered() -> int:
        return len(zalo_api.to(uid)) + len(telegram_api.to(chat_id))

    try:
        own.start_actions()
        own.start_rasa()
        gateway.start()
        send_zalo("toi muon phan anh")
        send_telegram("xin chao")
        wait_for(lambda: zalo_api.to(uid) and telegram_api.to(chat_id), timeout=60)
        settle(delivered, quiet=1.5)

        own.rasa_sup.stop_all()  # Rasa goes away mid-conversation (the form is active)
        before = delivered()
        send_zalo("den duong bi hong")
        send_zalo("so 12 Le Loi phuong Thuan Hoa")
        send_telegram("lich thu gom rac o Hue the nao?")
        time.sleep(3)
        assert delivered() == before  # nothing answered, nothing lost
        health = httpx.get(f"{gateway.url}/healthz").json()
        assert health["status"] == "degraded" and health["checks"]["rasa"] != "ok"
        assert health["inbox"]["pending"] == 3 and health["worker"].startswith("waiting")

        own.start_rasa()
        wait_for(lambda: delivered() >= before + 3, timeout=60)
        settle(delivered, quiet=3)
        assert "mô tả" in zalo_api.texts_to(uid)[-1]  # both messages, in order, in the form

        own.actions_sup.stop_all()  # then the action server
        before = delivered()
        send_zalo("den tat 3 dem roi")
        time.sleep(2)
        assert delivered() == before
        assert httpx.get(f"{gateway.url}/healthz").json()["checks"]["actions"] != "ok"
        own.start_actions()
        wait_for(lambda: delivered() > before, timeout=60)
        settle(delivered, quiet=3)
        assert "ảnh" in zalo_api.texts_to(uid)[-1]

        check = Store(own.settings.db_path)
        try:
            rows = list(check.db.query("SELECT id, sender_id, state FROM inbox"))
            out = list(check.db.query("SELECT sender_id, state FROM outbox"))
        finally:
            check.close()
        assert len(rows) == 6 and {r["state"] for r in rows} == {"done"}
        for sender_id, got in (
            (f"zalo:{uid}", zalo_api.to(uid)),
            (f"telegram:{chat_id}", telegram_api.to(chat_id)),
        ):
            mine = sorted(r["id"] for r in rows if r["sender_id"] == sender_id)
            # Each message reached Rasa exactly once, and each reply was delivered once.
            assert (
                sorted(rasa_user_events(own.settings.rasa_url, sender_id, own.settings.rasa_token))
                == mine
            )
            replies = [r for r in out if r["sender_id"] == sender_id]
            assert {r["state"] for r in replies} == {"sent"} and len(replies) == len(got)
    finally:
        gateway.stop()
        own.stop()
        zalo_api.stop()
        telegram_api.stop()


def test_a_burst_of_webhooks_is_committed_together_and_deduplicated(tmp_path):
    """Acknowledgements queued together share one transaction; replays stay single."""
    from bot.storage.database import Database

    database = Database(tmp_path / "db.sqlite")

    async def burst() -> list[list[tuple[int, bool]]]:
        messages = [[text(f"u{i % 20}", f"m{i % 50}")] for i in range(100)]
        return await asyncio.gather(*(database.accept(m) for m in messages))

    try:
        results = asyncio.run(burst())
        new = [r for (r,) in results if not r[1]]
        assert len(new) == 50 and len({i for i, _ in new}) == 50
        assert database.store.db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0] == 50
    finally:
        database.close()


# -- a message that keeps failing is set aside, and the citizen told ---------------------


class BrokenRasa:
    """Answers like Rasa, except the REST webhook: 200 with a body that is not JSON (a proxy's
    error page, say), until ``healed``. Also stands in for the action server's /health."""

    def __init__(self, port: int | None = None) -> None:
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse, PlainTextResponse
        from starlette.routing import Route

        from tests.standins.server import ThreadServer

        self.healed = False
        self.calls = 0

        async def webhook(request) -> PlainTextResponse | JSONResponse:
            self.calls += 1
            if self.healed:
                body = await request.json()
                return JSONResponse([{"recipient_id": body["sender"], "text": "đã nhận"}])
            return PlainTextResponse("<html>502 Bad Gateway</html>")

        async def ok(request) -> JSONResponse:
            return JSONResponse({"events": [], "model_file": "x"})

        routes = [
            Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
            Route("/conversations/{sender}/tracker", ok),
            Route("/status", ok),
            Route("/health", ok),
        ]
        self.server = ThreadServer(Starlette(routes=routes), port)

    @property
    def url(self) -> str:
        return self.server.url


def test_a_message_that_keeps_failing_is_set_aside_and_the_citizen_told(tmp_path):
    rasa = BrokenRasa()
    rasa.server.start()
    zalo_api = ZaloStandin().start()
    home = tmp_path / "home"
    env = {
        "HUE_ASSIST_HOME": str(home),
        "RASA_URL": rasa.url,
        "ACTION_SERVER_URL": f"{rasa.url}/webhook",
        "GATEWAY_PORT": str(free_port()),
        **zalo_standin.gateway_env(zalo_api),
    }
    gateway = Gateway(env, home / "logs" / "gateway.log")
    uid = f"{uuid.uuid4().int % 10**18}"

    def send(body: str) -> None:
        raw, headers = signed(event(uid, text=body))
        response = httpx.post(f"{gateway.url}/webhooks/zalo", content=raw, headers=headers)
        assert response.status_code == 200

    try:
        gateway.start()
        send("xin chao")
        wait_for(lambda: zalo_api.to(uid), timeout=90)
        assert "19001075" in zalo_api.texts_to(uid)[0]
        assert rasa.calls == worker.MAX_FAILURES  # tried a few times, not for ever
        health = httpx.get(f"{gateway.url}/healthz", timeout=10).json()
        assert health["inbox"]["failed"] == 1 and health["inbox"]["pending"] == 0
        with Store(home / "hue-assist.db") as check:
            row = next(check.db.query("SELECT state, failures, last_error, payload FROM inbox"))
        assert row["state"] == "failed" and row["failures"] == worker.MAX_FAILURES
        assert "JSONDecodeError" in row["last_error"] and "xin chao" in row["payload"]  # kept

        rasa.healed = True  # the citizen's next message is not held up behind the failed one
        send("toi muon hoi")
        wait_for(lambda: len(zalo_api.to(uid)) == 2, timeout=30)
        assert zalo_api.texts_to(uid)[1] == "đã nhận"
    finally:
        gateway.stop()
        zalo_api.stop()
        rasa.server.stop()


def test_an_unreachable_rasa_server_holds_back_only_its_own_citizens(stack, tmp_path):
    """With several Rasa servers, one that is down pauses the citizens pinned to it; the
    others are answered meanwhile, and the held messages once it is back."""
    from bot.base.settings import pick_rasa

    down_port = free_port()
    down = f"http://127.0.0.1:{down_port}"
    urls = (stack.rasa_url, down)
    zalo_api = ZaloStandin().start()
    home = tmp_path / "home"
    env = {
        "HUE_ASSIST_HOME": str(home),
        "RASA_URL": ",".join(urls),
        "ACTION_SERVER_URL": stack.settings.action_server_url,
        "GATEWAY_PORT": str(free_port()),
        **zalo_standin.gateway_env(zalo_api),
    }
    gateway = Gateway(env, home / "logs" / "gateway.log")
    uids = (f"{uuid.uuid4().int % 10**18}" for _ in range(1000))
    held = next(u for u in uids if pick_rasa(urls, f"zalo:{u}") == down)
    served = next(u for u in uids if pick_rasa(urls, f"zalo:{u}") == stack.rasa_url)

    def send(uid: str, body: str) -> None:
        raw, headers = signed(event(uid, text=body))
        response = httpx.post(f"{gateway.url}/webhooks/zalo", content=raw, headers=headers)
        assert response.status_code == 200

    back = None
    try:
        gateway.start()
        send(held, "xin chao")
        time.sleep(1.0)  # its Rasa server has failed by now: the breaker is open
        send(served, "xin chao")
        wait_for(lambda: zalo_api.to(served), timeout=60)
        assert zalo_api.to(held) == []
        health = httpx.get(f"{gateway.url}/healthz", timeout=10).json()
        assert health["inbox"]["pending"] == 1 and down in health["worker"], health

        back = BrokenRasa(down_port)  # the server comes back (here: a stand-in that answers)
        back.healed = True
        back.server.start()
        wait_for(lambda: zalo_api.to(held), timeout=60)
        assert zalo_api.texts_to(held) == ["đã nhận"]
    finally:
        gateway.stop()
        zalo_api.stop()
        if back is not None:
            back.server.stop()
