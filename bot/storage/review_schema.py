"""Review columns on the voice tables (migration ``review-1``): who decided, when, and why."""

from __future__ import annotations

import sqlite_utils


def _migration_1(db: sqlite_utils.Database) -> None:
    for table in ("draft_reports", "calls"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN reviewed_by TEXT")
        db.execute(f"ALTER TABLE {table} ADD COLUMN reviewed_at TEXT")
    db.execute("ALTER TABLE draft_reports ADD COLUMN review_note TEXT")
    db.execute("ALTER TABLE calls ADD COLUMN review_note TEXT")


MIGRATIONS = (("review-1", _migration_1),)
