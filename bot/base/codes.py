"""Identifiers, one definition each: report codes, channels, sender ids, log tags."""

from __future__ import annotations

import hashlib
import re

# ``PA-YYYY-NNNNNN``: the tracking code a citizen is given.
CODE_RE = re.compile(r"^PA-(\d{4})-(\d{6})$")
# The same code as people type it ("pa 2026 000123", "PA_2026_000123").
CODE_IN_TEXT_RE = re.compile(r"\bPA[\s_-]?(\d{4})[\s_-]?(\d{6})\b", re.I)

CHANNELS = ("zalo", "telegram", "web", "hotline", "open311")
NOTIFIABLE = ("zalo", "telegram", "web")  # channels we can write back to
# A web chat citizen's id as the page sends it (the gateway adds ``web:``).
SENDER_RE = re.compile(r"[A-Za-z0-9_.-]{1,128}")
WEB_PREFIX = "web:"


def find_code(text: str | None) -> str | None:
    """A tracking code in any common spelling as ``PA-2026-000123``, or None."""
    match = CODE_IN_TEXT_RE.search(text or "")
    return f"PA-{match.group(1)}-{match.group(2)}" if match else None


def channel_of(sender_id: str) -> str:
    """The channel of a ``channel:user_id`` sender id; "web" for anything else (Rasa's REST
    channel and the web page use bare or ``web:`` ids)."""
    prefix = sender_id.split(":", 1)[0] if ":" in sender_id else ""
    return prefix if prefix in CHANNELS else "web"


def who(sender_id: str) -> str:
    """A short stable tag for logs: which conversation, without the citizen's id itself."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:12]
