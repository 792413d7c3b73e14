"""When each citizen last wrote: what Zalo's messaging window is measured from.

Written in the webhook's own transaction, with the message it came with (or alone, for a
sticker the conversation does not read): a notification queued later knows whether Zalo
still lets the city write to that citizen (``bot.domain.messaging_window``).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils


def touch(db: sqlite_utils.Database, seen: Iterable[tuple[str, str]]) -> None:
    """Record ``(sender_id, at)`` pairs inside the caller's transaction; a later time wins
    (a retried or replayed event never moves the time back)."""
    for sender_id, at in seen:
        db.execute(
            "INSERT INTO channel_contacts (sender_id, last_inbound_at) VALUES (?, ?)"
            " ON CONFLICT (sender_id) DO UPDATE SET last_inbound_at ="
            " max(last_inbound_at, excluded.last_inbound_at)",
            [sender_id, at],
        )


def last_inbound(db: sqlite_utils.Database, sender_id: str) -> str | None:
    """When the citizen last wrote (ISO 8601), or None when never recorded."""
    row = db.execute(
        "SELECT last_inbound_at FROM channel_contacts WHERE sender_id = ?", [sender_id]
    ).fetchone()
    return row[0] if row else None
