"""Conversations handed to a human operator: one row per handover, from request to end.

States and who may move them are ``bot.domain.handover``'s; this module stores them. Each
function runs in the caller's transaction, so a service reads a case, checks the rules and
moves it inside one ``BEGIN IMMEDIATE``: two operators claiming at once cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from bot.base.clock import iso, now, stamp
from bot.base.codes import channel_of
from bot.domain.handover import OPEN, Case
from bot.storage.connection import Connection

CONTEXT = timedelta(hours=24)  # the desk's "first message": the conversation's start today
COLUMNS = (
    "id, sender_id, channel, reporter, language, state, requested_at, acknowledged_at,"
    " urgent_at, claimed_by, claimed_at, first_reply_at, first_reply_by, released_at,"
    " released_by, release_reason, context_from, updated_at"
)


@dataclass(frozen=True)
class Handover:
    id: int
    sender_id: str
    channel: str
    reporter: str
    language: str | None
    state: str
    requested_at: str
    acknowledged_at: str | None
    urgent_at: str | None
    claimed_by: str | None
    claimed_at: str | None
    first_reply_at: str | None
    first_reply_by: str | None
    released_at: str | None
    released_by: str | None
    release_reason: str | None
    context_from: str
    updated_at: str

    @property
    def case(self) -> Case:
        return Case(self.id, self.sender_id, self.state, self.claimed_by)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    def public(self) -> dict[str, Any]:
        """The fields a desk shows (no pseudonym)."""
        return {
            key: value
            for key, value in vars(self).items()
            if key not in ("reporter", "context_from", "updated_at")
        }


def _one(db: sqlite_utils.Database, where: str, params: list[Any]) -> Handover | None:
    row = db.execute(f"SELECT {COLUMNS} FROM handovers WHERE {where}", params).fetchone()
    return Handover(*row) if row else None


def open_for(db: sqlite_utils.Database, sender_id: str) -> Handover | None:
    """The citizen's open (waiting or claimed) handover, if any."""
    return _one(db, "sender_id = ? AND state IN ('waiting', 'claimed')", [sender_id])


def latest_for(db: sqlite_utils.Database, sender_id: str) -> Handover | None:
    """The citizen's most recent handover, open or ended."""
    return _one(db, "sender_id = ? ORDER BY id DESC LIMIT 1", [sender_id])


def request(
    db: sqlite_utils.Database,
    sender_id: str,
    reporter: str,
    language: str | None,
    at: datetime,
    *,
    open_now: bool = True,
) -> Handover:
    """A new handover (``waiting``), or the open one when the citizen asks again.

    ``open_now=False`` (asked outside office hours) records the request as released at
    once, so the statistics count it and the assistant never pauses.
    """
    existing = open_for(db, sender_id)
    if existing is not None:
        return existing
    moment = iso(at)
    cursor = db.execute(
        "INSERT INTO handovers (sender_id, channel, reporter, language, state, requested_at,"
        " released_at, released_by, release_reason, context_from, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            sender_id,
            channel_of(sender_id),
            reporter,
            language,
            "waiting" if open_now else "released",
            moment,
            None if open_now else moment,
            None if open_now else "desk",
            None if open_now else "after_hours",
            iso(at - CONTEXT),
            stamp(at),
        ],
    )
    found = _one(db, "id = ?", [cursor.lastrowid])
    assert found is not None
    return found


def acknowledge(db: sqlite_utils.Database, case_id: int, at: str) -> bool:
    """Mark the one "please wait" as sent; False when it was sent already (or not waiting)."""
    return (
        db.execute(
            "UPDATE handovers SET acknowledged_at = ?, updated_at = ? WHERE id = ?"
            " AND state = 'waiting' AND acknowledged_at IS NULL",
            [at, stamp(), case_id],
        ).rowcount
        > 0
    )


def mark_urgent(db: sqlite_utils.Database, case_id: int, at: str) -> None:
    """The citizen wrote about danger while handed over: first in the desk's queue."""
    db.execute(
        "UPDATE handovers SET urgent_at = coalesce(urgent_at, ?), updated_at = ? WHERE id = ?",
        [at, stamp(), case_id],
    )


def claim(db: sqlite_utils.Database, case_id: int, operator: str, at: str) -> None:
    db.execute(
        "UPDATE handovers SET state = 'claimed', claimed_by = ?, claimed_at = ?, updated_at = ?"
        " WHERE id = ? AND state IN ('waiting', 'claimed')",
        [operator, at, stamp(), case_id],
    )


def replied(db: sqlite_utils.Database, case_id: int, operator: str, at: str) -> None:
    """Note the first human reply (for the time-to-first-reply statistic)."""
    db.execute(
        "UPDATE handovers SET first_reply_at = coalesce(first_reply_at, ?),"
        " first_reply_by = coalesce(first_reply_by, ?), updated_at = ? WHERE id = ?",
        [at, operator, stamp(), case_id],
    )


def end(db: sqlite_utils.Database, case_id: int, state: str, by: str, reason: str, at: str) -> bool:
    """Release or close an open case; False when it had ended already."""
    return (
        db.execute(
            "UPDATE handovers SET state = ?, released_at = ?, released_by = ?,"
            " release_reason = ?, updated_at = ? WHERE id = ? AND state IN ('waiting', 'claimed')",
            [state, at, by, reason, stamp(), case_id],
        ).rowcount
        > 0
    )


def waiting(db: sqlite_utils.Database) -> list[Handover]:
    """Every case nobody has claimed yet, oldest first."""
    rows = db.execute(
        f"SELECT {COLUMNS} FROM handovers WHERE state = 'waiting' ORDER BY requested_at"
    ).fetchall()
    return [Handover(*row) for row in rows]


def open_cases(db: sqlite_utils.Database) -> list[Handover]:
    rows = db.execute(
        f"SELECT {COLUMNS} FROM handovers WHERE state IN ('waiting', 'claimed')"
        " ORDER BY requested_at"
    ).fetchall()
    return [Handover(*row) for row in rows]


_MESSAGE = (
    "SELECT json_array(m.kind, m.text) FROM conversation_messages m"
    " WHERE m.sender_id = h.sender_id AND m.direction = 'in'"
)


def queue(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Open cases for the desk: urgent first, then waiting before claimed, longest wait first;
    each with the citizen's first message of the day and latest message (raw: the caller
    redacts), their report count and whether one is an open urgent report."""
    rows = db.execute(
        "SELECT h.id, h.sender_id, h.channel, h.state, h.language, h.requested_at,"
        " h.claimed_by, h.claimed_at, h.urgent_at, h.first_reply_at,"
        " (SELECT count(*) FROM reports r WHERE r.reporter = h.reporter) AS reports,"
        " EXISTS (SELECT 1 FROM reports r WHERE r.reporter = h.reporter"
        "   AND r.emergency IS NOT NULL AND r.status = 'open') AS urgent_report,"
        f" ({_MESSAGE} AND m.at >= h.context_from ORDER BY m.id LIMIT 1) AS first,"
        f" ({_MESSAGE} ORDER BY m.id DESC LIMIT 1) AS last,"
        " (SELECT max(m.at) FROM conversation_messages m WHERE m.sender_id = h.sender_id"
        "   AND m.direction = 'in') AS last_at"
        " FROM handovers h WHERE h.state IN ('waiting', 'claimed')"
    ).fetchall()
    names = (
        "id", "sender_id", "channel", "state", "language", "requested_at", "claimed_by",
        "claimed_at", "urgent_at", "first_reply_at", "reports", "urgent_report", "first",
        "last", "last_at",
    )  # fmt: skip
    items = [dict(zip(names, row, strict=True)) for row in rows]
    for item in items:
        item["urgent"] = bool(item["urgent_at"] or item["urgent_report"])
        item["urgent_report"] = bool(item["urgent_report"])
    items.sort(key=lambda i: (not i["urgent"], i["state"] != "waiting", i["requested_at"]))
    return items


def touch(db: sqlite_utils.Database, case_id: int) -> None:
    """Something the desk shows moved (a message kept for the operator): its queue changes.

    ``updated_at`` is stamped to the microsecond everywhere: two changes within one second
    must still be two versions."""
    db.execute("UPDATE handovers SET updated_at = ? WHERE id = ?", [stamp(), case_id])


def queue_version(db: sqlite_utils.Database) -> str:
    """Changes whenever the queue would: a case opened, moved or ended, a message kept for
    it (``touch``), a reply or a report. Asked on every poll of every desk, so it reads only
    the open cases' index."""
    count, changed = db.execute(
        "SELECT count(*), max(updated_at) FROM handovers WHERE state IN ('waiting', 'claimed')"
    ).fetchone()
    return f"{count}.{changed or ''}"


class Handovers(Connection):
    """The handover methods of ``Store`` (the action server's and the old CLI's)."""

    def request_handover(
        self, sender_id: str, language: str | None = None, *, open_now: bool = True
    ) -> Handover:
        """Mark a conversation as waiting for a human operator (see ``request``)."""
        reporter = self.reporter_for(sender_id)
        with self.transaction() as db:
            return request(db, sender_id, reporter, language, now(), open_now=open_now)

    def release_handover(self, sender_id: str, by: str) -> bool:
        """End the open handover as released by ``by``; False if there was none."""
        with self.transaction() as db:
            case = open_for(db, sender_id)
            return case is not None and end(db, case.id, "released", by, "operator", iso(now()))

    def pending_handovers(self) -> list[dict[str, Any]]:
        """Open handovers (waiting or claimed), oldest first."""
        cases = open_cases(self.db)
        return [
            {
                "sender_id": c.sender_id,
                "requested_at": c.requested_at,
                "state": c.state,
                "claimed_by": c.claimed_by,
            }
            for c in cases
        ]
