"""The web chat: ``GET /`` serves the page, ``POST /api/chat`` relays one message to Rasa.

The page is one self-contained HTML file (no CDN: city networks and phones may be offline from
the wider internet). Its inline script and style are allowed by hash in a strict CSP, so that
a reply containing markup can never run as code even if the page had a bug.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.base.clock import iso, now
from bot.base.codes import SENDER_RE, WEB_PREFIX, who
from bot.base.texts import both
from bot.gateway.urgent import alert_reply, detect, with_alert
from bot.services.rasa_client import MAX_MESSAGE_CHARS, prepare
from bot.storage import outbox
from bot.storage.store import Store

log = logging.getLogger("hue_assist.gateway.web")

PAGE_PATH = Path(__file__).with_name("static") / "chat.html"
MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128
RASA_TIMEOUT = httpx.Timeout(60.0, connect=5.0)

# Shown by the page as is: the citizen reads it, so it is Vietnamese first.
UNAVAILABLE = both("unavailable")


class BadRequest(Exception):
    """Input the API refuses; ``status`` and ``code`` go back to the client as JSON."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class RasaDown(Exception):
    """Rasa did not answer usefully; the citizen is asked to try again later."""


@dataclass(frozen=True)
class ChatRequest:
    sender: str
    message: str


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": message, "code": code}, status_code=status, headers={"Cache-Control": "no-store"}
    )


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refusing more than ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest(400, "bad_length", "Content-Length is not a number.")
        if int(declared) > limit:
            raise BadRequest(413, "body_too_large", f"Body over {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(413, "body_too_large", f"Body over {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_chat_request(body: bytes) -> ChatRequest:
    """Validate ``{"sender", "message"}``; the message is NFC-cleaned as Rasa will see it."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "bad_json", "Body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest(400, "bad_json", 'Body must be a JSON object {"sender", "message"}.')
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender:
        raise BadRequest(400, "bad_sender", "sender must be a non-empty string.")
    if len(sender) > MAX_SENDER_CHARS or not SENDER_RE.fullmatch(sender):
        raise BadRequest(
            400,
            "bad_sender",
            f"sender: 1-{MAX_SENDER_CHARS} characters among A-Z a-z 0-9 _ . -",
        )
    message = data.get("message")
    if not isinstance(message, str):
        raise BadRequest(400, "bad_message", "message must be a string.")
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadRequest(
            413,
            "message_too_long",
            both("message_too_long", limit=MAX_MESSAGE_CHARS),
        )
    cleaned = prepare(message)
    if not cleaned:
        raise BadRequest(400, "empty_message", "message is empty.")
    return ChatRequest(sender=sender, message=cleaned)


def to_contract(replies: Any) -> list[dict[str, Any]]:
    """Rasa REST replies → ``[{"text", "buttons": [{"title", "payload"}]}]`` (+ ``image``)."""
    messages: list[dict[str, Any]] = []
    for reply in replies if isinstance(replies, list) else []:
        if not isinstance(reply, dict):
            continue
        text = reply.get("text") if isinstance(reply.get("text"), str) else ""
        buttons = [
            {"title": str(button.get("title") or button["payload"]), "payload": button["payload"]}
            for button in reply.get("buttons") or []
            if isinstance(button, dict) and isinstance(button.get("payload"), str)
        ]
        message: dict[str, Any] = {"text": text, "buttons": buttons}
        image = reply.get("image")
        if isinstance(image, str) and image.startswith(("https://", "http://", "/media/")):
            message["image"] = image
        if text or buttons or "image" in message:
            messages.append(message)
    return messages


async def ask_rasa(http: httpx.AsyncClient, rasa_url: str, sender: str, message: str) -> Any:
    """One message through Rasa's REST channel; its raw replies."""
    try:
        response = await http.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=RASA_TIMEOUT,
        )
    except httpx.HTTPError as error:
        raise RasaDown(type(error).__name__) from None
    if response.status_code != 200:
        raise RasaDown(f"http {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise RasaDown("not json") from None


async def converse(request: Request, chat: ChatRequest) -> list[dict[str, Any]]:
    """The assistant's answer to one web message (the part a channel inbox may replace)."""
    settings = request.app.state.settings
    sender = WEB_PREFIX + chat.sender
    try:
        replies = await ask_rasa(
            request.app.state.http, settings.rasa_for(sender), sender, chat.message
        )
    except RasaDown:
        alert = detect(chat.message)
        if alert is None:
            raise
        # A citizen in danger gets the number even when the assistant is down.
        log.warning("web chat: emergency answered without rasa", extra={"who": who(sender)})
        down = {"text": UNAVAILABLE}
        return to_contract([alert_reply(alert, chat.message, settings.disaster_line), down])
    return to_contract(with_alert(chat.message, to_contract(replies), settings.disaster_line))


async def api_chat(request: Request) -> Response:
    """``POST /api/chat``: 200 with the replies; 400/413/415 for bad input; 503 if Rasa is down."""
    started = time.monotonic()
    try:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise BadRequest(415, "bad_content_type", "Content-Type must be application/json.")
        chat = parse_chat_request(await read_body(request))
        messages = await converse(request, chat)
    except BadRequest as error:
        log.info("web chat refused", extra={"status": error.status, "code": error.code})
        return error_response(error.status, error.code, error.message)
    except ClientDisconnect:
        return Response(status_code=400)
    except RasaDown as error:
        log.warning(
            "web chat: rasa unavailable",
            extra={"who": who(chat.sender), "why": str(error)},
        )
        return error_response(503, "unavailable", UNAVAILABLE)
    log.info(
        "web chat answered",
        extra={
            "who": who(chat.sender),
            "replies": len(messages),
            "ms": round((time.monotonic() - started) * 1000),
        },
    )
    return JSONResponse({"messages": messages}, headers={"Cache-Control": "no-store"})


def _csp_hashes(sources: list[str]) -> str:
    """CSP source list allowing exactly these inline blocks (``'none'`` when there are none)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in sources
    ]
    return " ".join(hashes) or "'none'"


def page_response_factory(html: str) -> Callable[[Request], Awaitable[Response]]:
    """A handler serving ``html`` with a CSP that allows exactly its inline script and style."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src " + _csp_hashes(scripts),
            "style-src " + _csp_hashes(styles),
            "img-src 'self' https: data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }
    body = html.encode("utf-8")

    async def page(request: Request) -> Response:
        """``GET /``: the web chat page."""
        return Response(body, media_type="text/html; charset=utf-8", headers=headers)

    return page


async def api_updates(request: Request) -> Response:
    """``GET /api/chat/updates?sender=…``: report status notifications waiting for this web
    citizen (the page polls; the web has no push), each handed over once."""
    sender = request.query_params.get("sender", "")
    if not SENDER_RE.fullmatch(sender):
        return error_response(400, "bad_sender", "sender must be 1–128 of A-Z a-z 0-9 _ . -")
    payloads = await request.app.state.db.write(_take_updates, WEB_PREFIX + sender)
    if payloads:
        log.info("web updates delivered", extra={"who": who(sender), "count": len(payloads)})
    # A citizen's notifications: never kept by a browser or a proxy on a shared computer.
    return JSONResponse({"messages": to_contract(payloads)}, headers={"Cache-Control": "no-store"})


def _take_updates(store: Store, sender_id: str) -> list[Any]:
    """The citizen's waiting notifications, handed over once (on the writer thread)."""
    with store.transaction() as db:
        return outbox.take_pending(db, sender_id, iso(now()))


def routes() -> list[BaseRoute]:
    """``GET /`` and ``POST /api/chat``; the page is read once, when the app is built."""
    page = page_response_factory(PAGE_PATH.read_text(encoding="utf-8"))
    return [
        Route("/", page, methods=["GET", "HEAD"]),
        Route("/api/chat", api_chat, methods=["POST"]),
        Route("/api/chat/updates", api_updates, methods=["GET"]),
    ]
