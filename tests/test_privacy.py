"""Retention and a citizen's rights (issue 15): ``hue-assist privacy purge|export|erase|redact``
against a real data folder (SQLite file, Rasa's tracker file, recordings, photos)."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.base.clock import iso, now
from bot.cli import app
from bot.domain import retention
from bot.domain.messages import Incoming
from bot.storage import inbox, outbox
from bot.storage.store import Store
from tests.review_support import seed_call

runner = CliRunner()
CITIZEN = "zalo:4242"
OLD = now() - timedelta(days=1000)


def run(home: Path, *args: str, stdin: str | None = None):
    env = {"HUE_ASSIST_HOME": str(home), "HUE_ASSIST_ACTOR": "dpo"}
    return runner.invoke(app, ["privacy", *args], env=env, input=stdin)


def tracker(home: Path, rows: list[tuple[str, str, float, dict]]) -> None:
    """Rasa's events table, as nlu_components/tracker_store.py writes it."""
    with sqlite3.connect(home / "rasa-tracker.db") as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id TEXT, "
            "type_name TEXT, timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        conn.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
            [(s, t, at, json.dumps({"event": t, **d, "timestamp": at})) for s, t, at, d in rows],
        )


def events_of(home: Path, sender: str) -> int:
    with sqlite3.connect(home / "rasa-tracker.db") as conn:
        return conn.execute("SELECT count(*) FROM events WHERE sender_id = ?", [sender]).fetchone()[
            0
        ]


def message(sender: str, text: str, msg_id: str) -> Incoming:
    channel, user = sender.split(":", 1)
    return Incoming(channel=channel, message_id=msg_id, user_id=user, kind="text", text=text)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An old, closed report of CITIZEN's and a fresh open one; old and new messages, calls,
    conversations, recordings and photos."""
    with Store(tmp_path / "hue-assist.db") as store:
        common = dict(channel="zalo", sender_id=CITIZEN, ward="Vỹ Dạ", phone="0905 123 456")
        old = store.file_report(
            service_code="garbage",
            description="Rác đầy, gọi tôi 0905 123 456",
            address="12 Lê Lợi",
            **common,
        )["service_request_id"]
        store.set_state(old, "resolved", actor="lan", internal_note="gọi chị Hoa 0914 222 333")
        store.rate_report(old, 4, "nhanh, cảm ơn anh Tuấn", sender_id=CITIZEN)
        fresh = store.file_report(
            service_code="tree", description="Cây đổ", address="3 Kim Long", **common
        )["service_request_id"]
        store.subscribe(fresh, "zalo:777")
        with store.transaction() as db:
            inbox.accept(db, [message(CITIZEN, "số tôi 0905123456", "m-old")])
            inbox.accept(db, [message(CITIZEN, "cây đổ", "m-new")])
            db.execute("UPDATE inbox SET state = 'done'")
            outbox.enqueue(
                db, CITIZEN, {"text": "SĐT 0905123456 đúng không?"}, kind="reply", at=iso(OLD)
            )
            outbox.enqueue(db, CITIZEN, {"text": "Đã gửi"}, kind="reply", at=iso(now()))
            db.execute(
                "UPDATE inbox SET received_at = ? WHERE channel_msg_id = 'm-old'", [iso(OLD)]
            )
            db.execute(
                "UPDATE reports SET closed_datetime = ? WHERE service_request_id = ?",
                [iso(OLD), old],
            )
            # The desk's record of the old messages, and the old reply's Zalo part (it
            # names its outbox row: it must go first).
            db.execute(
                "UPDATE conversation_messages SET at = ? WHERE text LIKE '%0905123456%'",
                [iso(OLD)],
            )
            db.execute(
                "INSERT INTO outbox_parts (outbox_id, part, body, sent_at)"
                " SELECT id, 0, '{}', created_at FROM outbox WHERE created_at = ?",
                [iso(OLD)],
            )
            db.execute(
                "INSERT INTO audit_log (at, actor, action) VALUES (?, 'lan', 'show_pii')",
                [iso(now() - timedelta(days=4000))],
            )
        seed_call(store, "C-old", confidence=0.7, received_at=OLD)
        seed_call(store, "C-new", confidence=0.7, caller_number="0977111222")
    tracker(
        tmp_path,
        [
            (CITIZEN, "user", OLD.timestamp(), {"text": "số tôi 0905123456"}),
            ("zalo:idle", "user", OLD.timestamp(), {"text": "xin chào"}),
            (CITIZEN, "session_started", time.time(), {}),
            (CITIZEN, "user", time.time(), {"text": "cây đổ"}),
        ],
    )
    for folder, name in (("inbox/calls/processed", "old.wav"), ("media", "a" * 64 + ".jpg")):
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        os.utime(path, (OLD.timestamp(), OLD.timestamp()))
    return tmp_path


def test_purge_removes_what_is_past_its_period_and_keeps_the_public_part(home):
    result = run(home, "purge", "--json")
    assert result.exit_code == 0, result.output
    purged = json.loads(result.output)["purged"]
    assert purged["inbox_messages"] == 1 and purged["outbox_messages"] == 1
    assert purged["conversations"] == 2  # the idle conversation and an earlier session
    assert purged["recordings"] == 1 and purged["unused_media"] == 1
    assert purged["conversation_record"] == 2  # the old message and the old reply
    with Store(home / "hue-assist.db") as store:
        texts = [r["payload"] for r in store.db.query("SELECT payload FROM inbox")]
        assert texts == ['{"text": "cây đổ"}']
        [old, fresh] = sorted(
            store.db.query("SELECT * FROM reports ORDER BY service_request_id"),
            key=lambda r: r["service_code"] != "garbage",
        )
        assert old["reporter"] is None and old["rating_comment"] is None
        assert old["description"] == "Rác đầy, gọi tôi [SĐT]" and old["rating"] == 4
        assert store.phone_of(old["service_request_id"]) is None
        assert store.phone_of(fresh["service_request_id"]) == "0905 123 456"  # still open
        notes = " ".join(
            r["note"] or "" for r in store.get_report(old["service_request_id"])["history"]
        )
        assert "0914" not in notes
        assert (
            store.db.execute(
                "SELECT caller_number FROM call_contacts WHERE call_id = 'C-old'"
            ).fetchone()[0]
            is None
        )
        assert store.db.execute(
            "SELECT caller_number FROM call_contacts WHERE call_id = 'C-new'"
        ).fetchone()[0]
        assert not list(store.db.query("SELECT 1 FROM call_segments_raw WHERE call_id = 'C-old'"))
        record = " ".join(
            r[0] or "" for r in store.db.execute("SELECT text FROM conversation_messages")
        )
        assert "cây đổ" in record and "0905123456" not in record
        assert not list(store.db.query("SELECT 1 FROM outbox_parts"))
        actions = [r["action"] for r in store.db.query("SELECT action FROM audit_log")]
        assert actions == ["purge"]  # the 11-year-old row went; the purge is recorded
    assert events_of(home, CITIZEN) == 2 and events_of(home, "zalo:idle") == 0


def test_export_gives_a_citizen_everything_held_about_them_and_is_audited(home):
    result = run(home, "export", CITIZEN)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert len(document["reports"]) == 2
    assert {c["phone"] for c in document["contacts"]} == {"0905 123 456"}
    assert len(document["messages"]) == 2 and len(document["replies"]) == 3  # + "resolved"
    assert any(e["text"] == "cây đổ" for e in document["conversation"])
    assert {m["text"] for m in document["conversation_record"]} >= {"cây đổ", "Đã gửi"}
    caller = json.loads(run(home, "export", "phone:+84977111222").output)
    assert [c["call_id"] for c in caller["calls"]] == ["C-new"]
    with Store(home / "hue-assist.db") as store:
        rows = list(store.db.query("SELECT actor, action, subject, detail FROM audit_log"))
    assert [r["action"] for r in rows[-2:]] == ["privacy_export", "privacy_export"]
    assert all(CITIZEN not in json.dumps(r) and "0977" not in json.dumps(r) for r in rows)


def test_erase_keeps_the_public_part_of_reports_and_removes_the_link_to_the_person(home):
    result = run(home, "erase", CITIZEN, "--json")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["reports_unlinked"] == 2 and counts["messages"] == 2
    with Store(home / "hue-assist.db") as store:
        reports = list(store.db.query("SELECT * FROM reports"))
        assert len(reports) == 2  # the public part stays, and counts in the statistics
        assert all(r["reporter"] is None and r["rated_by"] is None for r in reports)
        assert all("0905" not in r["description"] for r in reports)
        assert store.latest_report_of(CITIZEN) is None
        for table in ("report_contacts", "inbox", "outbox", "conversation_messages"):
            assert not list(store.db.query(f"SELECT 1 FROM {table} WHERE sender_id = ?", [CITIZEN]))
        followers = list(store.db.query("SELECT sender_id FROM report_subscriptions"))
        assert followers == [{"sender_id": "zalo:777"}]  # another citizen's link stays
        [audit] = list(store.db.query("SELECT * FROM audit_log WHERE action = 'privacy_erase'"))
        assert audit["actor"] == "dpo" and CITIZEN not in json.dumps(audit)
    assert events_of(home, CITIZEN) == 0


def test_redact_reads_lines_and_gives_spans_for_supervisors(tmp_path):
    result = run(tmp_path, "redact", stdin="gọi tôi 0905 123 456\nkhông có gì\n")
    assert result.output.splitlines() == ["gọi tôi [SĐT]", "không có gì"]
    as_json = run(tmp_path, "redact", "--json", stdin="mail x a cong gmail cham com\n")
    [line] = [json.loads(x) for x in as_json.output.splitlines()]
    assert line["text"] == "mail [EMAIL]"
    assert line["spans"][0]["kind"] == "email"


def test_the_retention_table_names_every_kind_and_refuses_typos(tmp_path):
    table = retention.load()
    assert table.sample and set(table.days) == set(retention.KINDS)
    broken = tmp_path / "retention.yml"
    broken.write_text("inbox_mesages: 30\n")
    with pytest.raises(retention.RetentionError, match="inbox_mesages"):
        retention.load(broken)
