"""The voice tables (migration ``calls-1``), joined to the others by ``bot.storage.schema``.

Personal data lives apart from what is displayed: ``call_contacts`` (the caller's number and
the original file path, whose PBX name often carries the number) and ``call_segments_raw``
(unredacted text) are read only for ``--show-pii``, and each such read is audited.
"""

from __future__ import annotations

import sqlite_utils


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE calls (
            call_id TEXT PRIMARY KEY,
            audio_sha256 TEXT NOT NULL UNIQUE,   -- a recording seen before is not redone
            file_name TEXT,                      -- redacted
            received_at TEXT NOT NULL,
            processed_at TEXT NOT NULL,
            duration REAL,
            operator TEXT,
            status TEXT NOT NULL,                -- pending (awaits review) | failed | reviewed
            error TEXT,
            intent TEXT,
            intent_confidence REAL,
            entities TEXT,                       -- JSON list, values from redacted text
            confidence REAL,                     -- transcript confidence, 0..1
            summary TEXT,
            kb_answer_id TEXT,
            kb_answer_text TEXT,
            draft_report_id TEXT,
            language TEXT,
            model TEXT,
            channels INTEGER,
            hallucinations_dropped INTEGER NOT NULL DEFAULT 0,
            warnings TEXT                        -- JSON list
        )"""
    )
    # review queue: WHERE status = 'pending' ORDER BY confidence, received_at
    db.execute("CREATE INDEX calls_queue ON calls (status, confidence, received_at)")
    db.execute("CREATE INDEX calls_received ON calls (received_at)")
    db.execute(
        """CREATE TABLE call_contacts (
            call_id TEXT PRIMARY KEY REFERENCES calls(call_id),
            caller_number TEXT,
            source_path TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE call_segments (
            call_id TEXT NOT NULL REFERENCES calls(call_id),
            idx INTEGER NOT NULL,                -- dialogue order (by start time)
            channel TEXT NOT NULL,
            role TEXT NOT NULL,
            start REAL NOT NULL,
            "end" REAL NOT NULL,
            text_redacted TEXT NOT NULL,
            confidence REAL,
            flags TEXT,                          -- JSON list
            PRIMARY KEY (call_id, idx)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE call_segments_raw (
            call_id TEXT NOT NULL REFERENCES calls(call_id),
            idx INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (call_id, idx)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE transcript_revisions (
            id INTEGER PRIMARY KEY,
            call_id TEXT NOT NULL REFERENCES calls(call_id),
            idx INTEGER NOT NULL,
            text TEXT NOT NULL,                  -- the corrected, redacted text
            who TEXT NOT NULL,
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX transcript_revisions_seg ON transcript_revisions (call_id, idx, id)")
    db.execute(
        """CREATE TABLE draft_reports (
            id INTEGER PRIMARY KEY,
            draft_id TEXT UNIQUE,                -- D-<id>
            call_id TEXT NOT NULL REFERENCES calls(call_id),
            state TEXT NOT NULL DEFAULT 'draft', -- draft | filed | rejected
            channel TEXT NOT NULL DEFAULT 'hotline',
            category TEXT NOT NULL,
            location TEXT,
            ward TEXT,
            description TEXT NOT NULL,           -- the caller's words, redacted
            missing TEXT,                        -- JSON list of fields to complete on review
            report_id TEXT,                      -- the PA-… code once filed
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX draft_reports_state ON draft_reports (state, created_at)")
    db.execute("CREATE INDEX draft_reports_call ON draft_reports (call_id)")


def _migration_2(db: sqlite_utils.Database) -> None:
    """Urgent calls: the caller described a person in danger (kind from ``bot.domain.emergency``)."""
    db.execute("ALTER TABLE calls ADD COLUMN emergency TEXT")
    db.execute("ALTER TABLE draft_reports ADD COLUMN emergency TEXT")
    db.execute(
        "CREATE INDEX calls_urgent ON calls (received_at) "
        "WHERE emergency IS NOT NULL AND status = 'pending'"
    )


MIGRATIONS = (("calls-1", _migration_1), ("calls-2", _migration_2))
