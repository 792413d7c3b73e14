"""Following a report: ask for the tracking code if missing, then read its state."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language, latest_text, open_store
from actions.messages import describe, send
from actions.report_form import is_cancel
from bot.base.codes import find_code
from bot.domain.public import face


def rating_buttons(report: dict[str, Any], may_rate: bool = True) -> list[dict[str, str]]:
    """1–5 stars for a closed, unrated report the citizen may rate (the dialogue reads
    them as feedback)."""
    if not may_rate or report.get("status") != "closed" or report.get("rating"):
        return []
    code = report["service_request_id"]
    return [
        {"title": f"{n} ⭐", "payload": f'/give_feedback{{"rating": "{n}", "report_id": "{code}"}}'}
        for n in (5, 4, 3, 2, 1)
    ]


class ValidateStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("requested_slot") and is_cancel(latest_text(tracker)):
            send(dispatcher, "anything_else", language(tracker))
            return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("report_id", None)]
        return await super().run(dispatcher, tracker, domain)

    async def validate_report_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        code = find_code(str(value or "")) or find_code(latest_text(tracker))
        if code:
            return {"report_id": code}
        send(dispatcher, "code_invalid", language(tracker))
        return {"report_id": None}


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        code = find_code(str(tracker.get_slot("report_id") or ""))
        if not code:
            return []  # the form was cancelled
        with open_store() as store:
            report = store.get_report(code)
            may_rate = report is not None and store.may_rate(report, tracker.sender_id) is None
        if report is None:
            send(dispatcher, "report_not_found", lang, code=code)
            return [SlotSet("report_id", None)]
        # Anyone with a code reads it: the public face, and stars only for who may rate.
        dispatcher.utter_message(
            text=describe(face(report), lang, ask_rating=may_rate),
            buttons=rating_buttons(report, may_rate),
        )
        return [SlotSet("report_id", None)]
