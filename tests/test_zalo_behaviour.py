"""Zalo as Zalo behaves, against the stand-in taught each behaviour: a rate limit at part 2
(no part sent twice), a banned citizen (one attempt), the 7-day messaging window (template
message or an operator), the costs of the billable days, a dead refresh token (the channel
stops, says so, loses nothing) and an account problem (stops, probes, goes on).

The sender and the Zalo adapter run in this process on a real database; the tests about
``/healthz`` and restarts run the real gateway (no Rasa needed: only the outbox is used)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from actions.report_form import progress_note
from bot.base.clock import iso, now, stamp
from bot.cli import app as cli
from bot.domain import lifecycle, messaging_window
from bot.gateway.sender import Sender
from bot.services import stats
from bot.services.channels import config as channel_config
from bot.services.channels import zalo_errors
from bot.services.channels.zalo import ZaloAdapter, ZaloClient
from bot.storage import contacts, outbox, outbox_parts, tokens
from bot.storage.database import Database
from bot.storage.store import Store
from tests.standins import zalo as zalo_standin
from tests.standins.gateway import Gateway
from tests.standins.server import wait_for
from tests.standins.zalo import ZaloStandin

TEMPLATE_ID = "sample-219843"  # a sample id: the city registers its own with Zalo


@pytest.fixture
def zalo() -> Iterator[ZaloStandin]:
    standin = ZaloStandin().start()
    try:
        yield standin
    finally:
        standin.stop()


def user() -> str:
    return f"{uuid.uuid4().int % 10**18}"


class Rig:
    """The outbox sender with the Zalo adapter, on ``home/hue-assist.db``."""

    def __init__(self, home: Path, standin: ZaloStandin, env: dict[str, str]) -> None:
        self.config = channel_config.load({**zalo_standin.gateway_env(standin), **env})
        self.database = Database(home / "hue-assist.db")
        self.adapter = ZaloAdapter(ZaloClient(self.config, self.database), probe_every=0.5)
        self.sender = Sender(self.database, {"zalo": self.adapter})

    async def queue(self, uid: str, payload: dict[str, Any], kind: str = "reply") -> int:
        def add(db: Any) -> int:
            return outbox.enqueue(db, f"zalo:{uid}", payload, kind=kind, at=stamp())

        return await self.database.write(add)

    async def row(self, outbox_id: int) -> dict[str, Any]:
        def read(db: Any) -> dict[str, Any]:
            return next(db.query("SELECT * FROM outbox WHERE id = ?", [outbox_id]))

        return await self.database.read(read)

    async def settled(self, outbox_id: int, timeout: float = 15.0) -> dict[str, Any]:
        """The row once it is no longer pending."""
        await until(lambda: self._not_pending(outbox_id), timeout)
        return await self.row(outbox_id)

    async def attempted(self, outbox_id: int) -> bool:
        return (await self.row(outbox_id))["attempts"] > 0

    async def _not_pending(self, outbox_id: int) -> bool:
        return (await self.row(outbox_id))["state"] != "pending"


@asynccontextmanager
async def running(home: Path, standin: ZaloStandin, **env: str):
    rig = Rig(home, standin, env)
    task = asyncio.create_task(rig.sender.run())
    try:
        yield rig
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await rig.sender.aclose()
        await rig.adapter.aclose()
        rig.database.close()


async def until(check: Callable[[], Any], timeout: float = 15.0) -> None:
    """Poll ``check`` (sync or async) until truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


def touch(home: Path, uid: str, days_ago: float) -> None:
    """The citizen last wrote ``days_ago`` days ago (as the webhook records it)."""
    with Store(home / "hue-assist.db") as store, store.transaction() as db:
        db.execute("DELETE FROM channel_contacts WHERE sender_id = ?", [f"zalo:{uid}"])
        contacts.touch(db, [(f"zalo:{uid}", iso(now() - timedelta(days=days_ago)))])


def report_changed(home: Path, uid: str, phone: str | None = None) -> str:
    """A Zalo citizen's report, assigned to a department: one notification queued."""
    with Store(home / "hue-assist.db") as store:
        report = store.file_report(
            service_code="road_damage",
            description="Ổ gà sâu trước nhà",
            channel="zalo",
            sender_id=f"zalo:{uid}",
            address="12 Lê Lợi",
            ward="Thuận Hóa",
            phone=phone,
        )
        code = report["service_request_id"]
        store.assign(code, "Công ty Công trình đô thị", actor="lan")
    return code


def notification_of(home: Path, code: str) -> int:
    with Store(home / "hue-assist.db") as store:
        return store.db.execute(
            "SELECT id FROM outbox WHERE service_request_id = ? AND kind = 'notification'", [code]
        ).fetchone()[0]


# -- the window, the error table -------------------------------------------------------


def test_the_window_is_free_for_48_hours_billable_to_7_days_then_closed():
    at = now()
    ago = lambda hours: iso(at - timedelta(hours=hours))  # noqa: E731
    assert messaging_window.window(ago(1), at) == "free"
    assert messaging_window.window(ago(47.9), at) == "free"
    assert messaging_window.window(ago(49), at) == "billable"
    assert messaging_window.window(ago(24 * 7 - 1), at) == "billable"
    assert messaging_window.window(ago(24 * 7 + 1), at) == "closed"
    assert messaging_window.window(None, at) == "unknown"


def test_every_code_in_the_issue_is_sorted():
    oa = zalo_errors.oa
    assert oa(-32).action == "retry" and oa(-32).reason == "rate_limited"
    assert {oa(c).action for c in (-216, -220)} == {"refresh"} and -124 in zalo_errors.TOKEN_ERRORS
    for code, reason in (
        (-227, "banned"),
        (-244, "restricted"),
        (-230, "window"),
        (-217, "blocked"),
    ):
        assert (oa(code).action, oa(code).reason) == ("citizen", reason)
    assert oa(-233).action == "message"
    assert {oa(c).action for c in (-211, -221, -224)} == {"config"}
    assert oa(-99999) == zalo_errors.UNKNOWN


# -- delivery per part -------------------------------------------------------------------


def test_a_rate_limit_at_part_2_resumes_at_part_2_and_part_1_is_not_sent_twice(tmp_path, zalo):
    uid = user()
    text = "\n".join(f"Dòng {i}: " + "thông tin " * 20 for i in range(25))  # ~5,300 characters
    zalo.fail_next(-32, "Your application reached limit call api", after=1)

    async def scenario() -> None:
        async with running(tmp_path, zalo) as rig:
            oid = await rig.queue(uid, {"text": text})
            await until(lambda: rig.attempted(oid))
            row = await rig.row(oid)
            assert row["state"] == "pending" and row["attempts"] == 1 and row["parts"] == 3
            assert row["reason"] == "rate_limited" and row["next_attempt_at"] > stamp()
            assert await rig.database.read(outbox_parts.sent_count, oid) == 1
            # Zalo counts calls per minute: the row waits 30 s. Move the clock instead.
            await rig.database.write(
                lambda db: db.execute(
                    "UPDATE outbox SET next_attempt_at = ? WHERE id = ?", [stamp(), oid]
                )
            )
            row = await rig.settled(oid)
            assert row["state"] == "sent" and row["attempts"] == 2

    asyncio.run(scenario())
    got = zalo.texts_to(uid)
    assert len(got) == 3 and len(set(got)) == 3  # each part once
    assert " ".join(" ".join(got).split()) == " ".join(text.split())  # in order, all of it


def test_a_banned_citizen_gets_one_attempt_and_the_reason_is_kept(tmp_path, zalo):
    uid = user()
    zalo.refuse_user(uid, -227, "User is banned or inactive for more than 45 days")

    async def scenario() -> dict[str, Any]:
        async with running(tmp_path, zalo) as rig:
            row = await rig.settled(await rig.queue(uid, {"text": "Xin chào"}))
            await asyncio.sleep(0.5)  # nothing more is tried
            return row

    row = asyncio.run(scenario())
    assert row["state"] == "undeliverable" and row["reason"] == "banned" and row["attempts"] == 1
    assert len(zalo.refused) == 1 and zalo.to(uid) == []


def test_buttons_are_hidden_query_buttons_zalo_accepts(tmp_path, zalo):
    uid = user()
    buttons = [{"title": "Có", "payload": "/affirm"}, {"title": "Không", "payload": "/deny"}]

    async def scenario() -> dict[str, Any]:
        async with running(tmp_path, zalo) as rig:
            return await rig.settled(
                await rig.queue(uid, {"text": "Đúng chưa?", "buttons": buttons})
            )

    assert asyncio.run(scenario())["state"] == "sent"
    (message,) = [s.message for s in zalo.to(uid)]
    sent = zalo_standin.buttons_of(message)
    assert [b["type"] for b in sent] == ["oa.query.hide"] * 2
    tapped = zalo_standin.tap(uid, sent[0])  # the citizen's own event, payload not shown
    assert tapped["event_name"] == "user_send_text" and tapped["message"]["text"] == "/affirm"


# -- the 7-day window: template message, or an operator ---------------------------------


def test_a_notification_refused_with_230_goes_as_a_template_message(tmp_path, zalo):
    uid = user()
    zalo.silent[uid] = 10  # the pothole took 10 days: Zalo refuses a consultation message
    code = report_changed(tmp_path, uid)

    async def scenario() -> dict[str, Any]:
        async with running(tmp_path, zalo, ZALO_ZNS_TEMPLATE_REPORT_STATUS=TEMPLATE_ID) as rig:
            return await rig.settled(notification_of(tmp_path, code))

    row = asyncio.run(scenario())
    assert row["state"] == "sent" and row["sent_as"] == "template"
    assert [r["answer"]["error"] for r in zalo.refused] == [-230]
    (sent,) = zalo.templates
    assert sent["user_id"] == uid and sent["template_id"] == TEMPLATE_ID
    assert sent["template_data"]["report_code"] == code
    assert sent["template_data"]["status"] == lifecycle.name("assigned", "vi")
    assert sent["tracking_id"] == f"outbox-{row['id']}"


def test_a_notification_known_to_fall_outside_the_window_is_not_tried_as_consultation(
    tmp_path, zalo
):
    uid = user()
    zalo.silent[uid] = 9
    touch(tmp_path, uid, days_ago=9)
    code = report_changed(tmp_path, uid)

    async def scenario() -> dict[str, Any]:
        async with running(tmp_path, zalo, ZALO_ZNS_TEMPLATE_REPORT_STATUS=TEMPLATE_ID) as rig:
            return await rig.settled(notification_of(tmp_path, code))

    assert asyncio.run(scenario())["sent_as"] == "template"
    assert zalo.refused == [] and len(zalo.templates) == 1


def test_without_a_template_the_notification_waits_for_an_operator_in_reports_show(tmp_path, zalo):
    uid = user()
    zalo.silent[uid] = 10
    code = report_changed(tmp_path, uid, phone="0905123456")

    async def scenario() -> dict[str, Any]:
        async with running(tmp_path, zalo) as rig:
            return await rig.settled(notification_of(tmp_path, code))

    row = asyncio.run(scenario())
    assert row["state"] == "undeliverable" and row["reason"] == "window"
    assert "operator" in row["last_error"]
    env = {"HUE_ASSIST_HOME": str(tmp_path)}
    shown = CliRunner().invoke(cli, ["reports", "show", code, "--json"], env=env)
    (undelivered,) = json.loads(shown.output)["undelivered_notifications"]
    assert undelivered["reason"] == "window" and undelivered["to"] == "reporter"
    assert undelivered["phone_on_file"] is True and "phone" not in json.loads(shown.output)
    text = CliRunner().invoke(cli, ["reports", "show", code], env=env).output
    assert "7 ngày" in text and "gọi điện" in text
    with Store(tmp_path / "hue-assist.db") as store:
        assert stats.compute(store)["zalo"]["outside_window"] == 1


def test_messages_in_the_billable_days_are_counted_in_stats(tmp_path, zalo):
    uid = user()
    zalo.silent[uid] = 3
    touch(tmp_path, uid, days_ago=3)
    code = report_changed(tmp_path, uid)
    free = user()
    touch(tmp_path, free, days_ago=0.5)

    async def scenario() -> None:
        async with running(tmp_path, zalo) as rig:
            assert (await rig.settled(notification_of(tmp_path, code)))["sent_as"] == "billable"
            reply = await rig.settled(await rig.queue(free, {"text": "Cảm ơn bạn"}))
            assert reply["sent_as"] == "free"

    asyncio.run(scenario())
    assert zalo.billable == [uid]
    with Store(tmp_path / "hue-assist.db") as store:
        costs = stats.compute(store)["zalo"]
    assert costs["billable"] == 1 and costs["messages"] == 2 and costs["templates"] == 0


# -- a broken channel: an account problem, a dead refresh token --------------------------


def test_an_account_problem_stops_the_channel_then_a_probe_finds_it_fixed(tmp_path, zalo):
    uids = [user() for _ in range(3)]
    zalo.fail_next(-211, "Out of quota")

    async def scenario() -> None:
        async with running(tmp_path, zalo) as rig:
            first = await rig.queue(uids[0], {"text": "một"})
            await until(lambda: rig.adapter.halt is not None)
            assert "quota" in rig.adapter.state() and rig.adapter.admits(32) == 0
            others = [await rig.queue(u, {"text": "hai"}) for u in uids[1:]]
            ids = [first, *others]
            for oid in ids:  # a probe (0.5 s here, 10 min for real) finds it fixed
                row = await rig.settled(oid)
                assert row["state"] == "sent" and row["attempts"] == 1  # nothing spent
            assert rig.adapter.state() == "ok"

    asyncio.run(scenario())
    assert all(zalo.to(u) for u in uids)


def gateway_env(home: Path, standin: ZaloStandin, **more: str) -> dict[str, str]:
    """A gateway whose Rasa and action server are nowhere: only the outbox is used."""
    nowhere = "http://127.0.0.1:9"
    return {
        "HUE_ASSIST_HOME": str(home),
        "RASA_URL": nowhere,
        "ACTION_SERVER_URL": f"{nowhere}/webhook",
        **zalo_standin.gateway_env(standin),
        **more,
    }


def health(gateway: Gateway) -> dict[str, Any]:
    return httpx.get(f"{gateway.url}/healthz", timeout=10).json()


def test_a_dead_refresh_token_stops_the_channel_loudly_and_loses_nothing(tmp_path, zalo):
    uids = [user(), user()]
    with Store(tmp_path / "hue-assist.db") as store, store.transaction() as db:
        ids = [
            outbox.enqueue(db, f"zalo:{u}", {"text": "Đã nhận"}, kind="reply", at=stamp())
            for u in uids
        ]
    zalo.expire_token()
    zalo.revoke_refresh()  # three months without a refresh, or revoked
    logs = tmp_path / "logs"
    gateway = Gateway(gateway_env(tmp_path, zalo), logs / "gateway-1.log")
    try:
        gateway.start()
        wait_for(lambda: health(gateway)["checks"]["channel:zalo"].startswith("stopped"))
        body = health(gateway)
        assert body["status"] == "degraded"
        assert "ZALO_REFRESH_TOKEN" in body["checks"]["channel:zalo"]
        assert len(zalo.refreshes) == 1  # posted once, not once per row or retry
    finally:
        gateway.stop()
    assert "zalo channel stopped" in (logs / "gateway-1.log").read_text()
    with Store(tmp_path / "hue-assist.db") as store:
        rows = list(store.db.query("SELECT state, attempts, reason FROM outbox"))
    assert rows == [{"state": "pending", "attempts": 0, "reason": "channel_stopped"}] * 2

    # Restarted with the same (dead) pair: stopped at once, the dead token not posted again.
    gateway = Gateway(gateway_env(tmp_path, zalo), logs / "gateway-2.log")
    try:
        gateway.start()
        assert health(gateway)["checks"]["channel:zalo"].startswith("stopped")
        assert len(zalo.refreshes) == 1 and zalo.sent == []
    finally:
        gateway.stop()

    # The OA's admin authorises the app again; the new pair goes in the environment.
    access, refresh = zalo.authorise_again()
    fixed = {"ZALO_ACCESS_TOKEN": access, "ZALO_REFRESH_TOKEN": refresh}
    gateway = Gateway(gateway_env(tmp_path, zalo, **fixed), logs / "gateway-3.log")
    try:
        gateway.start()
        wait_for(lambda: all(zalo.to(u) for u in uids))
        assert health(gateway)["checks"]["channel:zalo"] == "ok"
    finally:
        gateway.stop()
    with Store(tmp_path / "hue-assist.db") as store:
        states = [r[0] for r in store.db.execute("SELECT state FROM outbox ORDER BY id")]
    assert states == ["sent", "sent"] and [len(zalo.to(u)) for u in uids] == [1, 1]
    assert ids


# -- the webhook: unverifiable events answered 200, counted, never stored ---------------


def test_unverifiable_events_are_answered_200_and_a_bad_secret_shows_in_healthz(tmp_path, zalo):
    gateway = Gateway(
        gateway_env(tmp_path, zalo, ZALO_OA_SECRET_KEY="not-the-oa-secret"),
        tmp_path / "logs" / "gateway.log",
    )
    uid = user()
    try:
        gateway.start()
        assert "webhook:zalo" in health(gateway)["checks"]
        for _ in range(3):  # Zalo signs with the real OA secret; ours is wrong
            evt = zalo_standin.event(uid, text="xin chao")
            body, headers = zalo_standin.signed(evt)
            answer = httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers)
            assert answer.status_code == 200 and answer.json()["dropped"] == "unverified"
        status = health(gateway)
        assert status["status"] == "degraded"
        assert status["checks"]["webhook:zalo"].startswith("signature failures: 3 in a row")
        assert status["webhooks"]["zalo"]["unverified"] == 3
        junk = httpx.post(f"{gateway.url}/webhooks/zalo", content=b"{not json")
        assert junk.status_code == 200 and junk.json()["dropped"] == "unreadable"
        evt = zalo_standin.event(uid, text="xin chao")
        body, headers = zalo_standin.signed(evt, key="not-the-oa-secret")  # verifies here
        answer = httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers)
        assert answer.json() == {"ok": True, "accepted": 1, "duplicates": 0}
        assert health(gateway)["checks"]["webhook:zalo"] == "ok"
    finally:
        gateway.stop()
    with Store(tmp_path / "hue-assist.db") as store:
        assert store.db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0] == 1
        assert contacts.last_inbound(store.db, f"zalo:{uid}") is not None


def test_a_sticker_counts_as_writing_for_the_window(tmp_path, zalo):
    gateway = Gateway(gateway_env(tmp_path, zalo), tmp_path / "logs" / "gateway.log")
    uid = user()
    sticker = zalo_standin.event(uid, "user_send_sticker", attachments=[])
    # Delivered late but inside the replay window: the window counts from the event's time.
    sticker["timestamp"] = str(int((now() - timedelta(minutes=10)).timestamp() * 1000))
    body, headers = zalo_standin.signed(sticker)
    try:
        gateway.start()
        answer = httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers)
        assert answer.json()["accepted"] == 0
    finally:
        gateway.stop()
    with Store(tmp_path / "hue-assist.db") as store:
        seen = contacts.last_inbound(store.db, f"zalo:{uid}")
    assert seen is not None and seen < iso(now() - timedelta(minutes=9))  # the event's time


def test_without_the_zalo_channel_the_health_has_no_webhook_check(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZALO_")}
    env.update(HUE_ASSIST_HOME=str(tmp_path), RASA_URL="http://127.0.0.1:9")
    gateway = Gateway(env, tmp_path / "logs" / "gateway.log")
    try:
        gateway.start()
        assert "webhook:zalo" not in health(gateway)["checks"]
        answer = httpx.post(f"{gateway.url}/webhooks/zalo", json={"event_name": "user_send_text"})
        assert answer.status_code == 200 and answer.json()["dropped"] == "unverified"
        assert health(gateway)["webhooks"]["zalo"]["unverified"] == 1
    finally:
        gateway.stop()


# -- tokens: a new pair in the environment, the old one never ---------------------------


def test_only_a_new_pair_in_the_environment_replaces_the_stored_one(tmp_path):
    with Store(tmp_path / "db.sqlite") as store:
        first = tokens.seed(store, "zalo", "access-0", "refresh-0")
        assert first is not None and first.refresh_token == "refresh-0"
        refreshed = tokens.TokenPair("access-1", "refresh-1", now() + timedelta(hours=25))
        tokens.save(store, "zalo", refreshed)
        # The environment still holds the first pair (single-use, long dead): ignored.
        assert tokens.seed(store, "zalo", "access-0", "refresh-0").refresh_token == "refresh-1"
        tokens.refuse(store, "zalo", "refresh-1", "-14014 Invalid refresh token")
        dead = tokens.seed(store, "zalo", "access-0", "refresh-0")
        assert dead.refresh_token == "refresh-1" and dead.refused.startswith("-14014")
        # The OA authorised again: the new pair replaces the dead one, refusal cleared.
        new = tokens.seed(store, "zalo", "access-9", "refresh-9")
        assert (new.access_token, new.refused) == ("access-9", None)
        assert tokens.load(store, "zalo") == new


def test_a_row_from_before_seed_hashes_keeps_its_refreshed_pair(tmp_path):
    with Store(tmp_path / "db.sqlite") as store:
        tokens.save(store, "zalo", tokens.TokenPair("access-5", "refresh-5", None))
        assert tokens.seed(store, "zalo", "access-0", "refresh-0").refresh_token == "refresh-5"
        assert tokens.seed(store, "zalo", "access-0", "refresh-0").refresh_token == "refresh-5"


@pytest.mark.parametrize(
    ("sender", "phone", "template", "key"),
    [
        ("zalo:1", False, "", "zalo_progress_ask"),
        ("zalo:1", True, "", "zalo_progress_call"),
        ("zalo:1", True, TEMPLATE_ID, "zalo_progress_template"),
        ("telegram:1", True, TEMPLATE_ID, None),
    ],
)
def test_at_filing_a_zalo_citizen_is_told_how_they_will_hear(
    monkeypatch, sender, phone, template, key
):
    monkeypatch.setenv("ZALO_ZNS_TEMPLATE_REPORT_STATUS", template)
    assert progress_note(sender, phone) == key
