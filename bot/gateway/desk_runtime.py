"""The desk's side of the gateway process: its threads, its cache, its suggestions, its timer.

The desk's database work runs on two threads of its own, each with its own connection, never
on the event loop and never on the channels' database thread: a queue of 500 conversations
is read in tens of milliseconds, and the channels' thread keeps webhooks' acknowledgements
first (``bot/storage/database.py``). The queue is built once per change and shared by every
operator's poll. A timer gives back, every second, what nobody will answer
(``bot.services.desk.expire``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from bot.base import settings as settings_mod
from bot.base.clock import iso, now
from bot.domain import accounts
from bot.services import desk
from bot.storage import handovers, users
from bot.storage.store import Store

T = TypeVar("T")
log = logging.getLogger("hue_assist.gateway.desk")

THREADS = 2
EXPIRE_EVERY_S = 1.0
SESSIONS_SWEEP_EVERY_S = 3600.0


class DeskRuntime:
    """Started and stopped with the app (its lifespan)."""

    def __init__(self, settings: settings_mod.Settings, on_queued: Callable[[], None]) -> None:
        self.settings = settings
        self.on_queued = on_queued  # wakes the outbox sender after a reply or a notice
        self.resume = desk.rasa_resume(settings)
        self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix="desk")
        self._kb_pool = ThreadPoolExecutor(1, thread_name_prefix="desk-kb")
        # sign-ins one at a time on a thread of their own: a burst (a shift starting, or
        # someone guessing) uses at most one core and never delays the desks' polls
        self._signin_pool = ThreadPoolExecutor(1, thread_name_prefix="desk-signin")
        self._local = threading.local()
        self._stores: list[Store] = []
        self._stores_lock = threading.Lock()
        self._queue: dict[str, Any] | None = None
        self._queue_lock = threading.Lock()
        self._retriever: Any = None
        self._retriever_lock = threading.Lock()
        self._timer: asyncio.Task | None = None

    # -- threads ---------------------------------------------------------------------------

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.settings.db_path)
            self._local.store = store
            with self._stores_lock:
                self._stores.append(store)
        return store

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(store, *args)`` on a desk thread, with that thread's connection."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(self._store(), *args))

    async def sign_in(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(store, *args)`` on the sign-in thread (password hashing is CPU work)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._signin_pool, lambda: fn(self._store(), *args))

    # -- the queue, built once per change --------------------------------------------------

    def queue(self, store: Store) -> dict[str, Any]:
        """The queue as of now: the cached one while nothing changed."""
        version = handovers.queue_version(store.db)
        cached = self._queue
        if cached is not None and cached["version"] == version:
            return cached
        with self._queue_lock:
            cached = self._queue
            if cached is not None and cached["version"] == version:
                return cached
            self._queue = desk.queue(store)
            return self._queue

    # -- knowledge-base suggestions (the index and model loaded on first use) ---------------

    def _load_retriever(self) -> Any:
        with self._retriever_lock:
            if self._retriever is None:
                # lazy: the index and the embedding model, only once an operator signs in
                from knowledge_base.retriever import Retriever

                self._retriever = Retriever(self.settings.kb_dir)
                self._retriever.warm()
            return self._retriever

    def warm(self) -> None:
        """Load the knowledge base in the background (called at an operator's sign-in)."""
        if self._retriever is None:
            self._kb_pool.submit(self._warm_quietly)

    def _warm_quietly(self) -> None:
        try:
            self._load_retriever()
        except Exception:  # noqa: BLE001 - the first suggestion will retry and say what failed
            log.exception("desk: knowledge base warm-up failed", extra={"event": "kb_warm"})

    async def suggest(self, question: str, top: int = 3) -> list[dict[str, Any]]:
        def search() -> list[dict[str, Any]]:
            return desk.suggestions(self._load_retriever().search(question, top=top))

        return await asyncio.get_running_loop().run_in_executor(self._kb_pool, search)

    # -- the timer ---------------------------------------------------------------------------

    def start(self) -> None:
        self._timer = asyncio.create_task(self._tick(), name="desk-timer")

    async def _tick(self) -> None:
        last_sweep = float("-inf")
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(EXPIRE_EVERY_S)
            try:
                ended = await self.run(desk.expire, self.resume)
                if ended:
                    self.on_queued()
                if loop.time() - last_sweep >= SESSIONS_SWEEP_EVERY_S:
                    await self.run(_sweep_sessions)
                    last_sweep = loop.time()
            except Exception:  # noqa: BLE001 - the timer must outlive one bad tick
                log.exception("desk timer failed", extra={"event": "timer_failed"})

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._kb_pool.shutdown(wait=False, cancel_futures=True)
        self._signin_pool.shutdown(wait=True, cancel_futures=True)
        with self._stores_lock:
            for store in self._stores:
                store.close()
            self._stores.clear()


def _sweep_sessions(store: Store) -> int:
    """Forget sessions that can no longer be used."""
    at = now()
    with store.transaction() as db:
        return users.end_stale_sessions(
            db, iso(at - accounts.SESSION_IDLE), iso(at - accounts.SESSION_MAX)
        )
