"""The channels' runtime inside the gateway: adapters, the worker and the sender.

Started and stopped by the app's lifespan. Its SQLite work runs on the database thread of
``bot.storage.database`` (two connections of its own, acknowledgements first), never on the
event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.base import logs
from bot.base import settings as settings_mod
from bot.gateway.sender import Sender
from bot.gateway.sender import backlog as outbox_backlog
from bot.gateway.webhook_watch import WebhookWatch
from bot.gateway.worker import Worker
from bot.services.channels import config as channel_config
from bot.services.channels.base import ChannelAdapter
from bot.services.channels.config import ChannelConfig
from bot.storage import inbox
from bot.storage.database import Database

log = logging.getLogger("hue_assist.gateway.channels")
ZALO_HINT = (
    "check ZALO_OA_SECRET_KEY and ZALO_APP_ID against the app's settings on developers.zalo.me"
)
Reader = Callable[[Callable[[Any], Any]], Awaitable[Any]]


class Channels:
    def __init__(self, settings: settings_mod.Settings, config: ChannelConfig) -> None:
        self.settings = settings
        self.config = config
        self.database = Database(settings.db_path)
        self.webhooks = {"zalo": WebhookWatch("zalo", ZALO_HINT)}
        self.adapters: dict[str, ChannelAdapter] = {}
        if config.zalo_enabled:
            from bot.services.channels.zalo import ZaloAdapter, ZaloClient  # lazy: when on

            self.adapters["zalo"] = ZaloAdapter(ZaloClient(config, self.database))
        if config.telegram_enabled:
            # lazy: python-telegram-bot takes ~0.3 s to import, only when the channel is on
            from bot.services.channels.telegram import TelegramAdapter

            self.adapters["telegram"] = TelegramAdapter(config)
        self.sender = Sender(self.database, self.adapters, config.sender_concurrency)
        self.worker = Worker(
            self.database,
            settings.rasa_servers,
            settings.action_server_url,
            self.adapters,
            settings.home,
            config.public_url,
            config.worker_concurrency,
            on_done=self.sender.wake,
            disaster_line=settings.disaster_line,
            rasa_token=settings.rasa_token,
        )
        self._tasks: list[asyncio.Task] = []
        self._side: set[asyncio.Task] = set()

    @classmethod
    def from_settings(cls, settings: settings_mod.Settings) -> Channels:
        return cls(settings, channel_config.load(gateway_port=settings.gateway_port))

    def start(self) -> None:
        logs.configure()
        self._tasks = [
            asyncio.create_task(self.worker.run(), name="inbox-worker"),
            asyncio.create_task(self.sender.run(), name="outbox-sender"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.worker.aclose()
        await self.sender.aclose()
        for adapter in self.adapters.values():
            await adapter.aclose()
        self.database.close()

    def background(self, task: asyncio.Task) -> None:
        """Keep a best-effort task referenced until it ends."""
        self._side.add(task)
        task.add_done_callback(self._side.discard)

    async def health(self, read: Reader | None = None) -> dict[str, Any]:
        """Backlogs and each part's state, for ``/healthz``; a channel's webhook shows once
        the channel is on or events arrive for it anyway. ``read(fn)`` runs ``fn(db)``
        (default: on the channels' thread, which waits whenever a write waits for the lock;
        the gateway passes its reader threads)."""
        read = read or self.database.read
        watched = {
            name: watch
            for name, watch in self.webhooks.items()
            if name in self.adapters or watch.verified or watch.unverified or watch.unreadable
        }
        return {
            "inbox": await read(inbox.backlog),
            "outbox": await read(outbox_backlog),
            "worker": self.worker.state(),
            "channels": {name: adapter.state() for name, adapter in self.adapters.items()},
            "webhooks": {name: watch.snapshot() for name, watch in watched.items()},
            "webhook_states": {name: watch.state() for name, watch in watched.items()},
        }
