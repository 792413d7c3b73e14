"""The channels' tables: the inbox, the channel tokens, and the outbox's delivery columns.

Applied by ``bot.storage.schema`` with every other area's migrations (named ``channels-1``, ``-2``).
"""

from __future__ import annotations

import sqlite_utils


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE inbox (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,            -- zalo | telegram | web
            channel_msg_id TEXT NOT NULL,     -- the channel's own id: de-duplication key
            sender_id TEXT NOT NULL,          -- channel:user_id, as Rasa knows the citizen
            kind TEXT NOT NULL,               -- text | image | location | audio | follow
            payload TEXT NOT NULL,            -- JSON: {"text", "media", "lat", "long"}
            state TEXT NOT NULL DEFAULT 'pending',  -- pending | done | failed
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            received_at TEXT NOT NULL,
            done_at TEXT,
            UNIQUE (channel, channel_msg_id)
        )"""
    )
    db.execute("CREATE INDEX inbox_pending ON inbox (state, sender_id, id)")
    db.execute(
        """CREATE TABLE channel_tokens (
            channel TEXT PRIMARY KEY,
            access_token TEXT NOT NULL,
            refresh_token TEXT,
            expires_at TEXT,                  -- ISO 8601; NULL when unknown
            updated_at TEXT NOT NULL
        )"""
    )
    # Delivery in progress: set before the channel is called, cleared after. A row found
    # 'sending' at start-up was interrupted and may or may not have reached the citizen.
    db.execute("ALTER TABLE outbox ADD COLUMN sending_since TEXT")
    db.execute("CREATE INDEX outbox_recipient_state ON outbox (state, sender_id, id)")


def _migration_2(db: sqlite_utils.Database) -> None:
    # Unexpected errors while serving a message (not Rasa being down): after a few, the
    # message is set aside as 'failed' and the citizen told, so it cannot hold up the
    # citizen's later messages for ever.
    db.execute("ALTER TABLE inbox ADD COLUMN failures INTEGER NOT NULL DEFAULT 0")


MIGRATIONS = (("channels-1", _migration_1), ("channels-2", _migration_2))
