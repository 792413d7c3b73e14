"""Satisfaction feedback: a 1–5 rating and a comment on the citizen's latest report.

Only the reporter or a follower of a closed report rates it (and comments), once; they
may change their own rating. Anyone else is told politely why not (``Store.may_rate``)."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values, language, latest_text, open_store
from actions.messages import send
from bot.base.codes import find_code, who
from bot.base.text import clean, fold_words
from bot.storage.store import NotAllowed, StoreError

log = logging.getLogger("hue_assist.actions.feedback")

NUMBER_WORDS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
}
# Folded phrases → rating, longest first so "khong hai long" wins over "hai long".
SENTIMENT = (
    ("rat khong hai long", 1),
    ("qua te", 1),
    ("rat te", 1),
    ("very bad", 1),
    ("khong hai long", 2),
    ("chua hai long", 2),
    ("te", 2),
    ("cham", 2),
    ("bad", 2),
    ("unsatisfied", 2),
    ("binh thuong", 3),
    ("tam duoc", 3),
    ("okay", 3),
    ("rat hai long", 5),
    ("tuyet voi", 5),
    ("xuat sac", 5),
    ("very satisfied", 5),
    ("excellent", 5),
    ("hai long", 4),
    ("tot", 4),
    ("nhanh", 4),
    ("satisfied", 4),
    ("good", 4),
)


def rating_in(text: str) -> int | None:
    """A 1–5 rating from "5 sao", "4/5", "năm sao" or from plain words of (dis)satisfaction."""
    words = fold_words(text)
    joined = " ".join(words)
    match = re.search(r"\b([1-5])\s*(?:/\s*5|sao|diem|star|stars)?\b", joined)
    if match and not re.search(r"\d{2,}", match.group(0)):
        return int(match.group(1))
    for i, word in enumerate(words):
        if (
            word in NUMBER_WORDS
            and i + 1 < len(words)
            and words[i + 1] in {"sao", "diem", "stars", "star"}
        ):
            return NUMBER_WORDS[word]
    padded = f" {joined} "
    for phrase, value in SENTIMENT:
        if f" {phrase} " in padded:
            return value
    return None


class ActionGiveFeedback(Action):
    def name(self) -> str:
        return "action_give_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        text = latest_text(tracker)
        from_button = text.startswith("/")
        given = [v for v in entity_values(tracker, "rating") if str(v).isdigit()]
        rating = int(given[0]) if given else rating_in(text)
        comment = None if from_button else clean(text)[:1000]
        with open_store() as store:
            code = find_code(text)
            report = store.get_report(code) if code else store.latest_report_of(tracker.sender_id)
            if report is None:
                send(dispatcher, "feedback_no_report", lang)
                return []
            code = report["service_request_id"]
            refused = store.may_rate(report, tracker.sender_id)
            if refused is not None:
                return _refuse(dispatcher, tracker, lang, code, refused)
            if rating is None:
                send(dispatcher, "feedback_ask_rating", lang, _stars(), code=code)
                return []
            try:
                store.rate_report(code, rating, comment, sender_id=tracker.sender_id)
            except NotAllowed as error:
                return _refuse(dispatcher, tracker, lang, code, error)
            except StoreError as error:
                log.warning(
                    "rating refused", extra={"who": who(tracker.sender_id), "why": str(error)}
                )
                return []
        log.info("report rated", extra={"who": who(tracker.sender_id), "report": code})
        send(dispatcher, "feedback_thanks", lang, rating=rating, code=code)
        return [SlotSet("rating", None)]


REFUSALS = {
    "not_yours": "feedback_not_yours",
    "not_closed": "feedback_not_closed",
    "rated": "feedback_already_rated",
}


def _stars() -> list[dict[str, str]]:
    return [
        {"title": f"{n} ⭐", "payload": f'/give_feedback{{"rating": "{n}"}}'}
        for n in (5, 4, 3, 2, 1)
    ]


def _refuse(
    dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, code: str, why: NotAllowed
) -> list[EventType]:
    """Tell the citizen politely why they cannot rate this report (nothing is stored)."""
    log.info(
        "rating refused",
        extra={"who": who(tracker.sender_id), "report": code, "why": why.reason},
    )
    send(dispatcher, REFUSALS[why.reason], lang, code=code)
    return [SlotSet("rating", None)]
