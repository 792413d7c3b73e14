"""Only Rasa may run actions: every call but ``/health`` must carry the installation's secret.

The action server listens on 127.0.0.1, but anything on the host can reach that: another
user, or a web page open in a browser on it (a ``text/plain`` POST needs no CORS preflight,
and rasa_sdk parses any body as JSON). Rasa sends the secret as the header
``X-Action-Secret`` (``endpoints.yml``); ``hue-assist up`` gives both sides the same one
(``Settings.action_secret``). A call without it is answered 401 before any action runs.

Registered as a rasa_sdk plugin when this package is imported, which happens in every Sanic
worker (they import ``actions`` afresh).
"""

from __future__ import annotations

import hmac
import logging

import pluggy
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.base import settings as settings_mod

log = logging.getLogger("hue_assist.actions.secret")

HEADER = "X-Action-Secret"
OPEN_PATHS = ("/health",)
hookimpl = pluggy.HookimplMarker("rasa_sdk")


def allowed(path: str, given: str | None, secret: str) -> bool:
    """Whether a request to ``path`` carrying ``given`` may go on."""
    if path in OPEN_PATHS:
        return True
    return bool(given) and hmac.compare_digest(given.encode(), secret.encode())


class SecretCheck:
    """The plugin: a request middleware on the action server's Sanic app."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        secret = settings_mod.load().action_secret

        async def check(request: Request) -> HTTPResponse | None:
            if allowed(request.path, request.headers.get(HEADER), secret):
                return None
            log.warning("action call refused", extra={"event": "refused", "path": request.path})
            return response.json({"error": "not authorised"}, status=401)

        app.on_request(check, priority=100)


def register() -> None:
    """Install the check once per process."""
    manager = plugin_manager()
    if not any(isinstance(p, SecretCheck) for p in manager.get_plugins()):
        manager.register(SecretCheck())
