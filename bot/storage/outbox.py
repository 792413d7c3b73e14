"""The outbox: messages waiting to be delivered to a citizen on their channel.

Replies to chat messages and report status notifications both land here, written in the
same transaction as the change that caused them; the gateway's sender delivers them, in
order per recipient, with retries. Until a channel's sender runs, rows simply wait.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from bot.base.codes import channel_of
from bot.storage import conversations


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            sender_id TEXT NOT NULL,          -- channel:user_id, the recipient
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,               -- reply | notification | alert | operator | notice
            payload TEXT NOT NULL,            -- JSON: {"text", "buttons", "image", ...}
            service_request_id TEXT,          -- for notifications
            inbox_id INTEGER,                 -- for replies: the message answered
            state TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed | undeliverable
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT
        )"""
    )
    db.execute("CREATE INDEX outbox_pending ON outbox (state, next_attempt_at, id)")
    db.execute("CREATE INDEX outbox_recipient ON outbox (sender_id, id)")


MIGRATIONS = (("outbox-1", _migration_1),)


def enqueue(
    db: sqlite_utils.Database,
    sender_id: str,
    payload: dict[str, Any],
    *,
    kind: str,
    at: str,
    service_request_id: str | None = None,
    inbox_id: int | None = None,
    operator: str | None = None,
) -> int:
    """Add one message inside the caller's transaction, and to the conversation record;
    returns its id. ``operator``: who wrote it, for an operator's reply (kind ``operator``)."""
    cursor = db.execute(
        "INSERT INTO outbox (sender_id, channel, kind, payload, service_request_id, inbox_id,"
        " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            sender_id,
            channel_of(sender_id),
            kind,
            json.dumps(payload, ensure_ascii=False),
            service_request_id,
            inbox_id,
            at,
            at,
        ],
    )
    outbox_id = int(cursor.lastrowid)
    conversations.record_outgoing(
        db, sender_id, payload, kind=kind, at=at, outbox_id=outbox_id, operator=operator
    )
    return outbox_id


def take_pending(db: sqlite_utils.Database, sender_id: str, at: str) -> list[dict[str, Any]]:
    """Hand over the recipient's waiting messages (for channels the citizen polls, like the
    web page) and mark them sent, in one transaction; oldest first."""
    rows = db.execute(
        "SELECT id, payload FROM outbox WHERE sender_id = ? AND state = 'pending' ORDER BY id",
        [sender_id],
    ).fetchall()
    if rows:
        db.execute(
            f"UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 "
            f"WHERE id IN ({', '.join('?' * len(rows))})",
            [at, *(row[0] for row in rows)],
        )
    return [json.loads(row[1]) for row in rows]


def costs(
    db: sqlite_utils.Database, channel: str, since: str | None, until: str | None
) -> dict[str, int]:
    """What the channel's messages sent in [since, until) were, for what they cost.

    ``messages``: channel messages sent (a row of three parts is three); ``billable``: of
    those, sent between 48 hours and 7 days after the citizen last wrote (Zalo bills
    them); ``templates``: template messages (billed too); ``outside_window``: rows nobody
    could send because the citizen had been silent too long (an operator should call).
    """
    clause, params = "channel = ?", [channel]
    if since:
        clause, params = clause + " AND sent_at >= ?", [*params, since]
    if until:
        clause, params = clause + " AND sent_at < ?", [*params, until]
    messages, billable, templates = db.execute(
        "SELECT coalesce(sum(coalesce(parts, 1)), 0),"
        " coalesce(sum(CASE WHEN sent_as = 'billable' THEN coalesce(parts, 1) END), 0),"
        " coalesce(sum(sent_as = 'template'), 0)"
        f" FROM outbox WHERE state = 'sent' AND {clause}",
        params,
    ).fetchone()
    created, created_params = "channel = ?", [channel]
    if since:
        created, created_params = created + " AND created_at >= ?", [*created_params, since]
    if until:
        created, created_params = created + " AND created_at < ?", [*created_params, until]
    outside = db.execute(
        f"SELECT count(*) FROM outbox WHERE state = 'undeliverable' AND reason = 'window'"
        f" AND {created}",
        created_params,
    ).fetchone()[0]
    return {
        "messages": messages,
        "billable": billable,
        "templates": templates,
        "outside_window": outside,
    }
