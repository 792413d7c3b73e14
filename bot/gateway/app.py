"""Builds the gateway's ASGI app from settings: routes are added by each area's module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot.base import settings as settings_mod
from bot.gateway import desk, health, media_routes, open311, web
from bot.gateway import webhooks as channel_webhooks
from bot.gateway.channels import Channels
from bot.gateway.db import DatabaseThreads
from bot.gateway.desk_runtime import DeskRuntime
from bot.gateway.limits import BodyLimit


def create_app(settings: settings_mod.Settings | None = None) -> Starlette:
    """The app, with its database threads opened at start-up and closed at shutdown."""
    settings = settings or settings_mod.load()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.db = DatabaseThreads(settings.db_path)  # SQLite never on the event loop
        app.state.http = httpx.AsyncClient(timeout=30.0)  # shared: one connection pool
        app.state.channels = Channels.from_settings(settings)  # inbox worker, outbox sender
        app.state.channels.start()
        # the operators' desk: its threads, and the timer that gives back unclaimed cases
        app.state.desk = DeskRuntime(settings, on_queued=app.state.channels.sender.wake)
        app.state.desk.start()
        try:
            yield
        finally:
            await app.state.desk.stop()
            await app.state.channels.stop()
            await app.state.http.aclose()
            app.state.db.close()

    routes: list[BaseRoute] = [Route("/healthz", health.healthz)]
    routes += open311.routes()
    routes += media_routes.routes()
    routes += web.routes()
    routes += channel_webhooks.routes()
    routes += desk.routes()
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(BodyLimit)])


def db_of(request: Request) -> DatabaseThreads:
    return request.app.state.db


def settings_of(request: Request) -> settings_mod.Settings:
    return request.app.state.settings


def json_error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)
