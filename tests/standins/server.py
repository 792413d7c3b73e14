"""Serve a Starlette app with uvicorn in a background thread (for stand-in APIs)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette

from bot.services.processes import free_port


class ThreadServer:
    def __init__(self, app: Starlette, port: int | None = None, **options: object) -> None:
        """``options``: more uvicorn settings (``ssl_certfile`` for an https stand-in)."""
        self.port = port or free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", **options
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("stand-in server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def wait_for(check: Callable[[], object], timeout: float = 30.0, every: float = 0.05) -> object:
    """Poll ``check`` until it returns something truthy; raise on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(every)


def settle(count: Callable[[], int], quiet: float = 0.8) -> None:
    """Wait until ``count()`` has not changed for ``quiet`` seconds (no more replies coming)."""
    last, since = count(), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.05)
        if count() != last:
            last, since = count(), time.monotonic()
