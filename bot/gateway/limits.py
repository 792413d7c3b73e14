"""Every request body streamed with a limit before anything else reads it.

An ASGI middleware around the whole gateway: a declared ``Content-Length`` over the limit
(or not a number) is answered at once; otherwise the body is counted as it arrives and, past
the limit, the route sees the client gone and the client gets 413. No route, present or
future, can read an unbounded body. Limits: 1 MB for channel webhooks (Zalo events with
attachments' metadata), 64 KB for everything else. Errors come in the route's own shape:
Open311's error list under ``/open311/``, ``{"error", "code"}`` elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_LIMIT = 64 * 1024
WEBHOOK_LIMIT = 1024 * 1024


def limit_for(path: str) -> int:
    return WEBHOOK_LIMIT if path.startswith("/webhooks/") else DEFAULT_LIMIT


def error_body(path: str, status: int, message: str) -> tuple[bytes, bytes]:
    """(body, content type) of an error for ``path``."""
    if path.startswith("/open311/"):
        if path.endswith(".xml"):
            body = (
                '<?xml version="1.0" encoding="utf-8"?>\n<errors><error>'
                f"<code>{status}</code><description>{message}</description></error></errors>"
            )
            return body.encode(), b"application/xml"
        return json.dumps([{"code": status, "description": message}]).encode(), b"application/json"
    code = "body_too_large" if status == 413 else "bad_length"
    return json.dumps({"error": message, "code": code}).encode(), b"application/json"


async def refuse(send: Send, path: str, status: int, message: str) -> None:
    body, kind = error_body(path, status, message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """The middleware (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = limit_for(path)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await refuse(send, path, 400, "Content-Length is not a number")
                return
            if int(declared) > limit:
                await refuse(send, path, 413, f"request body over {limit // 1024} KB")
                return
        state = {"received": 0, "over": False, "started": False}

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["over"] = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if state["over"]:
                return  # the route's answer to a body cut short: ours goes instead
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not state["over"]:
                raise  # a route's own failure; a body cut short is answered below
        if state["over"] and not state["started"]:
            await refuse(send, path, 413, f"request body over {limit // 1024} KB")
