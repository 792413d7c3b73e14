"""``python -m bot.gateway``: serve the gateway with uvicorn on 127.0.0.1:GATEWAY_PORT."""

from __future__ import annotations

import os

import uvicorn

from bot.base import logs
from bot.base import settings as settings_mod
from bot.gateway.app import create_app


def main() -> None:
    logs.configure()
    settings = settings_mod.load()
    host = os.environ.get("GATEWAY_HOST", "127.0.0.1")
    app = create_app(settings)
    config = uvicorn.Config(app, host=host, port=settings.gateway_port, log_level="warning")
    server = uvicorn.Server(config)
    app.state.server = server  # the desk's live streams end when the server stops
    server.run()


if __name__ == "__main__":
    main()
