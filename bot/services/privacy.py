"""The citizen's rights and the retention periods (Vietnam's 2025 personal data protection law).

- ``purge``: every kind of personal data past its period (``bot.domain.retention``) is
  deleted, or cut off from the report it belongs to; ``hue-assist up`` runs it once a day,
  ``hue-assist privacy purge`` now.
- ``export_subject``: everything held about one citizen (a sender id ``channel:user_id``, or
  ``phone:<number>`` for a caller), as one JSON document for them.
- ``erase_subject``: the same data deleted; a report's public part stays (category, public
  description, coarse place, state, dates), the link to the person goes.

Each run writes an audit row (who, what, how many), never the personal data itself: the
subject is named by its log tag (``bot.base.codes.who``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.base.clock import iso, now
from bot.base.codes import who
from bot.domain.public import COORD_DECIMALS
from bot.domain.redact import redact_text
from bot.domain.retention import Retention
from bot.storage import audit
from bot.storage.store import Store

PHONE_PREFIX = "phone:"


def tracker_db(home: Path) -> Path:
    return home / "rasa-tracker.db"


def _digits(phone: str | None) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return "0" + digits[2:] if digits.startswith("84") and len(digits) >= 11 else digits


def _in(values: Iterable[Any]) -> tuple[str, list[Any]]:
    items = list(values)
    return ", ".join("?" * len(items)) or "NULL", items


# -- purge ----------------------------------------------------------------------------------


def purge(
    store: Store, home: Path, retention: Retention, actor: str, at: datetime | None = None
) -> dict[str, int]:
    """Delete what is past its period; how many of each kind went."""
    at = at or now()
    cut = {kind: iso(retention.cutoff(kind, at)) for kind in retention.days}
    counts: dict[str, int] = {}
    with store.transaction() as db:
        counts["inbox_messages"] = db.execute(
            "DELETE FROM inbox WHERE received_at < ? AND state != 'pending'",
            [cut["inbox_messages"]],
        ).rowcount
        db.execute(  # each channel message of those rows first (they name their row)
            "DELETE FROM outbox_parts WHERE outbox_id IN "
            "(SELECT id FROM outbox WHERE created_at < ?)",
            [cut["outbox_messages"]],
        )
        counts["outbox_messages"] = db.execute(
            "DELETE FROM outbox WHERE created_at < ?", [cut["outbox_messages"]]
        ).rowcount
        counts["handovers"] = db.execute(
            "DELETE FROM handovers WHERE released_at IS NOT NULL AND released_at < ?",
            [cut["handovers"]],
        ).rowcount
        # The desk's record of each conversation, as long as Rasa's own; never while a
        # person still has the conversation.
        counts["conversation_record"] = db.execute(
            "DELETE FROM conversation_messages WHERE at < ? AND sender_id NOT IN "
            "(SELECT sender_id FROM handovers WHERE state IN ('waiting', 'claimed'))",
            [cut["conversations"]],
        ).rowcount
        counts["channel_contacts"] = db.execute(
            "DELETE FROM channel_contacts WHERE last_inbound_at < ?", [cut["conversations"]]
        ).rowcount
        counts["report_contacts"] = _purge_contacts(db, cut["report_contacts"])
        counts["report_link"] = _purge_links(db, cut["report_link"])
        counts["call_contacts"] = _purge_calls(db, cut["call_contacts"])
        counts["audit_log"] = db.execute(
            "DELETE FROM audit_log WHERE at < ?", [cut["audit_log"]]
        ).rowcount
        referenced = {
            Path(row[0]).name
            for row in db.execute("SELECT media_url FROM reports WHERE media_url IS NOT NULL")
        }
    counts["conversations"] = purge_trackers(
        tracker_db(home), retention.cutoff("conversations", at).timestamp()
    )
    counts["recordings"] = _purge_files(
        [home / "inbox" / "calls" / "processed", home / "inbox" / "calls" / "failed"],
        retention.cutoff("recordings", at).timestamp(),
    )
    counts["unused_media"] = _purge_files(
        [home / "media"], retention.cutoff("unused_media", at).timestamp(), keep=referenced
    )
    with store.transaction() as db:
        audit.record(db, actor=actor, action="purge", detail=counts)
    return counts


def _purge_contacts(db: sqlite_utils.Database, cutoff: str) -> int:
    """Phone, chat address and followers of reports closed before ``cutoff``."""
    closed = (
        "SELECT service_request_id FROM reports WHERE status = 'closed' AND closed_datetime < ?"
    )
    gone = db.execute(
        f"DELETE FROM report_contacts WHERE service_request_id IN ({closed})", [cutoff]
    ).rowcount
    gone += db.execute(
        f"DELETE FROM report_subscriptions WHERE service_request_id IN ({closed})", [cutoff]
    ).rowcount
    return gone


def _purge_links(db: sqlite_utils.Database, cutoff: str) -> int:
    """The reporter's pseudonym, rating comment and raw words of reports closed before
    ``cutoff``: only their public part stays."""
    rows = db.execute(
        "SELECT service_request_id FROM reports WHERE status = 'closed' AND closed_datetime < ? "
        "AND (reporter IS NOT NULL OR rated_by IS NOT NULL OR rating_comment IS NOT NULL "
        "OR description IS NOT public_description OR address IS NOT public_address)",
        [cutoff],
    ).fetchall()
    return _unlink_reports(db, [row[0] for row in rows])


def _unlink_reports(db: sqlite_utils.Database, codes: list[str]) -> int:
    """Keep only the public part of these reports: the public description and address,
    coordinates at the published precision (a home's place links to a person), history
    notes redacted."""
    if not codes:
        return 0
    marks, params = _in(codes)
    db.execute(
        "UPDATE reports SET reporter = NULL, rated_by = NULL, rating_comment = NULL, "
        "description = coalesce(public_description, description), "
        "address = coalesce(public_address, address), "
        f"lat = round(lat, {COORD_DECIMALS}), long = round(long, {COORD_DECIMALS}) "
        f"WHERE service_request_id IN ({marks})",
        params,
    )
    notes = db.execute(
        f"SELECT id, note FROM report_history WHERE service_request_id IN ({marks}) "
        "AND note IS NOT NULL",
        params,
    ).fetchall()
    db.conn.executemany(
        "UPDATE report_history SET note = ? WHERE id = ?",
        [(redact_text(note), row_id) for row_id, note in notes if redact_text(note) != note],
    )
    return len(codes)


def _purge_calls(db: sqlite_utils.Database, cutoff: str) -> int:
    """Caller numbers, recordings' paths and raw transcripts of calls before ``cutoff``."""
    old = "SELECT call_id FROM calls WHERE received_at < ?"
    gone = db.execute(f"DELETE FROM call_segments_raw WHERE call_id IN ({old})", [cutoff]).rowcount
    gone += db.execute(
        f"UPDATE call_contacts SET caller_number = NULL, source_path = NULL "
        f"WHERE (caller_number IS NOT NULL OR source_path IS NOT NULL) AND call_id IN ({old})",
        [cutoff],
    ).rowcount
    return gone


def _purge_files(folders: list[Path], before: float, keep: set[str] | None = None) -> int:
    gone = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if (
                path.is_file()
                and path.stat().st_mtime < before
                and path.name not in (keep or set())
            ):
                path.unlink(missing_ok=True)
                gone += 1
    return gone


def purge_trackers(path: Path, before: float) -> int:
    """Rasa's events older than ``before`` (epoch seconds): whole conversations idle since,
    and the earlier sessions of the others. Rasa notices (its kept tracker no longer
    matches the newest stored event) and loads what is left."""
    if not path.exists():
        return 0
    with TrackerConnection(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        idle = conn.execute(
            "DELETE FROM events WHERE sender_id IN (SELECT sender_id FROM events "
            "GROUP BY sender_id HAVING max(timestamp) < ?)",
            [before],
        ).rowcount
        earlier = conn.execute(
            "DELETE FROM events WHERE timestamp < ? AND id < (SELECT coalesce(max(s.id), 0) "
            "FROM events s WHERE s.sender_id = events.sender_id AND s.type_name = 'session_started')",
            [before],
        ).rowcount
        conn.execute("COMMIT")
    return idle + earlier


class TrackerConnection:
    """The tracker database, opened as Rasa's store opens it (WAL, busy timeout)."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("PRAGMA busy_timeout = 30000")
        return self.conn

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None and self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.close()


# -- one citizen ----------------------------------------------------------------------------


def _their_reports(store: Store, subject: str) -> list[str]:
    """Codes of the reports this subject filed (by pseudonym or contact)."""
    if subject.startswith(PHONE_PREFIX):
        wanted = _digits(subject.removeprefix(PHONE_PREFIX))
        rows = store.db.execute("SELECT service_request_id, phone FROM report_contacts").fetchall()
        return [code for code, phone in rows if phone and _digits(phone) == wanted]
    rows = store.db.execute(
        "SELECT service_request_id FROM reports WHERE reporter = ? UNION "
        "SELECT service_request_id FROM report_contacts WHERE sender_id = ?",
        [store.reporter_for(subject), subject],
    ).fetchall()
    return [row[0] for row in rows]


def _their_calls(store: Store, subject: str) -> list[str]:
    if not subject.startswith(PHONE_PREFIX):
        return []
    wanted = _digits(subject.removeprefix(PHONE_PREFIX))
    rows = store.db.execute("SELECT call_id, caller_number FROM call_contacts").fetchall()
    return [call for call, number in rows if number and _digits(number) == wanted]


def _tracker_events(home: Path, subject: str) -> list[dict[str, Any]]:
    path = tracker_db(home)
    if subject.startswith(PHONE_PREFIX) or not path.exists():
        return []
    with TrackerConnection(path) as conn:
        rows = conn.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name IN ('user', 'bot') "
            "ORDER BY id",
            [subject],
        ).fetchall()
    out = []
    for (data,) in rows:
        event = json.loads(data)
        out.append(
            {"event": event.get("event"), "text": event.get("text"), "at": event.get("timestamp")}
        )
    return out


def export_subject(store: Store, home: Path, subject: str, actor: str) -> dict[str, Any]:
    """Everything held about ``subject``, for them (audited)."""
    codes = _their_reports(store, subject)
    marks, params = _in(codes)
    reports = [store.get_report(code) for code in codes]
    contacts = list(
        store.db.query(
            f"SELECT * FROM report_contacts WHERE service_request_id IN ({marks})", params
        )
    )
    document = {
        "subject": subject,
        "generated_at": iso(now()),
        "reports": [r for r in reports if r is not None],
        "contacts": contacts,
        "following": [
            row["service_request_id"]
            for row in store.db.query(
                "SELECT service_request_id FROM report_subscriptions WHERE sender_id = ?", [subject]
            )
        ],
        "messages": [
            {**row, "payload": json.loads(row["payload"])}
            for row in store.db.query(
                "SELECT received_at, kind, payload FROM inbox WHERE sender_id = ? ORDER BY id",
                [subject],
            )
        ],
        "replies": [
            {**row, "payload": json.loads(row["payload"])}
            for row in store.db.query(
                "SELECT created_at, kind, payload, state FROM outbox WHERE sender_id = ? ORDER BY id",
                [subject],
            )
        ],
        "handovers": list(
            store.db.query(
                "SELECT requested_at, state, claimed_by, released_at, release_reason"
                " FROM handovers WHERE sender_id = ? ORDER BY id",
                [subject],
            )
        ),
        "conversation_record": list(
            store.db.query(
                "SELECT at, direction, author, kind, text, operator FROM conversation_messages"
                " WHERE sender_id = ? ORDER BY id",
                [subject],
            )
        ),
        "calls": _calls_of(store, _their_calls(store, subject)),
        "conversation": _tracker_events(home, subject),
    }
    with store.transaction() as db:
        audit.record(
            db, actor=actor, action="privacy_export", subject=who(subject),
            detail={"reports": len(document["reports"]), "messages": len(document["messages"])},
        )  # fmt: skip
    return document


def _calls_of(store: Store, calls: list[str]) -> list[dict[str, Any]]:
    out = []
    for call_id in calls:
        call = store.db.execute(
            "SELECT received_at, duration, summary FROM calls WHERE call_id = ?", [call_id]
        ).fetchone()
        words = [
            row[0]
            for row in store.db.execute(
                "SELECT text FROM call_segments_raw WHERE call_id = ? ORDER BY idx", [call_id]
            )
        ]
        if call:
            out.append(
                {"call_id": call_id, "received_at": call[0], "duration": call[1], "words": words}
            )
    return out


def erase_subject(store: Store, home: Path, subject: str, actor: str) -> dict[str, int]:
    """Delete everything held about ``subject``; their reports keep only their public part."""
    codes = _their_reports(store, subject)
    calls = _their_calls(store, subject)
    pseudonym = None if subject.startswith(PHONE_PREFIX) else store.reporter_for(subject)
    counts: dict[str, int] = {}
    with store.transaction() as db:
        counts["reports_unlinked"] = _unlink_reports(db, codes)
        if pseudonym:
            db.execute(
                "UPDATE reports SET rated_by = NULL, rating_comment = NULL WHERE rated_by = ?",
                [pseudonym],
            )
        marks, params = _in(codes)
        counts["contacts"] = db.execute(
            f"DELETE FROM report_contacts WHERE service_request_id IN ({marks})"
            + (" OR sender_id = ?" if pseudonym else ""),
            params + ([subject] if pseudonym else []),
        ).rowcount
        counts["following"] = db.execute(
            "DELETE FROM report_subscriptions WHERE sender_id = ?", [subject]
        ).rowcount
        counts["messages"] = db.execute("DELETE FROM inbox WHERE sender_id = ?", [subject]).rowcount
        db.execute(
            "DELETE FROM outbox_parts WHERE outbox_id IN (SELECT id FROM outbox WHERE sender_id = ?)",
            [subject],
        )
        counts["replies"] = db.execute("DELETE FROM outbox WHERE sender_id = ?", [subject]).rowcount
        counts["handovers"] = db.execute(
            "DELETE FROM handovers WHERE sender_id = ?", [subject]
        ).rowcount
        counts["conversation_record"] = db.execute(
            "DELETE FROM conversation_messages WHERE sender_id = ?", [subject]
        ).rowcount
        db.execute("DELETE FROM channel_contacts WHERE sender_id = ?", [subject])
        call_marks, call_params = _in(calls)
        counts["calls"] = db.execute(
            f"DELETE FROM call_segments_raw WHERE call_id IN ({call_marks})", call_params
        ).rowcount
        db.execute(
            f"UPDATE call_contacts SET caller_number = NULL, source_path = NULL WHERE call_id IN ({call_marks})",
            call_params,
        )
        audit.record(db, actor=actor, action="privacy_erase", subject=who(subject), detail=counts)
    counts["conversation"] = _erase_tracker(home, subject)
    return counts


def _erase_tracker(home: Path, subject: str) -> int:
    path = tracker_db(home)
    if subject.startswith(PHONE_PREFIX) or not path.exists():
        return 0
    with TrackerConnection(path) as conn:
        return conn.execute("DELETE FROM events WHERE sender_id = ?", [subject]).rowcount
