"""The channels' SQLite work, on one thread of its own: the event loop never waits on disk.

A webhook is acknowledged only after its message is committed with ``synchronous=FULL``
(fsync'd: it survives a power cut). The worker's and sender's bookkeeping commits with
``synchronous=NORMAL`` (WAL): it survives a crash of the gateway (kill -9) but not of the
machine, where the worst case is a reply looked up in Rasa's tracker again or delivered
twice.

Everything runs on ONE thread, acknowledgements first: two writer threads in one process
would meet at SQLite's write lock, whose busy handler polls with growing sleeps, and under
load an acknowledgement could starve for seconds behind bookkeeping (measured: p95 1.2 s).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from bot.domain.messages import Incoming
from bot.storage import contacts, inbox
from bot.storage.store import Store

T = TypeVar("T")
log = logging.getLogger("hue_assist.gateway.database")
SLOW_ACK = 0.2  # seconds: a slower acknowledgement is logged with where the time went
ACK, WORK = 0, 1  # priorities: acknowledgements jump the queue


class Database:
    def __init__(self, path: Path) -> None:
        self.store = Store(path)  # bookkeeping
        self.store.db.execute("PRAGMA synchronous = NORMAL")
        self._acks = Store(path)  # acknowledgements: FULL, fsync'd before the 200
        self._acks.db.execute("PRAGMA synchronous = FULL")
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._thread = threading.Thread(target=self._serve, name="channels-db", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            priority, order, job, future = self._jobs.get()
            if job is None:
                return
            if priority == ACK:
                self._acknowledge([(job, future), *self._more_acks()])
                continue
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # noqa: BLE001 - handed to the awaiting coroutine
                future.set_exception(error)

    def _more_acks(self) -> list[tuple[Any, Future]]:
        """Every other acknowledgement already queued (they sort first)."""
        batch = []
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                return batch
            if item[0] != ACK:
                self._jobs.put(item)  # same (priority, order): its place is kept
                return batch
            batch.append((item[2], item[3]))

    def _acknowledge(self, batch: list[tuple[Any, Future]]) -> None:
        """Store a burst of webhook messages in one transaction: one fsync for all."""
        live = [(job, f) for job, f in batch if f.set_running_or_notify_cancel()]
        try:
            with self._acks.transaction() as db:
                results = []
                for (messages, seen), _ in live:
                    results.append(inbox.accept(db, messages))
                    contacts.touch(db, seen)
        except BaseException as error:  # noqa: BLE001 - every waiting webhook answers 500
            for _, future in live:
                future.set_exception(error)
            return
        for (_, future), result in zip(live, results, strict=True):
            future.set_result(result)

    async def _submit(self, priority: int, job: Callable[[], T]) -> T:
        future: Future = Future()
        self._jobs.put((priority, next(self._order), job, future))
        return await asyncio.wrap_future(future)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the database thread."""
        return await self._submit(WORK, lambda: fn(*args))

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        return await self._submit(WORK, lambda: fn(self.store.db, *args))

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(db, *args)`` in one transaction."""

        def run() -> T:
            with self.store.transaction() as db:
                return fn(db, *args)

        return await self._submit(WORK, run)

    async def accept(
        self, messages: list[Incoming], seen: Sequence[tuple[str, str]] = ()
    ) -> list[tuple[int, bool]]:
        """Commit (fsync) the messages, batched with any other webhook's waiting now, with
        when their senders wrote (``seen``: ``(sender_id, at)``, Zalo's messaging window)."""
        start = time.monotonic()
        future: Future = Future()
        self._jobs.put((ACK, next(self._order), (messages, tuple(seen)), future))
        results = await asyncio.wrap_future(future)
        took = time.monotonic() - start
        if took > SLOW_ACK:
            log.warning("slow acknowledgement: %.0f ms", took * 1000, extra={"event": "slow_ack"})
        return results

    def close(self) -> None:
        self._jobs.put((WORK + 1, next(self._order), None, None))  # after the queued work
        self._thread.join(timeout=30)
        self.store.close()
        self._acks.close()
