"""The parts of an outbox row: each channel message it takes, delivered and recorded alone.

A reply of three Zalo messages that fails at the second must not send the first again on
the retry. On its first attempt a row's parts are stored (``start``); each part the channel
accepts is marked at once (``mark_sent``), before the next goes; a retry is handed only the
parts not yet sent. The one window left for a duplicate is a crash between the channel
accepting a part and that mark (milliseconds).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.base.clock import stamp
from bot.storage import contacts


@dataclass(frozen=True)
class Started:
    """What one delivery attempt needs: the parts still to send (index, body), and when
    the recipient last wrote."""

    pending: list[tuple[int, dict[str, Any]]]
    last_inbound_at: str | None


def start(
    db: sqlite_utils.Database, outbox_id: int, sender_id: str, planned: Sequence[dict[str, Any]]
) -> Started:
    """Mark the row as being sent, store its parts on the first attempt (``planned``, the
    adapter's split of the payload), and return the parts not sent yet, in order."""
    db.execute("UPDATE outbox SET sending_since = ? WHERE id = ?", [stamp(), outbox_id])
    known = db.execute(
        "SELECT part, body, sent_at FROM outbox_parts WHERE outbox_id = ? ORDER BY part",
        [outbox_id],
    ).fetchall()
    if not known:
        for index, body in enumerate(planned):
            db.execute(
                "INSERT INTO outbox_parts (outbox_id, part, body) VALUES (?, ?, ?)",
                [outbox_id, index, json.dumps(body, ensure_ascii=False)],
            )
        db.execute("UPDATE outbox SET parts = ? WHERE id = ?", [len(planned), outbox_id])
        pending = list(enumerate(planned))
    else:
        pending = [(row[0], json.loads(row[1])) for row in known if row[2] is None]
    return Started(pending, contacts.last_inbound(db, sender_id))


def mark_sent(
    db: sqlite_utils.Database, outbox_id: int, part: int, channel_message_id: str | None
) -> None:
    """The channel accepted this part: it is never sent again."""
    db.execute(
        "UPDATE outbox_parts SET sent_at = ?, channel_message_id = ?"
        " WHERE outbox_id = ? AND part = ?",
        [stamp(), channel_message_id, outbox_id, part],
    )


def sent_count(db: sqlite_utils.Database, outbox_id: int) -> int:
    """How many parts of a row the channel accepted (tests, health)."""
    return db.execute(
        "SELECT COUNT(*) FROM outbox_parts WHERE outbox_id = ? AND sent_at IS NOT NULL",
        [outbox_id],
    ).fetchone()[0]
