"""The SQLite store: reports, their history, and conversations handed to a human.

One database file (WAL, busy timeout) shared by the action server, the gateway and the CLI.
Every write runs in one ``BEGIN IMMEDIATE`` transaction, so a report and its history row are
written together or not at all, and concurrent writers queue instead of failing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from bot import categories

HUE_TZ = timezone(timedelta(hours=7), "ICT")  # Vietnam has no daylight saving time
MAX_DESCRIPTION = 4000
OPEN_STATES = ("received", "assigned", "in_progress")


class StoreError(ValueError):
    """A request the store refuses, with a message fit to show a person."""


def now() -> datetime:
    return datetime.now(HUE_TZ)


def iso(moment: datetime) -> str:
    """ISO 8601 with the +07:00 offset, to the second."""
    return moment.astimezone(HUE_TZ).isoformat(timespec="seconds")


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE reports (
            service_request_id TEXT PRIMARY KEY,
            year INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            service_code TEXT NOT NULL,
            service_name TEXT NOT NULL,
            description TEXT NOT NULL,
            address TEXT,
            ward TEXT,
            lat REAL,
            long REAL,
            media_url TEXT,
            status TEXT NOT NULL DEFAULT 'open',
            state TEXT NOT NULL DEFAULT 'received',
            status_notes TEXT,
            agency_responsible TEXT,
            channel TEXT NOT NULL,
            reporter TEXT,
            duplicate_of TEXT,
            rating INTEGER,
            rating_comment TEXT,
            requested_datetime TEXT NOT NULL,
            updated_datetime TEXT NOT NULL,
            expected_datetime TEXT,
            UNIQUE (year, seq)
        )"""
    )
    db.execute("CREATE INDEX reports_reporter ON reports (reporter, requested_datetime)")
    db.execute("CREATE TABLE report_sequence (year INTEGER PRIMARY KEY, last INTEGER NOT NULL)")
    db.execute(
        """CREATE TABLE report_contacts (
            service_request_id TEXT PRIMARY KEY REFERENCES reports(service_request_id),
            phone TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE report_history (
            id INTEGER PRIMARY KEY,
            service_request_id TEXT NOT NULL REFERENCES reports(service_request_id),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            old_state TEXT,
            new_state TEXT,
            note TEXT
        )"""
    )
    db.execute("CREATE INDEX report_history_id ON report_history (service_request_id, id)")
    db.execute(
        """CREATE TABLE handovers (
            sender_id TEXT PRIMARY KEY,
            reporter TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            released_at TEXT,
            released_by TEXT
        )"""
    )


# Named, ordered migrations for the report tables; ``bot.schema`` joins every area's list.
MIGRATIONS: tuple[tuple[str, Callable[[sqlite_utils.Database], None]], ...] = (
    ("reports-1", _migration_1),
)


def pseudonym(secret: bytes, sender_id: str) -> str:
    """A keyed hash of ``channel:user_id``: recognises a citizen without storing who they are."""
    return hmac.new(secret, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


class Store:
    """Reports and handovers over one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = ON")
        self.db = sqlite_utils.Database(conn)
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        self._migrate()

    def close(self) -> None:
        self.db.conn.close()

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One immediate (write-locking) transaction; rolled back on any error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        from bot import schema

        schema.migrate(self.db, self.transaction)

    def _secret(self) -> bytes:
        """The key for reporter pseudonyms, created once beside the database."""
        key_file = self.path.parent / "reporter.key"
        if not key_file.exists():
            key_file.write_bytes(secrets.token_bytes(32))
            key_file.chmod(0o600)
        return key_file.read_bytes()

    def reporter_for(self, sender_id: str) -> str:
        return pseudonym(self._secret(), sender_id)

    # -- reports --------------------------------------------------------------------------

    def file_report(
        self,
        *,
        service_code: str,
        description: str,
        channel: str,
        sender_id: str | None = None,
        address: str | None = None,
        ward: str | None = None,
        lat: float | None = None,
        long: float | None = None,
        media_url: str | None = None,
        phone: str | None = None,
        actor: str = "citizen",
    ) -> dict[str, Any]:
        """File a new report with a fresh ``PA-YYYY-NNNNNN`` code and its first history row."""
        if service_code not in categories.BY_CODE:
            raise StoreError(f"unknown category {service_code!r}")
        description = (description or "").strip()
        if not description:
            raise StoreError("a report needs a description")
        if len(description) > MAX_DESCRIPTION:
            raise StoreError(f"description over {MAX_DESCRIPTION} characters")
        if not (address or (lat is not None and long is not None)):
            raise StoreError("a report needs an address or coordinates")
        moment = now()
        reporter = self.reporter_for(sender_id) if sender_id else None
        with self.transaction() as db:
            seq = db.execute(
                "INSERT INTO report_sequence (year, last) VALUES (?, 1) "
                "ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                [moment.year],
            ).fetchone()[0]
            code = f"PA-{moment.year}-{seq:06d}"
            row = {
                "service_request_id": code,
                "year": moment.year,
                "seq": seq,
                "service_code": service_code,
                "service_name": categories.name(service_code),
                "description": description,
                "address": address,
                "ward": ward,
                "lat": lat,
                "long": long,
                "media_url": media_url,
                "status": "open",
                "state": "received",
                "channel": channel,
                "reporter": reporter,
                "requested_datetime": iso(moment),
                "updated_datetime": iso(moment),
            }
            db["reports"].insert(row)
            if phone:
                db["report_contacts"].insert({"service_request_id": code, "phone": phone})
            db["report_history"].insert(
                {
                    "service_request_id": code,
                    "at": iso(moment),
                    "actor": actor,
                    "old_state": None,
                    "new_state": "received",
                    "note": f"filed via {channel}",
                }
            )
        return self.get_report(code) or row

    def get_report(self, code: str) -> dict[str, Any] | None:
        """A report with its history, or None for an unknown code."""
        code = code.strip().upper()
        rows = list(self.db.query("SELECT * FROM reports WHERE service_request_id = ?", [code]))
        if not rows:
            return None
        report = rows[0]
        report["history"] = list(
            self.db.query(
                "SELECT at, actor, old_state, new_state, note FROM report_history "
                "WHERE service_request_id = ? ORDER BY id",
                [code],
            )
        )
        return report

    def latest_report_of(self, sender_id: str) -> dict[str, Any] | None:
        """The citizen's most recent report (by pseudonym), or None."""
        rows = list(
            self.db.query(
                "SELECT service_request_id FROM reports WHERE reporter = ? "
                "ORDER BY requested_datetime DESC, seq DESC LIMIT 1",
                [self.reporter_for(sender_id)],
            )
        )
        return self.get_report(rows[0]["service_request_id"]) if rows else None

    def rate_report(
        self, code: str, rating: int, comment: str | None, actor: str = "citizen"
    ) -> None:
        """Store a 1–5 satisfaction rating and comment, with a history row."""
        if not 1 <= rating <= 5:
            raise StoreError("rating must be between 1 and 5")
        report = self.get_report(code)
        if report is None:
            raise StoreError(f"unknown report {code}")
        moment = iso(now())
        with self.transaction() as db:
            db["reports"].update(
                report["service_request_id"],
                {"rating": rating, "rating_comment": comment, "updated_datetime": moment},
            )
            db["report_history"].insert(
                {
                    "service_request_id": report["service_request_id"],
                    "at": moment,
                    "actor": actor,
                    "old_state": report["state"],
                    "new_state": report["state"],
                    "note": f"rated {rating}/5",
                }
            )

    # -- handover to a human --------------------------------------------------------------

    def request_handover(self, sender_id: str) -> None:
        """Mark a conversation as waiting for a human operator."""
        with self.transaction() as db:
            db["handovers"].upsert(
                {
                    "sender_id": sender_id,
                    "reporter": self.reporter_for(sender_id),
                    "requested_at": iso(now()),
                    "released_at": None,
                    "released_by": None,
                },
                pk="sender_id",
            )

    def release_handover(self, sender_id: str, by: str) -> bool:
        """Give a conversation back to the assistant; False if it was not handed over."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE handovers SET released_at = ?, released_by = ? "
                "WHERE sender_id = ? AND released_at IS NULL",
                [iso(now()), by, sender_id],
            )
            return cursor.rowcount > 0

    def pending_handovers(self) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT sender_id, requested_at FROM handovers WHERE released_at IS NULL "
                "ORDER BY requested_at"
            )
        )
