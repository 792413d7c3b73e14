"""The channels' tables: the inbox, the channel tokens, and the outbox's delivery columns.

Applied by ``bot.storage.schema`` with every other area's migrations (named ``channels-1``
… ``-3``).
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


def _migration_3(db: sqlite_utils.Database) -> None:
    """Zalo as Zalo behaves: deliveries per part, why a row was not delivered, how it was
    sent (what it cost), when each citizen last wrote, and a token pair known dead."""
    # Each channel message of a row is a part with its own state: a retry resumes at the
    # first part not sent (outbox_parts.py). ``parts``: how many, once planned.
    db.execute("ALTER TABLE outbox ADD COLUMN parts INTEGER")
    db.execute(
        """CREATE TABLE outbox_parts (
            outbox_id INTEGER NOT NULL REFERENCES outbox(id),
            part INTEGER NOT NULL,            -- 0, 1, … in sending order
            body TEXT NOT NULL,               -- JSON: the channel's own message
            sent_at TEXT,                     -- NULL until the channel accepted it
            channel_message_id TEXT,          -- the channel's id for it (Zalo message_id)
            PRIMARY KEY (outbox_id, part)
        )"""
    )
    # A short code a person (the desk, `reports show`) can act on: window, blocked, banned,
    # restricted, not_follower, rejected, quota, … (docs/channels.md, the error table).
    db.execute("ALTER TABLE outbox ADD COLUMN reason TEXT")
    # How a sent row went: free | billable | unknown | template (Zalo's costs, `stats`).
    db.execute("ALTER TABLE outbox ADD COLUMN sent_as TEXT")
    db.execute(
        "CREATE INDEX outbox_report ON outbox (service_request_id)"
        " WHERE service_request_id IS NOT NULL"
    )
    db.execute("CREATE INDEX outbox_sent ON outbox (channel, sent_at) WHERE state = 'sent'")
    # The last time each citizen wrote (contacts.py): Zalo's messaging window.
    db.execute(
        """CREATE TABLE channel_contacts (
            sender_id TEXT PRIMARY KEY,       -- channel:user_id
            last_inbound_at TEXT NOT NULL     -- ISO 8601, +07:00
        )"""
    )
    # A refresh token the channel refused is never posted again (tokens.py): the pair is
    # marked, and only a new pair in the environment replaces it (seed_hash tells new).
    db.execute("ALTER TABLE channel_tokens ADD COLUMN seed_hash TEXT")
    db.execute("ALTER TABLE channel_tokens ADD COLUMN refused_at TEXT")
    db.execute("ALTER TABLE channel_tokens ADD COLUMN refused_error TEXT")


MIGRATIONS = (
    ("channels-1", _migration_1),
    ("channels-2", _migration_2),
    ("channels-3", _migration_3),
)
