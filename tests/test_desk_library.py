"""The desk's library without a server: office hours, the rules, the lifecycle of a handover,
the conversation record, accounts and sessions, statistics (real SQLite files)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import ActionHandover
from bot.base.clock import HUE_TZ, now, stamp
from bot.domain import accounts as rules
from bot.domain import desk_config
from bot.domain.desk_config import DeskConfigError
from bot.domain.handover import Case, Refused, check
from bot.domain.messages import Incoming
from bot.gateway.handed import held_replies
from bot.services import accounts, desk, stats
from bot.services.desk import Actor
from bot.storage import handovers, inbox, outbox, schema, users
from bot.storage.errors import NotFound
from bot.storage.store import Store

LAN = Actor("lan", "operator", "web")
MAI = Actor("mai", "operator", "web")
BOSS = Actor("hoa", "supervisor", "web")
PASSWORD = "mat-khau-dai-1"


def desk_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "desk.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def resumed() -> list[str]:
    return []


@pytest.fixture
def resume(resumed):
    return resumed.append


def hand_over(store: Store, sender: str = "zalo:42", lang: str = "vi") -> handovers.Handover:
    return store.request_handover(sender, lang)


# -- office hours ---------------------------------------------------------------------------


def test_office_hours_opening_and_the_next_opening(tmp_path):
    config = desk_config.load(
        desk_file(
            tmp_path,
            'office_hours:\n  mon: ["07:30-11:30", "13:30-17:00"]\n  sat: ["07:30-11:30"]\n'
            "closed_dates: [2026-12-07]\nclaim_timeout_minutes: 0.5\n",
        )
    )
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=HUE_TZ)
    assert config.is_open(monday) and not config.is_open(monday.replace(hour=12))
    assert config.next_opening(monday.replace(hour=12)) == monday.replace(hour=13, minute=30)
    # Friday evening: Saturday morning; Saturday noon: Monday the 7th is a holiday → the 14th
    assert config.next_opening(datetime(2026, 12, 4, 18, tzinfo=HUE_TZ)).day == 5
    assert config.next_opening(datetime(2026, 12, 5, 12, tzinfo=HUE_TZ)).day == 12
    assert config.claim_timeout == timedelta(seconds=30) and config.expected_wait_minutes == 5
    # a moment written in UTC is read in Huế time: 01:00Z is 08:00 in Huế
    assert config.is_open(datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc))


@pytest.mark.parametrize(
    "text",
    [
        "office_hours: {mon: ['17:00-08:00']}",
        "office_hours: {mon: ['7h-9h']}",
        "office_hours: {funday: []}",
        "office_hours: always\nclaim_timeout_minutes: 0",
        "expected_wait_minutes: 3",
    ],
)
def test_a_wrong_desk_file_is_an_error_not_a_silent_default(tmp_path, text):
    with pytest.raises(DeskConfigError):
        desk_config.load(desk_file(tmp_path, text))


def test_the_shipped_file_is_labelled_sample_and_loads():
    config = desk_config.load(desk_config.DEFAULT_FILE)
    assert config.sample and not config.always
    assert config.claim_timeout == timedelta(minutes=10)


# -- the rules --------------------------------------------------------------------------------


def test_only_the_holder_writes_and_a_supervisor_moves_any_open_case():
    waiting = Case(1, "zalo:1", "waiting")
    claimed = Case(1, "zalo:1", "claimed", "lan")
    ended = Case(1, "zalo:1", "released", "lan")
    check("claim", waiting, actor="mai", role="operator")
    check("release", waiting, actor="mai", role="operator")  # nobody has it: give it back
    check("reply", claimed, actor="lan", role="operator")
    check("view", ended, actor="lan", role="operator")  # what one handled stays readable
    for action, case, who, role, code in [
        ("reply", waiting, "lan", "operator", "not_claimed"),
        ("reply", claimed, "mai", "operator", "claimed_by_other"),
        ("claim", claimed, "mai", "operator", "claimed_by_other"),
        ("reply", claimed, "hoa", "supervisor", "claimed_by_other"),
        ("release", claimed, "mai", "operator", "claimed_by_other"),
        ("view", ended, "mai", "operator", "not_open"),
        ("view_raw", waiting, "lan", "operator", "not_yours"),
        ("reply", ended, "lan", "operator", "not_open"),
    ]:
        with pytest.raises(Refused) as refused:
            check(action, case, actor=who, role=role)
        assert refused.value.code == code, (action, who)
    for action in ("transfer", "release", "close", "view_raw"):
        check(action, claimed, actor="hoa", role="supervisor")


# -- a handover's life ------------------------------------------------------------------------


def test_claim_reply_release_with_the_record_the_audit_and_the_notice(store, resume, resumed):
    case = hand_over(store)
    with store.transaction() as db:
        inbox.accept(db, [Incoming("zalo", "m1", "42", "text", "Số tôi 0905 123 456, alo?")])
    queue = desk.queue(store)["items"]
    assert [i["sender_id"] for i in queue] == ["zalo:42"]
    assert queue[0]["last"] == {"kind": "text", "text": "Số tôi [SĐT], alo?"}  # redacted
    assert desk.claim(store, "zalo:42", LAN).claimed_by == "lan"
    with pytest.raises(Refused) as other:
        desk.claim(store, "zalo:42", MAI)
    assert other.value.code == "claimed_by_other" and other.value.holder == "lan"
    with pytest.raises(Refused):
        desk.reply(store, "zalo:42", MAI, "mình là Mai")
    outbox_id = desk.reply(store, "zalo:42", LAN, "  Chào bạn, mình là Lan.  ")
    row = store.db.execute("SELECT kind, payload FROM outbox WHERE id = ?", [outbox_id]).fetchone()
    assert row[0] == "operator" and '"Chào bạn, mình là Lan."' in row[1]
    view = desk.view(store, "zalo:42", LAN)
    said = [(m["author"], m["text"], m.get("delivery")) for m in view["messages"]]
    assert said == [
        ("citizen", "Số tôi [SĐT], alo?", None),
        ("operator", "Chào bạn, mình là Lan.", "pending"),
    ]
    assert view["messages"][1]["operator"] == "lan"
    raw = desk.view(store, "zalo:42", LAN, raw=True)
    assert raw["messages"][0]["text"] == "Số tôi 0905 123 456, alo?"
    desk.end(store, "zalo:42", LAN, resume)
    assert resumed == ["zalo:42"]
    ended = handovers.latest_for(store.db, "zalo:42")
    assert (ended.state, ended.release_reason, ended.released_by) == ("released", "operator", "lan")
    assert ended.first_reply_by == "lan" and ended.id == case.id
    notice = store.db.execute(
        "SELECT kind, payload FROM outbox WHERE sender_id = 'zalo:42' ORDER BY id DESC"
    ).fetchone()
    assert notice[0] == "notice" and "trợ lý ảo" in notice[1]
    actions = [r[0] for r in store.db.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions == [
        "handover_claim",
        "handover_reply",
        "desk_view",
        "desk_view_raw",
        "handover_release",
    ]
    assert desk.queue(store)["items"] == []
    with pytest.raises(Refused):
        desk.reply(store, "zalo:42", LAN, "còn đó không?")  # it has ended


def test_an_unknown_conversation_is_not_found(store, resume):
    for call in (
        lambda: desk.claim(store, "zalo:404", LAN),
        lambda: desk.view(store, "zalo:404", BOSS),
        lambda: desk.end(store, "zalo:404", BOSS, resume),
    ):
        with pytest.raises(NotFound):
            call()


def test_rasa_unreachable_leaves_the_case_as_it_was(store):
    hand_over(store)
    desk.claim(store, "zalo:42", LAN)

    def down(sender: str) -> None:
        raise RuntimeError("rasa down")

    with pytest.raises(RuntimeError):
        desk.end(store, "zalo:42", LAN, down)
    assert handovers.open_for(store.db, "zalo:42").state == "claimed"


def test_transfer_to_an_active_account_only(store):
    for name in ("mai", "tuan"):
        accounts.add(store, name, "operator", PASSWORD, by="test")
    accounts.disable(store, "tuan", by="test")
    hand_over(store)
    desk.claim(store, "zalo:42", LAN)
    with pytest.raises(Refused) as refused:
        desk.transfer(store, "zalo:42", LAN, "tuan")
    assert refused.value.code == "no_such_operator"
    assert desk.transfer(store, "zalo:42", LAN, "mai").claimed_by == "mai"
    with pytest.raises(Refused):
        desk.reply(store, "zalo:42", LAN, "xin chào")
    desk.reply(store, "zalo:42", MAI, "Mai đây ạ")


def test_unclaimed_cases_are_given_back_after_the_timeout_and_when_the_office_closes(
    store, tmp_path, monkeypatch, resume, resumed
):
    monkeypatch.setenv("HUE_ASSIST_DESK", str(desk_file(tmp_path, "office_hours: always\n")))
    old = hand_over(store, "zalo:1")
    hand_over(store, "zalo:2")
    desk.claim(store, "zalo:2", LAN)  # claimed: never timed out
    later = now() + timedelta(minutes=11)
    assert desk.expire(store, resume, later) == [("zalo:1", "timeout")]
    assert resumed == ["zalo:1"]
    case = handovers.latest_for(store.db, "zalo:1")
    assert (case.id, case.state, case.release_reason) == (old.id, "released", "timeout")
    told = store.db.execute("SELECT payload FROM outbox WHERE sender_id = 'zalo:1'").fetchone()[0]
    assert "19001075" in told and "chưa có tổng đài viên" in told
    # a fresh one waits; the office closes: told when operators are back
    closed = desk_file(tmp_path, 'office_hours:\n  mon: ["08:00-09:00"]\n')
    monkeypatch.setenv("HUE_ASSIST_DESK", str(closed))
    hand_over(store, "zalo:3", "en")
    assert desk.expire(store, resume) == [("zalo:3", "office_closed")]
    told = store.db.execute("SELECT payload FROM outbox WHERE sender_id = 'zalo:3'").fetchone()[0]
    assert "back at 08:00 on" in told and "19001075" in told


def test_a_case_whose_rasa_is_down_waits_for_the_next_tick(store, monkeypatch, tmp_path):
    monkeypatch.setenv("HUE_ASSIST_DESK", str(desk_file(tmp_path, "office_hours: {}\n")))
    hand_over(store)

    def down(sender: str) -> None:
        raise ConnectionError("no rasa")

    assert desk.expire(store, down) == []
    assert handovers.open_for(store.db, "zalo:42").state == "waiting"


def test_asking_again_while_waiting_keeps_one_case_and_after_hours_is_recorded(store):
    first = hand_over(store)
    assert hand_over(store).id == first.id
    late = store.request_handover("zalo:7", "vi", open_now=False)
    assert (late.state, late.release_reason) == ("released", "after_hours")
    assert [h["sender_id"] for h in store.pending_handovers()] == ["zalo:42"]


def test_please_wait_is_said_once_and_danger_goes_first(store):
    case = hand_over(store)
    held = held_replies(case, "alo co ai khong", False, None)
    with store.transaction() as db:
        replies, kinds = held.settle(db)
    assert kinds == ["notice"] and "vui lòng chờ" in replies[0]["text"]
    with store.transaction() as db:
        assert held.settle(db) == ([], [])  # the same "please wait" is not said twice
    case = handovers.open_for(store.db, "zalo:42")
    urgent = held_replies(case, "nha toi bi chay, cuu voi", False, None)
    with store.transaction() as db:
        replies, kinds = urgent.settle(db)
    assert kinds == ["alert"] and replies[0]["text"].startswith("🚨 GỌI NGAY 114")
    hand_over(store, "zalo:43")
    items = desk.queue(store)["items"]
    assert [i["sender_id"] for i in items] == ["zalo:42", "zalo:43"] and items[0]["urgent"]


def test_a_report_for_the_citizen_checks_duplicates_then_files_and_tells_them(store):
    hand_over(store)
    desk.claim(store, "zalo:42", LAN)
    fields = {"category": "streetlight", "location": "12 Lê Lợi, phường Thuận Hóa"}
    filed = desk.file_report(store, "zalo:42", LAN, description="đèn tắt", **fields)["filed"]
    code = filed["service_request_id"]
    report = store.get_report(code)
    assert report["channel"] == "zalo" and report["agency_responsible"]
    assert "lan" in report["history"][0]["actor"]
    told = store.db.execute(
        "SELECT payload FROM outbox WHERE sender_id = 'zalo:42' ORDER BY id DESC"
    ).fetchone()[0]
    assert code in told
    story = desk.view(store, "zalo:42", LAN)["messages"]
    assert [m["kind"] for m in story] == ["report", "notice"] and code in story[0]["text"]
    hand_over(store, "zalo:43")
    desk.claim(store, "zalo:43", LAN)
    again = desk.file_report(store, "zalo:43", LAN, description="đèn hỏng", **fields)
    assert again["duplicate"]["service_request_id"] == code
    assert desk.follow(store, "zalo:43", LAN, code)["followed"]["service_request_id"] == code
    forced = desk.file_report(store, "zalo:43", LAN, description="x", force=True, **fields)
    assert forced["filed"]["service_request_id"] != code
    assert desk.queue(store)["items"][0]["reports"] == 1


# -- the conversation record ------------------------------------------------------------------


def test_every_message_in_and_out_is_recorded_once(store):
    photo = Incoming("zalo", "p1", "9", "image", media="https://zalo.example/p.jpg")
    with store.transaction() as db:
        inbox.accept(db, [Incoming("zalo", "t1", "9", "text", "xin chao"), photo])
        inbox.accept(db, [Incoming("zalo", "t1", "9", "text", "xin chao")])  # a retry
        outbox.enqueue(db, "zalo:9", {"text": "Chào bạn", "buttons": [{"title": "A", "payload": "/a"}]}, kind="reply", at=stamp())  # fmt: skip
    hand_over(store, "zalo:9")
    view = desk.view(store, "zalo:9", BOSS)
    assert [(m["direction"], m["kind"]) for m in view["messages"]] == [
        ("in", "text"),
        ("in", "image"),
        ("out", "reply"),
    ]
    assert view["messages"][1]["media"] == "https://zalo.example/p.jpg"
    assert view["messages"][2]["buttons"] == [{"title": "A", "payload": "/a"}]


# -- accounts and sessions --------------------------------------------------------------------


def test_accounts_refuse_bad_names_short_passwords_and_taken_names(store):
    for name, password in [("L", PASSWORD), ("lan", "short"), ("lan", "lan-lan-lan-lan")]:
        with pytest.raises(rules.AccountError):
            accounts.add(store, name, "operator", password, by="test")
    with pytest.raises(rules.AccountError):
        accounts.add(store, "lan", "boss", PASSWORD, by="test")
    accounts.add(store, "Lan", "operator", PASSWORD, by="test")
    with pytest.raises(rules.AccountError):
        accounts.add(store, "lan", "supervisor", PASSWORD, by="test")
    user = users.get(store.db, "lan")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_sign_in_locks_after_five_failures_and_a_lock_holds_the_right_password(store):
    accounts.add(store, "lan", "operator", PASSWORD, by="test")
    assert accounts.authenticate(store, "lan", "nope").why == "wrong"
    assert accounts.authenticate(store, "nobody", PASSWORD).why == "wrong"
    for _ in range(3):
        accounts.authenticate(store, "lan", "nope")
    assert accounts.authenticate(store, "lan", "nope").why == "locked"
    assert accounts.authenticate(store, "lan", PASSWORD).why == "locked"
    later = now() + rules.LOCK_FOR + timedelta(seconds=1)
    ok = accounts.authenticate(store, "lan", PASSWORD, at=later)
    assert ok.ok and ok.csrf and ok.role == "operator"
    assert users.get(store.db, "lan").failures == 0
    failed = [r[0] for r in store.db.execute("SELECT actor FROM audit_log WHERE action = 'desk_signin_failed'")]  # fmt: skip
    assert failed.count("lan") == 6 and "nobody" in failed


def test_a_session_ends_when_idle_too_old_disabled_signed_out_or_the_password_changes(store):
    accounts.add(store, "lan", "operator", PASSWORD, by="test")
    start = now()
    token = accounts.authenticate(store, "lan", PASSWORD, at=start).session
    assert accounts.session(store, token, start + timedelta(minutes=29)).name == "lan"
    assert accounts.session(store, token, start + timedelta(minutes=58)).name == "lan"  # used
    assert accounts.session(store, token, start + timedelta(minutes=90)) is None  # idle 32 min
    assert accounts.session(store, token, start) is None  # gone for good
    token = accounts.authenticate(store, "lan", PASSWORD).session
    assert accounts.session(store, token, now() + timedelta(hours=13)) is None  # a shift over
    token = accounts.authenticate(store, "lan", PASSWORD).session
    accounts.passwd(store, "lan", "mot-mat-khau-moi", by="boss")
    assert accounts.session(store, token) is None
    token = accounts.authenticate(store, "lan", "mot-mat-khau-moi").session
    accounts.disable(store, "lan", by="boss")
    assert accounts.session(store, token) is None
    assert accounts.authenticate(store, "lan", "mot-mat-khau-moi").why == "disabled"
    assert store.db.execute("SELECT count(*) FROM desk_sessions").fetchone()[0] == 0
    stored = store.db.execute("SELECT token_hash FROM desk_sessions").fetchall()
    assert all(token not in row for row in stored)


# -- statistics and the old table -------------------------------------------------------------


def test_statistics_count_handovers_first_replies_abandoned_and_replies_per_operator(
    store, resume, monkeypatch, tmp_path
):
    monkeypatch.setenv("HUE_ASSIST_DESK", str(desk_file(tmp_path, "office_hours: always\n")))
    for n in (1, 2, 3):
        hand_over(store, f"zalo:{n}")
    desk.claim(store, "zalo:1", LAN)
    desk.reply(store, "zalo:1", LAN, "một")
    desk.reply(store, "zalo:1", LAN, "hai")
    desk.claim(store, "zalo:2", MAI)
    desk.reply(store, "zalo:2", MAI, "ba")
    desk.end(store, "zalo:2", MAI, resume, close=True)
    desk.expire(store, resume, now() + timedelta(minutes=30))
    numbers = stats.compute(store)["handovers"]
    assert numbers == {
        "requested": 3,
        "claimed": 2,
        "median_minutes_to_first_reply": 0.0,
        "abandoned": 1,
        "outcomes": {"claimed": 1, "closed": 1, "timeout": 1},
        "replies_by_operator": {"lan": 2, "mai": 1},
    }


def test_an_old_database_keeps_its_handovers(tmp_path):
    path = tmp_path / "hue-assist.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE handovers;"
        "CREATE TABLE handovers (sender_id TEXT PRIMARY KEY, reporter TEXT NOT NULL,"
        " requested_at TEXT NOT NULL, released_at TEXT, released_by TEXT);"
        "INSERT INTO handovers VALUES ('zalo:1', 'p1', '2026-11-01T08:00:00+07:00', NULL, NULL);"
        "INSERT INTO handovers VALUES ('web:x', 'p2', '2026-11-01T09:00:00+07:00',"
        " '2026-11-01T09:05:00+07:00', 'lan');"
        "DELETE FROM schema_migrations WHERE name = 'handovers-1';"
        f"PRAGMA user_version = {len(schema.all_migrations()) - 1};"
    )
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert [h["sender_id"] for h in store.pending_handovers()] == ["zalo:1"]
        old = handovers.latest_for(store.db, "web:x")
        assert (old.state, old.channel, old.released_by) == ("released", "web", "lan")
        assert "handovers-1" in schema.applied(store.db)


def test_audit_rows_name_the_case_not_the_citizen(store):
    hand_over(store)
    desk.claim(store, "zalo:42", LAN)
    row = store.db.execute("SELECT actor, subject, detail FROM audit_log").fetchone()
    assert row[0] == "lan" and row[1].startswith("handover:") and "42" not in row[2]


# -- the action: in office hours a handover, outside them the truth -------------------------


@pytest.mark.parametrize(
    ("hours", "paused", "said"),
    [("always", True, "thường trong khoảng 5 phút"), ("{}", False, "ngoài giờ làm việc")],
)
def test_asking_for_a_person_in_and_out_of_office_hours(tmp_path, monkeypatch, hours, paused, said):
    monkeypatch.setenv("HUE_ASSIST_HOME", str(tmp_path))
    monkeypatch.setenv("HUE_ASSIST_DESK", str(desk_file(tmp_path, f"office_hours: {hours}\n")))
    tracker = Tracker("zalo:5", {"language": "vi"}, {}, [], False, None, {}, None)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandover().run(dispatcher, tracker, {}))
    assert [e["event"] for e in events] == (["pause"] if paused else [])
    assert said in dispatcher.messages[0]["text"] and "19001075" in dispatcher.messages[0]["text"]
    with Store(tmp_path / "hue-assist.db") as store:
        case = handovers.latest_for(store.db, "zalo:5")
    assert case.state == ("waiting" if paused else "released")
