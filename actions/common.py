"""Helpers shared by the actions: the citizen's language, the store, safe text."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rasa_sdk import Tracker

from bot import settings
from bot.store import Store

log = logging.getLogger("hue_assist.actions")

REPORT_SLOTS = ("category", "location", "ward", "lat", "long", "description", "photo", "phone")
SKIP = "none"  # slot value meaning "the citizen chose to skip this optional field"


def language(tracker: Tracker) -> str:
    """The reply language: "en" when the citizen writes English, otherwise Vietnamese."""
    return "en" if tracker.get_slot("language") == "en" else "vi"


def say(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


@contextmanager
def open_store() -> Iterator[Store]:
    """The reports store at ``HUE_ASSIST_HOME``, opened for one action run."""
    store = Store(settings.load().db_path)
    try:
        yield store
    finally:
        store.close()


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def entity_values(tracker: Tracker, entity: str) -> list[Any]:
    return list(tracker.get_latest_entity_values(entity))


def channel_of(sender_id: str) -> str:
    """Channel name from a ``channel:user_id`` sender id; "web" for anything else."""
    prefix = sender_id.split(":", 1)[0] if ":" in sender_id else ""
    return prefix if prefix in {"zalo", "telegram", "web", "hotline"} else "web"


def who(sender_id: str) -> str:
    """A short stable tag for logs: which conversation, without the user's id itself."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:12]
