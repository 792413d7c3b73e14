"""The audit trail: who looked at personal data or exported it, and when.

Views of raw transcripts (``--show-pii``), exports with personal data and similar acts each
add a row, in the same transaction as whatever they read where that matters.
"""

from __future__ import annotations

import getpass
import json
import os
from typing import Any

import sqlite_utils

from bot.base.clock import iso, now


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,      -- e.g. show_pii, export_pii, transcript_edit
            subject TEXT,              -- e.g. a call id or report code
            detail TEXT                -- JSON, never the personal data itself
        )"""
    )
    db.execute("CREATE INDEX audit_log_at ON audit_log (at)")


MIGRATIONS = (("audit-1", _migration_1),)


def default_actor() -> str:
    """The person acting: ``HUE_ASSIST_ACTOR``, else the OS user."""
    try:
        return os.environ.get("HUE_ASSIST_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record(
    db: sqlite_utils.Database,
    *,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one audit row (the caller chooses the transaction)."""

    db.execute(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        [iso(now()), actor, action, subject, json.dumps(detail or {}, ensure_ascii=False)],
    )
