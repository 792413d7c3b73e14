"""Telegram through python-telegram-bot 22: updates → inbox messages, outbox → Bot API.

``TELEGRAM_API_BASE`` points the Bot API elsewhere (tests). A citizen is ``telegram:<chat
id>`` (in a private chat, their user id). Edited messages, channel posts and other update
kinds give no message and are acknowledged only.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.domain.messages import Incoming
from bot.services.channels.base import (
    BadEvent,
    Delivery,
    MediaUnavailable,
    Outgoing,
    PartSent,
    split_text,
)
from bot.services.channels.config import ChannelConfig

log = logging.getLogger("hue_assist.channels.telegram")

CHANNEL = "telegram"
MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
ALLOWED = ["message", "callback_query"]  # the update kinds we read


def make_bot(config: ChannelConfig, read_timeout: float = 10.0) -> Bot:
    base = config.telegram_api_base
    return Bot(
        config.telegram_bot_token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connection_pool_size=64, read_timeout=read_timeout),
        get_updates_request=HTTPXRequest(read_timeout=read_timeout + 40),
    )


def to_messages(data: dict[str, Any], bot: Bot) -> list[Incoming]:
    """The inbox messages for one update ([] for update kinds we ignore)."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise BadEvent("not a Telegram update (no update_id)")
    try:
        update = Update.de_json(data, bot)
    except (KeyError, TypeError, ValueError) as error:
        raise BadEvent(f"unreadable update: {type(error).__name__}") from None
    key = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        extra = {"callback_query_id": query.id}
        return [Incoming(CHANNEL, key, str(chat), "text", text=query.data or "", extra=extra)]
    message = update.message  # edited messages and channel posts are other fields
    if message is None:
        return []
    chat = str(message.chat.id)
    if message.location is not None:
        loc = message.location
        return [Incoming(CHANNEL, key, chat, "location", lat=loc.latitude, long=loc.longitude)]
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return [
            Incoming(CHANNEL, key, chat, "image", text=message.caption or "", media=largest.file_id)
        ]
    if message.voice is not None or message.audio is not None:
        media = (message.voice or message.audio).file_id
        return [Incoming(CHANNEL, key, chat, "audio", media=media)]
    if message.text:
        return [Incoming(CHANNEL, key, chat, "text", text=message.text)]
    return []  # stickers, documents, contacts…: nothing the conversation can read


def keyboard(buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup | None:
    """Buttons as an inline keyboard, one per row; a payload too long for Telegram's
    64-byte callback data sends the button's title instead."""
    rows = []
    for button in buttons:
        title, payload = str(button["title"]), str(button["payload"])
        data = payload if len(payload.encode()) <= MAX_CALLBACK_BYTES else title
        rows.append(
            [
                InlineKeyboardButton(
                    title[:64], callback_data=data.encode()[:64].decode("utf-8", "ignore")
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


class TelegramAdapter:
    """Delivers outbox payloads to Telegram chats and fetches the photos they send."""

    name = CHANNEL

    def __init__(self, config: ChannelConfig, bot: Bot | None = None) -> None:
        self.bot = bot or make_bot(config)
        self._ready = asyncio.Lock()
        self._initialized = False
        self.last_error: str | None = None

    def state(self) -> str:
        return f"degraded: {self.last_error}" if self.last_error else "ok"

    async def _bot(self) -> Bot:
        async with self._ready:
            if not self._initialized:
                await self.bot.initialize()
                self._initialized = True
        return self.bot

    async def aclose(self) -> None:
        if self._initialized:
            await self.bot.shutdown()

    def parts(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """Text parts (the buttons on the last), then the photo: one Telegram message each."""
        out: list[dict[str, Any]] = []
        text = str(payload.get("text") or "")
        buttons = payload.get("buttons") or []
        if text or buttons:
            out += [{"text": part} for part in split_text(text or "…", MAX_TEXT)]
            if buttons:
                out[-1]["buttons"] = buttons
        if payload.get("image"):
            out.append({"photo": str(payload["image"])})
        return out

    def admits(self, free: int) -> int:
        return free

    async def prepare(self) -> None:
        return None

    async def deliver(self, outgoing: Outgoing, sent: PartSent) -> Delivery:
        try:
            bot = await self._bot()
            for part in outgoing.parts:
                if "photo" in part.body:
                    message = await bot.send_photo(outgoing.user_id, part.body["photo"])
                else:
                    markup = keyboard(part.body.get("buttons") or [])
                    message = await bot.send_message(
                        outgoing.user_id, part.body["text"], reply_markup=markup
                    )
                await sent(part.index, str(message.message_id))
        except RetryAfter as error:
            self.last_error = "rate limited"
            seconds = error.retry_after
            delay = seconds.total_seconds() if hasattr(seconds, "total_seconds") else seconds
            return Delivery("retry", str(error), retry_after=float(delay), reason="rate_limited")
        except Forbidden as error:  # the citizen blocked the bot
            return Delivery("undeliverable", str(error), reason="blocked")
        except BadRequest as error:
            return Delivery("failed", str(error), reason="invalid")
        except (NetworkError, TelegramError) as error:
            self.last_error = type(error).__name__
            return Delivery("retry", f"telegram: {type(error).__name__}: {error}")
        self.last_error = None
        return Delivery.sent()

    async def fetch_media(self, reference: str) -> bytes:
        try:
            bot = await self._bot()
            file = await bot.get_file(reference)
            return bytes(await file.download_as_bytearray())
        except BadRequest as error:
            raise MediaUnavailable(str(error), permanent=True) from None
        except TelegramError as error:
            raise MediaUnavailable(type(error).__name__) from None

    async def answer_callback(self, callback_query_id: str) -> None:
        """Stop the button's spinner; best effort (the message is stored already)."""
        try:
            bot = await self._bot()
            await bot.answer_callback_query(callback_query_id)
        except TelegramError as error:
            log.warning(
                "callback answer failed: %s",
                type(error).__name__,
                extra={"channel": CHANNEL, "event": "callback_answer_failed"},
            )
