"""The inbox: every citizen message is stored (once) before its channel gets an answer.

A webhook acknowledges only after ``accept`` has committed, so a crash right after the
acknowledgement loses nothing; the channel's own retries of the same event are recognised by
``(channel, channel_msg_id)`` and acknowledged again without a second row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.base.clock import later, stamp
from bot.domain.messages import Incoming
from bot.storage import conversations, outbox


@dataclass(frozen=True)
class InboxRow:
    id: int
    channel: str
    channel_msg_id: str
    sender_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    failures: int = 0

    @property
    def user_id(self) -> str:
        return self.sender_id.split(":", 1)[1]


def accept(db: sqlite_utils.Database, messages: Iterable[Incoming]) -> list[tuple[int, bool]]:
    """Store messages inside the caller's transaction, each new one in the conversation
    record too; ``(id, duplicate)`` for each."""
    at = stamp()
    results: list[tuple[int, bool]] = []
    for message in messages:
        cursor = db.execute(
            "INSERT OR IGNORE INTO inbox (channel, channel_msg_id, sender_id, kind, payload,"
            " next_attempt_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                message.channel,
                message.message_id,
                message.sender_id,
                message.kind,
                json.dumps(message.payload(), ensure_ascii=False),
                at,
                at,
            ],
        )
        if cursor.rowcount:
            results.append((int(cursor.lastrowid), False))
            conversations.record_incoming(db, message, int(cursor.lastrowid), at)
        else:
            row = db.execute(
                "SELECT id FROM inbox WHERE channel = ? AND channel_msg_id = ?",
                [message.channel, message.message_id],
            ).fetchone()
            results.append((int(row[0]), True))
    return results


def due(db: sqlite_utils.Database, busy: set[str], limit: int) -> list[InboxRow]:
    """The oldest pending message of each citizen not being served, if its time has come.

    Only a citizen's oldest message is ever handed out, so their messages reach Rasa in
    the order they arrived, even when an earlier one is waiting for a retry.
    """
    rows = db.execute(
        "SELECT i.id, i.channel, i.channel_msg_id, i.sender_id, i.kind, i.payload, i.attempts,"
        " i.next_attempt_at, i.failures FROM inbox i JOIN (SELECT MIN(id) AS id FROM inbox"
        " WHERE state = 'pending' GROUP BY sender_id) f ON f.id = i.id ORDER BY i.id"
    ).fetchall()
    now = stamp()
    picked: list[InboxRow] = []
    for row in rows:
        if row[3] in busy or row[7] > now:
            continue
        picked.append(
            InboxRow(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[8])
        )
        if len(picked) >= limit:
            break
    return picked


def claim(db: sqlite_utils.Database, inbox_id: int) -> None:
    """Count an attempt before Rasa is called: a later attempt then knows to check first."""
    db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE id = ?", [inbox_id])


def complete(
    db: sqlite_utils.Database,
    row: InboxRow,
    replies: list[dict[str, Any]],
    kind: str = "reply",
    kinds: list[str] | None = None,
) -> list[int]:
    """Mark the message answered and queue its replies, in the caller's transaction (each
    with ``kind``, or its own from ``kinds``)."""
    at = stamp()
    changed = db.execute(
        "UPDATE inbox SET state = 'done', done_at = ?, last_error = NULL"
        " WHERE id = ? AND state = 'pending'",
        [at, row.id],
    ).rowcount
    if not changed:
        return []  # answered already (another worker, or before a restart)
    return [
        outbox.enqueue(
            db, row.sender_id, reply, kind=kinds[i] if kinds else kind, at=at, inbox_id=row.id
        )
        for i, reply in enumerate(replies)
    ]


def alert(db: sqlite_utils.Database, inbox_id: int, sender_id: str, reply: dict[str, Any]) -> bool:
    """Queue the emergency reply to a message now, before Rasa has answered (once)."""
    if alerted(db, inbox_id):
        return False
    outbox.enqueue(db, sender_id, reply, kind="alert", at=stamp(), inbox_id=inbox_id)
    return True


def alerted(db: sqlite_utils.Database, inbox_id: int) -> bool:
    """True when the gateway already sent this message's emergency reply itself."""
    row = db.execute(
        "SELECT 1 FROM outbox WHERE inbox_id = ? AND kind = 'alert' LIMIT 1", [inbox_id]
    ).fetchone()
    return row is not None


def postpone(db: sqlite_utils.Database, inbox_id: int, error: str, delay: float) -> None:
    db.execute(
        "UPDATE inbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'",
        [later(delay), error[:500], inbox_id],
    )


def postpone_failed(db: sqlite_utils.Database, inbox_id: int, error: str, delay: float) -> None:
    """An unexpected error: try again later, and count it (see ``give_up``)."""
    db.execute(
        "UPDATE inbox SET next_attempt_at = ?, last_error = ?, failures = failures + 1"
        " WHERE id = ? AND state = 'pending'",
        [later(delay), error[:500], inbox_id],
    )


def give_up(
    db: sqlite_utils.Database, row: InboxRow, error: str, reply: dict[str, Any]
) -> list[int]:
    """Set the message aside as 'failed' (kept, with its error) and tell the citizen.

    The citizen's later messages are then served; an operator finds the failed ones in
    ``/healthz`` (``inbox.failed``) and in the inbox table.
    """
    at = stamp()
    changed = db.execute(
        "UPDATE inbox SET state = 'failed', done_at = ?, last_error = ?, failures = failures + 1"
        " WHERE id = ? AND state = 'pending'",
        [at, error[:500], row.id],
    ).rowcount
    if not changed:
        return []
    return [outbox.enqueue(db, row.sender_id, reply, kind="reply", at=at, inbox_id=row.id)]


def backlog(db: sqlite_utils.Database) -> dict[str, Any]:
    """Pending counts and the age of the oldest pending message, for ``/healthz``."""
    count, oldest = db.execute(
        "SELECT COUNT(*), MIN(received_at) FROM inbox WHERE state = 'pending'"
    ).fetchone()
    failed = db.execute("SELECT COUNT(*) FROM inbox WHERE state = 'failed'").fetchone()[0]
    return {"pending": count, "failed": failed, "oldest_pending": oldest}
