"""One task per citizen at a time: what the worker (to Rasa) and the sender (to channels)
both need, so each citizen's messages stay in order while different citizens are served
concurrently."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable


class CitizenTasks:
    """At most ``concurrency`` tasks, never two for the same citizen (sender id)."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self.busy: set[str] = set()
        self._tasks: set[asyncio.Task] = set()
        self._wake = asyncio.Event()

    @property
    def free(self) -> int:
        return self.concurrency - len(self.busy)

    def wake(self) -> None:
        self._wake.set()

    def start(self, sender_id: str, work: Awaitable[None]) -> None:
        """Run ``work`` for this citizen; when it ends, the citizen is free again."""
        self.busy.add(sender_id)
        task = asyncio.create_task(self._run(sender_id, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, sender_id: str, work: Awaitable[None]) -> None:
        try:
            await work
        finally:
            self.busy.discard(sender_id)
            self._wake.set()

    async def idle(self, timeout: float = 0.25) -> None:
        """Wait until a task ends or ``wake()`` is called, at most ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=timeout)
        self._wake.clear()

    async def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
