"""The report tables (migrations ``reports-1`` … ``reports-5``), applied by ``schema``."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from bot.domain.public import coarse_address
from bot.domain.redact import redact_text


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


def _migration_2(db: sqlite_utils.Database) -> None:
    """Routing, duplicates, subscriptions, and the indexes Huế's volume needs."""
    db.execute("ALTER TABLE reports ADD COLUMN address_key TEXT")
    db.execute("ALTER TABLE report_contacts ADD COLUMN sender_id TEXT")
    db.execute("ALTER TABLE report_contacts ADD COLUMN language TEXT")
    db.execute(
        """CREATE TABLE report_subscriptions (
            service_request_id TEXT NOT NULL REFERENCES reports(service_request_id),
            sender_id TEXT NOT NULL,
            language TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (service_request_id, sender_id)
        )"""
    )
    db.execute("CREATE INDEX reports_requested ON reports (requested_datetime)")
    db.execute("CREATE INDEX reports_category ON reports (service_code, requested_datetime)")
    db.execute("CREATE INDEX reports_ward ON reports (ward, requested_datetime)")
    db.execute("CREATE INDEX reports_state ON reports (state, requested_datetime)")
    db.execute("CREATE INDEX reports_channel ON reports (channel, requested_datetime)")
    db.execute("CREATE INDEX reports_overdue ON reports (expected_datetime) WHERE status = 'open'")


def _migration_3(db: sqlite_utils.Database) -> None:
    """When a report was closed and how long it took, for the statistics."""
    db.execute("ALTER TABLE reports ADD COLUMN closed_datetime TEXT")
    db.execute("ALTER TABLE reports ADD COLUMN hours_to_close REAL")
    db.execute(
        "UPDATE reports SET closed_datetime = updated_datetime, hours_to_close = "
        "(julianday(updated_datetime) - julianday(requested_datetime)) * 24 "
        "WHERE status = 'closed'"
    )
    db.execute(
        "CREATE INDEX reports_rating ON reports (requested_datetime, rating) "
        "WHERE rating IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX reports_resolved ON reports (requested_datetime, hours_to_close) "
        "WHERE state = 'resolved'"
    )
    # walked in order of duration to find the median without sorting
    db.execute(
        "CREATE INDEX reports_hours ON reports (hours_to_close, requested_datetime) "
        "WHERE state = 'resolved'"
    )


def _migration_4(db: sqlite_utils.Database) -> None:
    """Urgent reports: filed from an emergency (its kind), listed before everything else."""
    db.execute("ALTER TABLE reports ADD COLUMN emergency TEXT")
    db.execute(
        "CREATE INDEX reports_urgent ON reports (requested_datetime) "
        "WHERE emergency IS NOT NULL AND status = 'open'"
    )


def _migration_5(db: sqlite_utils.Database) -> None:
    """The public face (issue 15): the description and the address as the public may read
    them (written once, at filing: redacted, without the house number), and who gave a
    report its rating (a pseudonym), so that only the reporter or a follower rates, and only
    they change their own rating."""
    db.execute("ALTER TABLE reports ADD COLUMN public_description TEXT")
    db.execute("ALTER TABLE reports ADD COLUMN public_address TEXT")
    db.execute("ALTER TABLE reports ADD COLUMN rated_by TEXT")
    rows = db.execute("SELECT service_request_id, description, address FROM reports").fetchall()
    db.conn.executemany(
        "UPDATE reports SET public_description = ?, public_address = ? "
        "WHERE service_request_id = ?",
        [
            (redact_text(description), coarse_address(address), code)
            for code, description, address in rows
        ],
    )


# Named, ordered migrations for the report tables; ``bot.storage.schema`` joins every area's list.
MIGRATIONS: tuple[tuple[str, Callable[[sqlite_utils.Database], None]], ...] = (
    ("reports-1", _migration_1),
    ("reports-2", _migration_2),
    ("reports-3", _migration_3),
    ("reports-4", _migration_4),
    ("reports-5", _migration_5),
)
