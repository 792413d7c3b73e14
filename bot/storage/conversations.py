"""The conversation record: every message in and out, per citizen, readable as one transcript.

Rows are written where messages already pass: a channel message when the inbox accepts it
(``inbox.accept``), everything sent when the outbox queues it (``outbox.enqueue``: replies,
notifications, emergency numbers, operators' replies, the desk's notices), and the web chat's
turns by the gateway (``record_web_turn``), each in the same transaction as the message's
own row. The text is kept as sent; faces redact it when they show it
(``bot.domain.redact``) and audit the raw view. Retention is the privacy area's.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from bot.base.codes import channel_of
from bot.domain.messages import Incoming

# The outbox's kinds and who speaks in each.
AUTHORS = {
    "reply": "assistant",
    "alert": "assistant",
    "notification": "system",
    "notice": "system",
    "operator": "operator",
}


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE conversation_messages (
            id INTEGER PRIMARY KEY,
            sender_id TEXT NOT NULL,          -- channel:user_id, the citizen
            channel TEXT NOT NULL,
            direction TEXT NOT NULL,          -- in | out
            author TEXT NOT NULL,             -- citizen | assistant | operator | system
            kind TEXT NOT NULL,               -- in: text|image|location|audio|follow; out: outbox kind
            text TEXT,
            data TEXT,                        -- JSON: buttons, media, image, lat/long
            operator TEXT,                    -- who wrote it, for author = operator
            inbox_id INTEGER,
            outbox_id INTEGER,
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX conversation_messages_sender ON conversation_messages (sender_id, id)")
    db.execute(
        "CREATE INDEX conversation_messages_operator ON conversation_messages (at, operator) "
        "WHERE author = 'operator'"
    )


MIGRATIONS = (("conversations-1", _migration_1),)


def record(
    db: sqlite_utils.Database,
    sender_id: str,
    *,
    direction: str,
    author: str,
    kind: str,
    text: str | None,
    at: str,
    data: dict[str, Any] | None = None,
    operator: str | None = None,
    inbox_id: int | None = None,
    outbox_id: int | None = None,
) -> int:
    """Add one message to the record inside the caller's transaction; its id."""
    cursor = db.execute(
        "INSERT INTO conversation_messages (sender_id, channel, direction, author, kind, text,"
        " data, operator, inbox_id, outbox_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            sender_id,
            channel_of(sender_id),
            direction,
            author,
            kind,
            text,
            json.dumps(data, ensure_ascii=False) if data else None,
            operator,
            inbox_id,
            outbox_id,
            at,
        ],
    )
    return int(cursor.lastrowid)


def record_incoming(db: sqlite_utils.Database, message: Incoming, inbox_id: int, at: str) -> int:
    """A channel message as the inbox accepted it (a photo's or voice note's reference kept)."""
    data: dict[str, Any] = {}
    if message.media:
        data["media"] = message.media
    if message.lat is not None and message.long is not None:
        data["lat"], data["long"] = message.lat, message.long
    return record(
        db,
        message.sender_id,
        direction="in",
        author="citizen",
        kind=message.kind,
        text=message.text or None,
        at=at,
        data=data,
        inbox_id=inbox_id,
    )


def record_outgoing(
    db: sqlite_utils.Database,
    sender_id: str,
    payload: dict[str, Any],
    *,
    kind: str,
    at: str,
    outbox_id: int | None = None,
    operator: str | None = None,
) -> int:
    """A message to the citizen (an outbox payload ``{"text", "buttons", "image"}``)."""
    data = {key: payload[key] for key in ("buttons", "image") if payload.get(key)}
    return record(
        db,
        sender_id,
        direction="out",
        author=AUTHORS.get(kind, "assistant"),
        kind=kind,
        text=payload.get("text") or None,
        at=at,
        data=data,
        operator=operator,
        outbox_id=outbox_id,
    )


def record_web_turn(
    db: sqlite_utils.Database,
    sender_id: str,
    message: str,
    replies: list[dict[str, Any]],
    at: str,
    kinds: list[str] | None = None,
) -> None:
    """A web chat turn (the page asks the gateway directly, with no inbox or outbox row)."""
    record(db, sender_id, direction="in", author="citizen", kind="text", text=message, at=at)
    for index, reply in enumerate(replies):
        kind = kinds[index] if kinds else "reply"
        record_outgoing(db, sender_id, reply, kind=kind, at=at)


def set_media(db: sqlite_utils.Database, inbox_id: int, url: str) -> None:
    """The stored copy of a photo (the gateway's ``/media`` URL) once it was fetched: the
    channel's own link expires."""
    row = db.execute(
        "SELECT id, data FROM conversation_messages WHERE inbox_id = ? AND direction = 'in'",
        [inbox_id],
    ).fetchone()
    if row is None:
        return
    data = json.loads(row[1]) if row[1] else {}
    data["stored"] = url
    db.execute(
        "UPDATE conversation_messages SET data = ? WHERE id = ?",
        [json.dumps(data, ensure_ascii=False), row[0]],
    )


def transcript(db: sqlite_utils.Database, sender_id: str, limit: int = 300) -> list[dict[str, Any]]:
    """The latest ``limit`` messages of one citizen, oldest first, each with its delivery
    state when it went through the outbox (``pending``, ``sent``, ``undeliverable``, …)."""
    rows = db.execute(
        "SELECT m.id, m.direction, m.author, m.kind, m.text, m.data, m.operator, m.at,"
        " o.state, o.last_error, m.channel FROM conversation_messages m"
        " LEFT JOIN outbox o ON o.id = m.outbox_id"
        " WHERE m.sender_id = ? ORDER BY m.id DESC LIMIT ?",
        [sender_id, limit],
    ).fetchall()
    return [
        {
            "id": row[0],
            "direction": row[1],
            "author": row[2],
            "kind": row[3],
            "text": row[4],
            **(json.loads(row[5]) if row[5] else {}),
            "operator": row[6],
            "at": row[7],
            "delivery": row[8],
            "delivery_error": row[9],
            "channel": row[10],
        }
        for row in reversed(rows)
    ]


def latest_from_citizen(db: sqlite_utils.Database, sender_id: str) -> str | None:
    """The text of the citizen's latest message (for the desk's suggestions)."""
    row = db.execute(
        "SELECT text FROM conversation_messages WHERE sender_id = ? AND direction = 'in'"
        " AND text IS NOT NULL AND text != '' ORDER BY id DESC LIMIT 1",
        [sender_id],
    ).fetchone()
    return row[0] if row else None


def version(db: sqlite_utils.Database, sender_id: str) -> str:
    """Changes when a message is added or one of the citizen's deliveries moves on: what a
    desk that shows the conversation polls."""
    last = db.execute(
        "SELECT max(id) FROM conversation_messages WHERE sender_id = ?", [sender_id]
    ).fetchone()[0]
    sent = db.execute(
        "SELECT count(*), coalesce(sum(attempts), 0), coalesce(sum(state != 'pending'), 0)"
        " FROM outbox WHERE sender_id = ?",
        [sender_id],
    ).fetchone()
    return f"{last or 0}.{sent[0]}.{sent[1]}.{sent[2]}"
