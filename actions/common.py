"""Helpers shared by the actions: the citizen's language, the store, safe text."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rasa_sdk import Tracker

from bot.base import settings
from bot.storage.store import Store

log = logging.getLogger("hue_assist.actions")

REPORT_SLOTS = ("category", "location", "ward", "lat", "long", "description", "photo", "phone")
SKIP = "none"  # slot value meaning "the citizen chose to skip this optional field"


def language(tracker: Tracker) -> str:
    """The reply language: "en" when the citizen writes English, otherwise Vietnamese."""
    return "en" if tracker.get_slot("language") == "en" else "vi"


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
