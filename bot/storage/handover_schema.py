"""The handover table (migration ``handovers-1``), applied by ``schema``.

``reports-1`` kept one row per citizen; a desk needs one per handover, with its lifecycle
(``bot/storage/handovers.py``), so the table is rebuilt and its rows carried over.
"""

from __future__ import annotations

import sqlite_utils

from bot.base.codes import channel_of


def _migration_1(db: sqlite_utils.Database) -> None:
    """From one row per citizen (``reports-1``) to one per handover, with its lifecycle."""
    old = db.execute(
        "SELECT sender_id, reporter, requested_at, released_at, released_by FROM handovers"
    ).fetchall()
    db.execute("DROP TABLE handovers")
    db.execute(
        """CREATE TABLE handovers (
            id INTEGER PRIMARY KEY,
            sender_id TEXT NOT NULL,          -- channel:user_id
            channel TEXT NOT NULL,
            reporter TEXT NOT NULL,           -- the citizen's pseudonym (their reports)
            language TEXT,                    -- vi | en: what the citizen is told in
            state TEXT NOT NULL,              -- waiting | claimed | released | closed
            requested_at TEXT NOT NULL,
            acknowledged_at TEXT,             -- the one "passed on, please wait" was sent
            urgent_at TEXT,                   -- the citizen wrote about danger while waiting
            claimed_by TEXT,                  -- the operator holding it (kept after the end)
            claimed_at TEXT,
            first_reply_at TEXT,
            first_reply_by TEXT,
            released_at TEXT,                 -- when it ended (released or closed)
            released_by TEXT,
            release_reason TEXT,              -- operator | timeout | after_hours | office_closed
            context_from TEXT NOT NULL,       -- messages from here are the desk's context
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "CREATE UNIQUE INDEX handovers_one_open ON handovers (sender_id)"
        " WHERE state IN ('waiting', 'claimed')"
    )
    db.execute("CREATE INDEX handovers_state ON handovers (state, requested_at)")
    db.execute("CREATE INDEX handovers_sender ON handovers (sender_id, id)")
    db.execute("CREATE INDEX handovers_requested ON handovers (requested_at)")
    for sender_id, reporter, requested_at, released_at, released_by in old:
        state = "waiting" if released_at is None else "released"
        db.execute(
            "INSERT INTO handovers (sender_id, channel, reporter, state, requested_at,"
            " released_at, released_by, release_reason, context_from, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sender_id,
                channel_of(sender_id),
                reporter,
                state,
                requested_at,
                released_at,
                released_by,
                None if released_at is None else "operator",
                requested_at,
                released_at or requested_at,
            ],
        )


MIGRATIONS = (("handovers-1", _migration_1),)
