"""The gateway's own SQLite work (Open311, web updates, health) off the event loop.

A write waits for SQLite's lock, up to the busy timeout, whenever another process (the
action server filing a report, a supervisor's command, ``privacy purge``) holds it. Run on
the event loop, that wait froze every route of the gateway, webhook acknowledgements
included. Here reads go to a few threads of their own (WAL: a reader is never blocked by a
writer) and writes to one writer thread, each thread with its own connection; the event
loop only awaits. The channels keep their own database thread (``bot.storage.database``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.storage.store import Store

T = TypeVar("T")
READERS = 4


class DatabaseThreads:
    """``await read(fn, *args)`` / ``await write(fn, *args)`` run ``fn(store, *args)``."""

    def __init__(self, path: Path, readers: int = READERS) -> None:
        self.path = path
        self._local = threading.local()
        self._opened: list[Store] = []
        self._lock = threading.Lock()
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="db-read")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="db-write")

    def _store(self) -> Store:
        """This thread's connection, opened on first use."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path)
            self._local.store = store
            with self._lock:
                self._opened.append(store)
        return store

    async def _run(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, lambda: fn(self._store(), *args))

    async def read(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(store, *args)`` on a reader thread (no write lock is ever taken there)."""
        return await self._run(self._readers, fn, *args)

    async def write(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(store, *args)`` on the writer thread, one write at a time."""
        return await self._run(self._writer, fn, *args)

    def close(self) -> None:
        self._readers.shutdown(wait=True)
        self._writer.shutdown(wait=True)
        with self._lock:
            for store in self._opened:
                store.close()
            self._opened.clear()
