"""The sender: delivers outbox messages (replies and report notifications) per channel.

One message at a time per recipient, oldest first, so a citizen reads answers in order;
failures are retried with exponential backoff (or the channel's own ``retry_after``) up to
``MAX_ATTEMPTS``. Each channel message of a row (a part) is recorded as it goes through,
so a retry resumes at the first part not sent. "undeliverable" rows (Zalo: outside the
messaging window, blocked) are kept with their reason, not retried; a channel that is
broken ("halted": a dead token, no quota) gets no rows until it works again, and its rows
wait without spending attempts. Recipients on channels without an adapter here (web) are
left to their channel.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.base.clock import later, stamp
from bot.gateway.citizens import CitizenTasks
from bot.services.channels.base import ChannelAdapter, Delivery, Outgoing, Part
from bot.storage import outbox_parts
from bot.storage.database import Database

log = logging.getLogger("hue_assist.gateway.sender")

MAX_ATTEMPTS = 10


def backoff(attempts: int, base: float = 1.0, cap: float = 600.0) -> float:
    return min(cap, base * 2 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    sender_id: str
    channel: str
    payload: dict[str, Any]
    attempts: int
    kind: str = "reply"

    @property
    def user_id(self) -> str:
        return self.sender_id.split(":", 1)[1]


def due(
    db: sqlite_utils.Database, channels: Mapping[str, int] | list[str], busy: set[str], limit: int
) -> list[OutboxRow]:
    """The oldest pending row of each recipient on our channels, if its time has come.

    ``channels``: the channel names, or how many rows each channel admits now (a channel
    that is stopped admits none, one while it is probed)."""
    budget = dict(channels) if isinstance(channels, Mapping) else dict.fromkeys(channels, limit)
    names = [name for name, count in budget.items() if count > 0]
    if not names:
        return []
    marks = ", ".join("?" for _ in names)
    rows = db.execute(
        "SELECT o.id, o.sender_id, o.channel, o.payload, o.attempts, o.next_attempt_at, o.kind"
        " FROM outbox o JOIN (SELECT MIN(id) AS id FROM outbox WHERE state = 'pending'"
        f" AND channel IN ({marks}) GROUP BY sender_id) f ON f.id = o.id ORDER BY o.id",
        names,
    ).fetchall()
    now = stamp()
    picked: list[OutboxRow] = []
    for row in rows:
        if row[1] in busy or (row[5] or "") > now or budget[row[2]] <= 0:
            continue
        budget[row[2]] -= 1
        picked.append(OutboxRow(row[0], row[1], row[2], json.loads(row[3]), row[4], row[6]))
        if len(picked) >= limit:
            break
    return picked


def record(db: sqlite_utils.Database, row: OutboxRow, result: Delivery) -> None:
    """Write one attempt's outcome (in the caller's transaction)."""
    attempts = row.attempts + 1
    error = (result.error or "")[:500]
    if result.outcome == "sent":
        db.execute(
            "UPDATE outbox SET state = 'sent', attempts = ?, sent_at = ?, sending_since = NULL,"
            " last_error = NULL, reason = NULL, sent_as = ? WHERE id = ?",
            [attempts, stamp(), result.window, row.id],
        )
    elif result.outcome == "halted":  # the channel is broken, not this row: no attempt
        db.execute(
            "UPDATE outbox SET last_error = ?, reason = ?, sending_since = NULL WHERE id = ?",
            [error, result.reason, row.id],
        )
    elif result.outcome == "retry" and attempts < MAX_ATTEMPTS:
        delay = result.retry_after if result.retry_after is not None else backoff(attempts)
        db.execute(
            "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, reason = ?,"
            " sending_since = NULL WHERE id = ?",
            [attempts, later(delay), error, result.reason, row.id],
        )
    else:
        state = "undeliverable" if result.outcome == "undeliverable" else "failed"
        db.execute(
            "UPDATE outbox SET state = ?, attempts = ?, last_error = ?, reason = ?,"
            " sending_since = NULL WHERE id = ?",
            [state, attempts, error, result.reason or state, row.id],
        )


def backlog(db: sqlite_utils.Database) -> dict[str, Any]:
    counts = dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    oldest = db.execute("SELECT MIN(created_at) FROM outbox WHERE state = 'pending'").fetchone()[0]
    outside = db.execute(
        "SELECT COUNT(*) FROM outbox WHERE state = 'undeliverable' AND reason = 'window'"
    ).fetchone()[0]
    return {
        "pending": counts.get("pending", 0),
        "failed": counts.get("failed", 0),
        "undeliverable": counts.get("undeliverable", 0),
        "outside_window": outside,
        "oldest_pending": oldest,
    }


class Sender:
    def __init__(
        self, database: Database, adapters: Mapping[str, ChannelAdapter], concurrency: int = 32
    ) -> None:
        self.database = database
        self.adapters = adapters
        self._citizens = CitizenTasks(concurrency)

    def wake(self) -> None:
        self._citizens.wake()

    async def recover(self) -> int:
        """Rows left 'sending' by a stopped gateway: delivered or not, we cannot know; they
        are sent again from their first part not recorded as sent (a possible duplicate of
        that one part beats a lost answer)."""

        def clear(db: sqlite_utils.Database) -> int:
            return db.execute(
                "UPDATE outbox SET sending_since = NULL WHERE sending_since IS NOT NULL"
                " AND state = 'pending'"
            ).rowcount

        return await self.database.write(clear)

    async def run(self) -> None:
        interrupted = await self.recover()
        if interrupted:
            log.warning(
                "deliveries interrupted by a stop are retried",
                extra={"event": "recovered", "count": interrupted},
            )
        for adapter in self.adapters.values():
            await adapter.prepare()
        citizens = self._citizens
        while True:
            free = citizens.free
            budget = {name: a.admits(free) for name, a in sorted(self.adapters.items())}
            rows = (
                await self.database.read(due, budget, set(citizens.busy), free)
                if free > 0 and any(budget.values())
                else []
            )
            for row in rows:
                citizens.start(row.sender_id, self._deliver(row))
            await citizens.idle()

    async def aclose(self) -> None:
        await self._citizens.cancel()

    async def _deliver(self, row: OutboxRow) -> None:
        adapter = self.adapters[row.channel]
        last: list[tuple[int, str | None]] = []  # the last part's mark, written with the outcome
        try:
            started = await self.database.write(
                outbox_parts.start, row.id, row.sender_id, adapter.parts(row.payload)
            )
            parts = [Part(index, body) for index, body in started.pending]
            outgoing = Outgoing(
                row.id, row.user_id, row.kind, row.payload, parts, started.last_inbound_at
            )
            final = parts[-1].index if parts else None

            async def part_sent(index: int, channel_message_id: str | None) -> None:
                """Committed before the next part goes; the last one rides with the outcome
                (one write fewer per message: a crash between loses nothing either way)."""
                if index == final:
                    last.append((index, channel_message_id))
                    return
                await self.database.write(outbox_parts.mark_sent, row.id, index, channel_message_id)

            result = await adapter.deliver(outgoing, part_sent)
        except Exception as error:  # noqa: BLE001 - an adapter bug must not stop delivery
            log.exception(
                "delivery crashed",
                extra={"channel": row.channel, "event": "crashed", "id": row.id},
            )
            result = Delivery("retry", repr(error))
        await self.database.write(finish, row, result, last)
        log.info(
            "delivery %s",
            result.outcome,
            extra={
                "channel": row.channel,
                "event": result.outcome,
                "id": row.id,
                "reason": result.reason,
            },
        )


def finish(
    db: sqlite_utils.Database,
    row: OutboxRow,
    result: Delivery,
    marks: list[tuple[int, str | None]],
) -> None:
    """The attempt's outcome and the parts marked at its end, in one transaction."""
    for index, channel_message_id in marks:
        outbox_parts.mark_sent(db, row.id, index, channel_message_id)
    record(db, row, result)
