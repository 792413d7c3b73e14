"""A real gateway process for the web chat tests, started the way `hue-assist up` starts it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bot.base import settings as settings_mod
from bot.services.processes import Service, Supervisor, free_port, gateway_service


@dataclass
class Gateway:
    url: str
    service: Service


@contextmanager
def running_gateway(env: dict[str, str]) -> Iterator[Gateway]:
    """``python -m bot.gateway`` on a free port with ``env`` over this process's environment."""
    settings = settings_mod.load({**os.environ, **env, "GATEWAY_PORT": str(free_port())})
    supervisor = Supervisor(settings.home / "logs")
    service = gateway_service(settings)
    try:
        supervisor.start(service)
        supervisor.wait_ready(service, 60)
        yield Gateway(service.url, service)
    finally:
        supervisor.stop_all()
