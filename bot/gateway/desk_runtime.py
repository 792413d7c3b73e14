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
from collections import Counter
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
WATCH_EVERY_S = 1.0  # how often the open desks' versions are looked at, for all of them


class Hub:
    """What the open desks watch (``/desk/api/events``): the queue's version and that of each
    conversation on screen, looked at once a second for every desk together; each stream
    wakes on ``tick`` and tells its page what moved. Twenty desks cost one small read a
    second, not forty requests."""

    def __init__(self) -> None:
        self.watchers: Counter[str] = Counter()  # sender on screen ("" for the queue only)
        self.queue = ""
        self.conversations: dict[str, str] = {}
        self._tick = asyncio.Event()

    def watch(self, sender: str) -> None:
        self.watchers[sender] += 1

    def unwatch(self, sender: str) -> None:
        self.watchers[sender] -= 1
        if self.watchers[sender] <= 0:
            del self.watchers[sender]
            self.conversations.pop(sender, None)

    def look(self, store: Store) -> None:
        """On a desk thread: the versions of what is watched."""
        self.queue = handovers.queue_version(store.db)
        for sender in [s for s in list(self.watchers) if s]:
            self.conversations[sender] = desk.conversation_version(store, sender)

    def ticked(self) -> None:
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()

    async def next_tick(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._tick.wait(), timeout)


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
        self.hub = Hub()
        self._watcher: asyncio.Task | None = None

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
        self._watcher = asyncio.create_task(self._watch(), name="desk-watch")

    async def _watch(self) -> None:
        """Look at what the open desks watch, once a second, while any desk is open."""
        while True:
            await asyncio.sleep(WATCH_EVERY_S)
            if not self.hub.watchers:
                continue
            try:
                await self.run(self.hub.look)
            except Exception:  # noqa: BLE001 - the desks keep their last versions meanwhile
                log.exception("desk watch failed", extra={"event": "watch_failed"})
            self.hub.ticked()

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
        for task in (self._timer, self._watcher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
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
