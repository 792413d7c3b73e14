"""Follow the citizen's language: set the ``language`` slot after every message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.common import latest_text
from bot.text import detect_language


class ValidateSlotMappings(ValidationAction):
    """Runs at the end of ``action_extract_slots`` for slots with custom mappings."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        previous = tracker.get_slot("language")
        detected = detect_language(latest_text(tracker), previous)
        return {"language": detected} if detected != previous else {}
