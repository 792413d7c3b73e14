"""A citizen in danger: the emergency number at once, then an urgent report if they want.

``EmergencyPolicy`` (inside Rasa) predicts this action for any message about a person in
danger, whatever form or question was going on. The reply names the number to call first
and one thing to do now; then the report form runs in its urgent shape: the place asked once
(skippable), the phone asked once (skippable), filed at once with the urgency flag, routed to
the city's operations centre.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values, language, latest_text
from actions.messages import send
from actions.report_form import previous_value, reset_report_slots, revert_candidates
from bot.base import settings
from bot.base.codes import who
from bot.domain import gazetteer
from bot.domain.emergency import alert_text, detect
from bot.storage.store import MAX_DESCRIPTION

log = logging.getLogger("hue_assist.actions.emergency")


def place_in(tracker: Tracker, text: str) -> tuple[str | None, str | None]:
    """The place and ward the message itself names, if they look like a place."""
    places = [str(v) for v in entity_values(tracker, "location") if v]
    place = max(places, key=len) if places else None
    if place and not gazetteer.looks_like_place(place, text):
        place = None
    wards = [gazetteer.lookup(str(v)) for v in entity_values(tracker, "ward") if v]
    ward = next((w for w in wards if w), None) or gazetteer.find_in(text)
    if place is None and ward is not None:
        place = f"{gazetteer.kind(ward)} {ward}"
    return place, ward


class ActionEmergency(Action):
    """The number first, then the urgent report (place, phone: each asked once)."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        alert = detect(text)
        if alert is None:  # the policy saw one; a stale prediction must not go silent
            return []
        lang = language(tracker)
        active = (tracker.active_loop or {}).get("name")
        log.info(
            "emergency",
            extra={"who": who(tracker.sender_id), "kind": alert.kind, "loop": active},
        )
        current = tracker.get_slot("emergency")
        earlier = tracker.get_slot("description") if current else None
        if current and active == "report_form" and alert.kind in (current, "distress"):
            # More about the same danger while the urgent report is written: the number
            # again, the words added to the report, and the open question asked again.
            send(dispatcher, "urgent_reminder", lang, number=alert.numbers[0])
            description = f"{earlier or ''} / {text}".strip(" /")[:MAX_DESCRIPTION]
            return [*revert_candidates(tracker), SlotSet("description", description)]
        dispatcher.utter_message(text=alert_text(alert, lang, settings.load().disaster_line))
        events: list[EventType] = []
        if active:
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        if active == "report_form" and tracker.get_slot("category") and not current:
            send(dispatcher, "urgent_report_dropped", lang)
        place, ward = place_in(tracker, text)
        if current and not place:  # a second, different danger in the same urgent report
            place = previous_value(tracker, "location")
            ward = previous_value(tracker, "ward")
        description = f"{earlier or ''} / {text}".strip(" /")[:MAX_DESCRIPTION]
        events += reset_report_slots()
        events += [
            SlotSet("emergency", alert.kind),
            SlotSet("category", alert.category),
            SlotSet("description", description),
            SlotSet("location", place),
            SlotSet("ward", ward),
            FollowupAction("report_form"),
        ]
        return events
