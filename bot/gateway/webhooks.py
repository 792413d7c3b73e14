"""``POST /webhooks/zalo`` and ``POST /webhooks/telegram``: verify, store, acknowledge.

Nothing is done with a message before it is committed to the inbox; the worker takes it
from there, so the channel gets its 200 in milliseconds.

Zalo: an event we cannot verify (no or a wrong signature, another app, no OA secret
configured) or cannot read is answered 200 with nothing stored and counted
(``webhook_watch``): Zalo retries anything else for hours and may then switch the webhook
off, so a misconfigured secret must show in ``/healthz`` instead. Telegram: forged
requests (401), bodies over 1 MB (413) and unreadable ones (400) are refused.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot.domain.messages import Incoming
from bot.gateway.channels import Channels
from bot.gateway.urgent import alert_reply, detect
from bot.services.channels import zalo, zalo_events
from bot.services.channels.base import BadEvent
from bot.services.channels.config import ChannelConfig
from bot.storage import inbox

log = logging.getLogger("hue_assist.gateway.webhooks")

MAX_BODY = 1024 * 1024


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refusing (413) anything over ``limit`` without reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Refused(413, f"body over {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise Refused(400, "request body incomplete") from None
    return b"".join(chunks)


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Refused(400, "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Refused(400, "body is not a JSON object")
    return data


async def store_messages(
    channels: Channels, messages: list[Incoming], seen: list[tuple[str, str]] | None = None
) -> tuple[int, int]:
    """Commit the messages (store-before-ack), and when their senders wrote (``seen``);
    (new, duplicates).

    A message about a person in danger gets the emergency number queued at once, before it
    waits its turn for Rasa (which then goes on with the urgent report).
    """
    if not messages and not seen:
        return 0, 0
    results = await channels.database.accept(messages, seen or [])
    new = sum(1 for _, duplicate in results if not duplicate)
    alerts = 0
    for message, (inbox_id, duplicate) in zip(messages, results, strict=True):
        text = message.payload().get("text") if message.kind == "text" else None
        if not duplicate and text and (found := detect(text)):
            reply = alert_reply(found, text, channels.settings.disaster_line)
            alerts += await channels.database.write(inbox.alert, inbox_id, message.sender_id, reply)
    if alerts:
        channels.sender.wake()
        log.warning("emergency alert queued", extra={"event": "alert", "count": alerts})
    if new:
        channels.worker.wake()
    return new, len(results) - new


def channels_of(request: Request) -> Channels:
    return request.app.state.channels


def _dropped(why: str) -> JSONResponse:
    """200 with nothing stored: Zalo must not retry it (nor switch the webhook off)."""
    return JSONResponse({"ok": False, "accepted": 0, "dropped": why})


def _distrusted(
    config: ChannelConfig, body: bytes, event: dict[str, Any], header: str
) -> str | None:
    """Why a Zalo event cannot be trusted, or None when it is signed by our OA for our app."""
    if not config.zalo_enabled:
        return "ZALO_OA_SECRET_KEY is not set"
    if not zalo.verify_signature(body, event, header, config.zalo_oa_secret_key):
        return "missing or invalid X-ZEvent-Signature"
    if config.zalo_app_id and str(event.get("app_id")) != config.zalo_app_id:
        return "event for another app_id"
    return None


async def zalo_webhook(request: Request) -> JSONResponse:
    channels = channels_of(request)
    watch = channels.webhooks["zalo"]
    try:
        body = await read_body(request)
        event = parse_json(body)
    except Refused as refused:
        watch.unreadable_event(str(refused))
        return _dropped("unreadable")
    header = request.headers.get("x-zevent-signature", "")
    why = _distrusted(channels.config, body, event, header)
    if why is not None:
        watch.failed(why)
        return _dropped("unverified")
    watch.passed()
    if not zalo_events.fresh(event):  # a replayed signed event, outside the time window
        watch.unreadable_event("event timestamp outside the accepted window")
        return _dropped("stale")
    try:
        messages = zalo_events.to_messages(event)
    except BadEvent as error:
        watch.unreadable_event(str(error))
        return _dropped("unreadable")
    seen = zalo_events.interaction(event)
    new, duplicates = await store_messages(channels, messages, [seen] if seen else [])
    return JSONResponse({"ok": True, "accepted": new, "duplicates": duplicates})


async def telegram_webhook(request: Request) -> JSONResponse:
    channels = channels_of(request)
    config = channels.config
    adapter = channels.adapters.get("telegram")
    if adapter is None:
        return _error(503, "Telegram channel not configured (TELEGRAM_BOT_TOKEN)")
    try:
        token = request.headers.get("x-telegram-bot-api-secret-token", "")
        secret = config.telegram_webhook_secret
        if not secret or not hmac.compare_digest(token.encode(), secret.encode()):
            raise Refused(401, "missing or invalid X-Telegram-Bot-Api-Secret-Token")
        update = parse_json(await read_body(request))
        from bot.services.channels import telegram  # lazy: see gateway.channels

        messages = telegram.to_messages(update, adapter.bot)
    except Refused as refused:
        log.warning("refused: %s", refused, extra={"channel": "telegram", "event": "refused"})
        return _error(refused.status, str(refused))
    except BadEvent as error:
        return _error(400, str(error))
    new, duplicates = await store_messages(channels, messages)
    for message in messages:
        if "callback_query_id" in message.extra:
            task = asyncio.create_task(adapter.answer_callback(message.extra["callback_query_id"]))
            channels.background(task)
    return JSONResponse({"ok": True, "accepted": new, "duplicates": duplicates})


def routes() -> list[BaseRoute]:
    return [
        Route("/webhooks/zalo", zalo_webhook, methods=["POST"]),
        Route("/webhooks/telegram", telegram_webhook, methods=["POST"]),
    ]
