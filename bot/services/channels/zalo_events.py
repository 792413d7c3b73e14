"""Zalo OA webhook events → channel-neutral inbox messages.

Ids arrive as strings. Events that carry nothing for the conversation (the OA's own echoes,
seen/received receipts, unfollow, stickers) give no message: they are acknowledged only.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from bot.base.clock import HUE_TZ, iso, now
from bot.domain.messages import Incoming
from bot.services.channels.base import BadEvent

CHANNEL = "zalo"
USER_EVENTS = {
    "user_send_text",
    "user_send_image",
    "user_send_location",
    "user_send_audio",
    "user_send_gif",
    "user_send_link",
    "user_send_file",
    "user_send_sticker",
    "user_send_business_card",
}


# A signed event is accepted only this close to its own timestamp (ms since the epoch, in
# the signature): a recorded event replayed later, after the inbox forgot its id, is refused.
WINDOW_S = 15 * 60


def fresh(event: dict[str, Any], now_s: float | None = None, window_s: float = WINDOW_S) -> bool:
    """Whether the event's signed timestamp is within ``window_s`` of now."""
    try:
        sent = int(str(event.get("timestamp"))) / 1000
    except ValueError:
        return False
    now_s = time.time() if now_s is None else now_s
    return abs(now_s - sent) <= window_s


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def to_messages(event: dict[str, Any]) -> list[Incoming]:
    """The inbox messages for one event ([] for events we only acknowledge)."""
    name = _str(event.get("event_name"))
    if name == "follow":
        follower = _str((event.get("follower") or {}).get("id"))
        if not follower:
            raise BadEvent("follow event without follower.id")
        msg_id = f"follow:{follower}:{_str(event.get('timestamp'))}"
        return [Incoming(CHANNEL, msg_id, follower, "follow")]
    if name not in USER_EVENTS:
        return []
    sender = _str((event.get("sender") or {}).get("id"))
    message = event.get("message")
    if not sender or not isinstance(message, dict) or not _str(message.get("msg_id")):
        raise BadEvent(f"{name} without sender.id or message.msg_id")
    msg_id = _str(message["msg_id"])
    text = _str(message.get("text"))
    attachments = [a for a in message.get("attachments") or [] if isinstance(a, dict)]
    if name == "user_send_text":
        return [Incoming(CHANNEL, msg_id, sender, "text", text=text)] if text.strip() else []
    if name == "user_send_location":
        for attachment in attachments:
            coordinates = (attachment.get("payload") or {}).get("coordinates") or {}
            lat, long = _float(coordinates.get("latitude")), _float(coordinates.get("longitude"))
            if lat is not None and long is not None:
                return [Incoming(CHANNEL, msg_id, sender, "location", lat=lat, long=long)]
        raise BadEvent("user_send_location without coordinates")
    if name in ("user_send_image", "user_send_audio"):
        kind = "image" if name == "user_send_image" else "audio"
        for attachment in attachments:
            url = _str((attachment.get("payload") or {}).get("url"))
            if url:
                return [Incoming(CHANNEL, msg_id, sender, kind, text=text, media=url)]
        raise BadEvent(f"{name} without payload.url")
    if name == "user_send_link" and text.strip():
        return [Incoming(CHANNEL, msg_id, sender, "text", text=text)]
    return []  # stickers, gifs, files, business cards: nothing the conversation can read


def interaction(event: dict[str, Any]) -> tuple[str, str] | None:
    """``(sender_id, when)`` for an event in which a citizen wrote to the OA (any
    ``user_send_*``, a sticker too), else None: what Zalo's messaging window counts from.

    The time is the event's own (a retry an hour later does not move the window), never
    later than now; our clock when the event has none.
    """
    if _str(event.get("event_name")) not in USER_EVENTS:
        return None
    sender = _str((event.get("sender") or {}).get("id"))
    if not sender:
        return None
    moment = now()
    try:
        sent = datetime.fromtimestamp(int(_str(event.get("timestamp"))) / 1000, HUE_TZ)
        moment = min(moment, sent)
    except (ValueError, OverflowError, OSError):
        pass
    return f"{CHANNEL}:{sender}", iso(moment)
