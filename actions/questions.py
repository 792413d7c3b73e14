"""Form questions (``action_ask_<slot>``) and the fallback texts, in the citizen's language."""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language
from actions.messages import send
from bot.base.texts import TEXTS


class AskAction(Action, abc.ABC):
    """Sends the question for one slot; subclasses only name the slot."""

    @property
    @abc.abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("pending_incident"):
            return []  # the citizen is choosing what to do with a second problem first
        key = f"ask_{self.slot}"
        lang = language(tracker)
        if tracker.get_slot("emergency") and f"{key}_urgent" in TEXTS:
            key = f"{key}_urgent"
            place = tracker.get_slot("location")
            if self.slot == "phone" and place:  # say what was understood as the place
                send(dispatcher, "urgent_place_heard", lang, place=place)
        send(dispatcher, key, lang)
        return []


class AskCategory(AskAction):
    slot = "category"


class AskLocation(AskAction):
    slot = "location"


class AskDescription(AskAction):
    slot = "description"


class AskPhoto(AskAction):
    slot = "photo"


class AskPhone(AskAction):
    slot = "phone"


class AskReportId(AskAction):
    slot = "report_id"


class ActionDefaultAskRephrase(Action):
    """Second stage of the two-stage fallback: ask the citizen to say it differently."""

    def name(self) -> str:
        return "action_default_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, "ask_rephrase", language(tracker))
        return []


class ActionDefaultFallback(Action):
    """Last resort: point to the hotline and forget the message that was not understood."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, "default", language(tracker))
        return [UserUtteranceReverted()]
