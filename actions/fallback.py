"""The first stage of the two-stage fallback: "did you mean …?" in the citizen's words."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language
from actions.messages import button, send

# The intents offered as "did you mean …?"; each has its label ``intent_<name>`` in
# bot/base/texts.py.
INTENTS = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "ask_info",
    "report_incident",
    "check_status",
    "give_feedback",
    "request_human",
    "bot_challenge",
)


class ActionDefaultAskAffirmation(Action):
    """Offer the most likely meaning as a button, or "something else"."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        candidates = [r["name"] for r in ranking if r.get("name") in INTENTS][:2]
        buttons = [button(f"intent_{intent}", lang, f"/{intent}") for intent in candidates]
        buttons.append(button("button_something_else", lang, "/out_of_scope"))
        send(dispatcher, "did_you_mean", lang, buttons)
        return []
