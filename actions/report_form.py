"""The field-report journey: collect, validate, read back, file, correct or cancel."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    REPORT_SLOTS,
    SKIP,
    entity_values,
    language,
    latest_intent,
    latest_text,
    open_store,
)
from actions.messages import button, describe, send
from bot.base import texts
from bot.base.codes import channel_of, who
from bot.base.text import clean, fold, fold_words
from bot.domain import categories, gazetteer, lifecycle
from bot.domain.emergency import KINDS, detect
from bot.domain.notifications import TEMPLATE as REPORT_STATUS
from bot.domain.public import face
from bot.services import category_meaning
from bot.services.channels import config as channel_config
from bot.storage.store import MAX_DESCRIPTION, StoreError

log = logging.getLogger("hue_assist.actions.report")

CANCEL_PHRASES = frozenset(
    {
        "thoi",
        "thoi khoi",
        "thoi khong",
        "thoi khong can",
        "thoi bo qua",
        "huy",
        "huy bo",
        "huy di",
        "huy phan anh",
        "thoi huy",
        "khong bao nua",
        "khong gui nua",
        "dung lai",
        "cancel",
        "stop",
        "quit",
        "nevermind",
        "never mind",
        "forget it",
    }
)
SKIP_PHRASES = frozenset(
    {"khong", "khong co", "bo qua", "skip", "no", "none", "ko co", "khong can", "chua co"}
)
URL_RE = re.compile(r"^(https?://\S+|media/[\w./-]+)$", re.I)
PHONE_RE = re.compile(r"(?:\+?84|0)(?:[\s.-]?\d){9,10}")
GENERIC_WORDS = frozenset(
    """toi muon phan anh bao cao gui mot su co viec o can giup voi a nhe report want to
        an issue problem i a please ve cho minh""".split()
)
EDITABLE = ("category", "location", "description", "photo", "phone")
URGENT_SLOTS = ["location", "phone"]  # an urgent report: the place and a call-back number
# Stored as the report's address, read by the city's staff: always in Vietnamese.
UNKNOWN_PLACE = texts.text("unknown_place", "vi")
# Words that announce a second, different problem ("à còn …", "ngoài ra …", "also …").
ANOTHER = frozenset({"con", "nua", "ngoai ra", "them", "also", "another", "plus", "voi lai"})
CHOICES = ("both", "replace", "keep")


def is_cancel(text: str) -> bool:
    """True when a message asks to abandon the report ("thôi", "hủy", "cancel").

    "hủy …" always cancels; "thôi …" only with a refusal in it ("thôi không báo nữa"),
    because "thôi được rồi, gửi đi" means the opposite.
    """
    words = fold_words(text)
    joined = " ".join(words)
    if joined in CANCEL_PHRASES:
        return True
    if not words or len(words) > 6:
        return False
    if words[0] in {"huy", "cancel"}:
        return True
    return words[0] == "thoi" and bool({"khong", "nua", "bo", "thoi"} & set(words[1:]))


def is_skip(text: str, intent: str | None) -> bool:
    return intent == "deny" or " ".join(fold_words(text)) in SKIP_PHRASES


def phone_in(text: str) -> str | None:
    match = PHONE_RE.search(text or "")
    return re.sub(r"[\s.-]", "", match.group(0)) if match else None


def describes_problem(text: str, guessed: str | None = None) -> bool:
    """A first message counts as a description if it names the problem and says more.

    The problem is named by a listed phrase, or by ``guessed``: the category its meaning
    gave (``category_meaning``) when no phrase names one.
    """
    named = categories.match(text) is not None or guessed is not None
    return named and content_words(text) >= 4


def content_words(text: str) -> int:
    """How many words the text has beyond "I want to report" (``GENERIC_WORDS``)."""
    return len([w for w in fold_words(text) if w not in GENERIC_WORDS])


def says_enough(text: str) -> bool:
    """Enough words beyond "I want to report" for a category to be guessed from meaning."""
    return content_words(text) >= 3


async def meaning_guess(text: str) -> str | None:
    """The category ``text`` describes by its meaning, or None (not confident, vague, or
    ``EMBEDDING_MODEL=none``); off the event loop, the model being CPU work."""
    return await asyncio.to_thread(category_meaning.guess, text)


class ValidateReportForm(FormValidationAction):
    """Validation of the report form, plus cancellation and field correction."""

    def name(self) -> str:
        return "validate_report_form"

    def __setstate__(self, state: dict) -> None:
        # In the worker (Sanic copies the actions by pickling): build the category
        # classifier now, off the request path, as action_answer_info does with its index.
        self.__dict__.update(state)
        threading.Thread(target=category_meaning.warm, name="category-warm", daemon=True).start()

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        """An urgent report asks only where (once) and a call-back number (skippable)."""
        return URGENT_SLOTS if tracker.get_slot("emergency") else domain_slots

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        if tracker.get_slot("requested_slot") and is_cancel(text):
            lang = language(tracker)
            kind = tracker.get_slot("emergency")
            if kind in KINDS:
                send(dispatcher, "urgent_cancelled", lang, number=KINDS[kind].numbers[0])
            else:
                send(dispatcher, "report_cancelled", lang)
            log.info("report cancelled", extra={"who": who(tracker.sender_id)})
            return [
                ActiveLoop(None),
                SlotSet("requested_slot", None),
                SlotSet("queued_incident", None),
            ] + reset_report_slots()
        if tracker.get_slot("pending_incident"):
            return self._second_problem_answer(dispatcher, tracker)
        if second := second_problem(tracker):
            return self._ask_about_second_problem(dispatcher, tracker, second)
        field = tracker.get_slot("edit_field")
        if field in EDITABLE:
            # The citizen chose a field to correct: empty it so the form asks again.
            return [SlotSet(field, None), SlotSet("edit_field", None)]
        events = await super().run(dispatcher, tracker, domain)
        if kind := tracker.get_slot("emergency"):
            # The category of an urgent report is the danger's, never the tagger's guess.
            alert = detect(tracker.get_slot("description") or "")
            category = alert.category if alert else KINDS.get(kind, KINDS["distress"]).category
            return [*events, SlotSet("category", category)]
        # At activation, neither the tagger nor a phrase named the category: its meaning may
        # ("trụ điện chiếu sáng không hoạt động"). The read-back lets the citizen correct it.
        guessed = None
        if (
            tracker.get_slot("requested_slot") is None
            and not text.startswith("/")
            and not tracker.get_slot("category")
            and not _set_in(events, "category")
            and categories.match(text) is None
            and says_enough(text)
        ):
            guessed = await meaning_guess(text)
        # At activation, a first message that already describes the problem
        # ("đèn đường trước nhà 12 Lê Lợi tắt 3 hôm nay") is the description.
        if (
            tracker.get_slot("requested_slot") is None
            and not tracker.get_slot("description")
            and not text.startswith("/")
            and describes_problem(text, guessed)
        ):
            events.append(SlotSet("description", text[:MAX_DESCRIPTION]))
        # A channel that sends coordinates gives the place without any typing.
        lat, long = _float(tracker.get_slot("lat")), _float(tracker.get_slot("long"))
        if lat is not None and long is not None and not tracker.get_slot("location"):
            if -90 <= lat <= 90 and -180 <= long <= 180:
                events.append(SlotSet("location", f"{lat:.6f}, {long:.6f}"))
            else:
                events += [SlotSet("lat", None), SlotSet("long", None)]
        # DIET missed the category entity: the phrase list may still name it.
        if (
            tracker.get_slot("requested_slot") is None
            and not _set_in(events, "category")
            and (code := categories.match(text) or guessed)
        ):
            events.append(SlotSet("category", code))
        return events

    @staticmethod
    def _ask_about_second_problem(
        dispatcher: CollectingDispatcher, tracker: Tracker, second: dict[str, Any]
    ) -> list[EventType]:
        """A different problem mid-report: file both, replace, or leave the new one."""
        lang = language(tracker)
        current = categories.name(previous_value(tracker, "category") or "other", lang)
        new = categories.name(second["category"], lang)
        buttons = [
            button(
                f"button_second_{choice}",
                lang,
                f'/report_incident{{"incident_choice": "{choice}"}}',
            )
            for choice in CHOICES
        ]
        send(dispatcher, "second_problem", lang, buttons, current=current, new=new)
        log.info("second problem offered", extra={"who": who(tracker.sender_id)})
        return [*revert_candidates(tracker), SlotSet("pending_incident", second)]

    @staticmethod
    def _second_problem_answer(
        dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        """The answer to "both, replace or ignore?"; the form then asks its next question."""
        second = tracker.get_slot("pending_incident") or {}
        choice = tracker.get_slot("incident_choice")
        events = [*revert_candidates(tracker), SlotSet("incident_choice", None)]
        events.append(SlotSet("pending_incident", None))
        if choice == "replace":
            return [
                *events,
                *reset_report_slots(),
                SlotSet("category", second.get("category")),
                SlotSet("description", second.get("text")),
                SlotSet("location", second.get("location")),
                # (not requested_slot None: Rasa reads that as "stop the form")
            ]
        if choice == "both":
            send(dispatcher, "second_problem_queued", language(tracker))
            return [*events, SlotSet("queued_incident", second)]
        return events  # ignored, or another answer: back to the question that was open

    @staticmethod
    def _refuse(
        slot: str, tracker: Tracker, dispatcher: CollectingDispatcher, key: str, **values: Any
    ) -> dict[str, Any]:
        """Refuse a value: explain if the slot was asked for, else keep what was there.

        A value picked up in passing (an entity in an answer to another question) must not
        wipe a field the citizen already gave, nor trigger a complaint about a question that
        was never asked.
        """
        if tracker.get_slot("requested_slot") == slot:
            send(dispatcher, key, language(tracker), **values)
            return {slot: None}
        return {slot: previous_value(tracker, slot)}

    @staticmethod
    def _given_earlier(slot: str, tracker: Tracker) -> Any:
        """The citizen's earlier value of a field the form is not asking for now, if any.

        The entity tagger also finds places and kinds of problem in answers to other
        questions ("ổ gà rất sâu, xe máy dễ té ngã" tagged as a place): such a value must
        not replace what the citizen gave. Corrections go through the read-back.
        """
        requested = tracker.get_slot("requested_slot")
        if requested in (None, slot) or latest_text(tracker).startswith("/"):
            return None
        return previous_value(tracker, slot)

    async def validate_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if earlier := self._given_earlier("category", tracker):
            return {"category": earlier}
        code = categories.match(str(value)) if value else None
        if code is None and tracker.get_slot("requested_slot") == "category":
            answer = latest_text(tracker)
            code = categories.match(answer)
            if code is None and not answer.startswith("/") and says_enough(answer):
                code = await meaning_guess(answer)  # no phrase: what the answer means
        if code:
            return {"category": code}
        return self._refuse("category", tracker, dispatcher, "category_not_recognised")

    async def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        if tracker.get_slot("emergency"):
            return urgent_place(value, tracker)
        if earlier := self._given_earlier("location", tracker):
            return {"location": earlier, "ward": previous_value(tracker, "ward")}
        text = clean(str(value or ""))
        answer = latest_text(tracker)
        if answer.startswith("/") and text.startswith("/"):
            # A channel's structured message (a shared location) is not a typed place.
            return {"location": _coordinates(tracker)}
        if URL_RE.match(text):
            return {"location": None, "photo": text}  # a photo sent early: keep it
        asked = tracker.get_slot("requested_slot") == "location"
        if asked and not answer.startswith("/"):
            # The citizen answered "where?": the whole answer is the place, not just the
            # fragment the entity tagger picked out of it.
            text = clean(answer)
        elif not asked and not gazetteer.looks_like_place(text, answer):
            # Picked up in passing from words that name no place ("nuoc tran len mat
            # duong" tagged "tran"): the form will ask where.
            return {"location": previous_value(tracker, "location")}
        named_ward = tracker.get_slot("ward")
        ward = gazetteer.lookup(named_ward) or gazetteer.find_in(text)
        if named_ward and not ward:
            # Said once, when the citizen answered "where?" with a ward Huế does not have;
            # the name is then dropped, so it is never complained about again (the tagger
            # also reads words like "công an" as wards).
            if asked and not _refused_before(tracker):
                refused = self._refuse(
                    "location", tracker, dispatcher, "ward_not_found", ward=named_ward
                )
                return {**refused, "ward": None}
            named_ward = None
        if len(text.split()) < 2 or len(text) > 300:
            return self._refuse("location", tracker, dispatcher, "place_too_short")
        return {"location": text, "ward": ward}

    async def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        text = clean(str(value or ""))
        if text.startswith("/"):
            return {"description": None}  # a button or a shared location is not a description
        if URL_RE.match(text):
            return {"description": None, "photo": text}  # a photo sent early: keep it
        requested = tracker.get_slot("requested_slot") == "description"
        if not requested and not describes_problem(text):
            return {"description": None}  # a bare "I want to report" is not a description
        if len(text) < 3:
            return {"description": None}
        if len(text) > MAX_DESCRIPTION:
            send(dispatcher, "description_too_long", language(tracker), limit=MAX_DESCRIPTION)
            text = text[:MAX_DESCRIPTION]
        return {"description": text}

    async def validate_photo(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        text = clean(str(value or ""))
        if URL_RE.match(text):
            return {"photo": text}
        if is_skip(text, latest_intent(tracker)):
            return {"photo": SKIP}
        send(dispatcher, "photo_missing", language(tracker))
        return {"photo": None}

    async def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        text = clean(str(value or ""))
        number = phone_in(text)
        if number:
            return {"phone": number}
        if is_skip(text, latest_intent(tracker)):
            return {"phone": SKIP}
        if tracker.get_slot("emergency"):
            # No second asking in an emergency: whatever was said instead joins the report.
            description = tracker.get_slot("description") or ""
            if text and not text.startswith("/") and text not in description:
                description = f"{description} / {text}".strip(" /")[:MAX_DESCRIPTION]
            return {"phone": SKIP, "description": description}
        send(dispatcher, "phone_invalid", language(tracker))
        return {"phone": None}


def second_problem(tracker: Tracker) -> dict[str, Any] | None:
    """A different problem described while a report is being written, or None.

    Only where it cannot be part of the current answer: at the photo and phone questions,
    or anywhere with a word announcing another problem ("à còn cây đổ ở kiệt 3 nữa").
    """
    requested = tracker.get_slot("requested_slot")
    current = previous_value(tracker, "category")  # the slot may hold the new one already
    text = latest_text(tracker)
    if tracker.get_slot("emergency") or not current or not requested or requested == "category":
        return None
    if text.startswith("/") or latest_intent(tracker) != "report_incident":
        return None
    found = [categories.match(str(v)) for v in entity_values(tracker, "category") if v]
    new = next((c for c in found if c and c != current), None)
    if new is None or not describes_problem(text):
        return None
    words = " ".join(fold_words(text))
    announced = any(f" {w} " in f" {words} " for w in ANOTHER)
    if requested not in ("photo", "phone") and not announced:
        return None
    places = [str(v) for v in entity_values(tracker, "location") if v]
    place = max(places, key=len) if places else None
    if place and not gazetteer.looks_like_place(place, text):
        place = None
    return {"category": new, "text": text[:MAX_DESCRIPTION], "location": place}


def revert_candidates(tracker: Tracker) -> list[EventType]:
    """Undo what Rasa's slot mappings took from the latest message (it was not an answer).

    Every slot set since the citizen's latest message goes back to its value before it.
    """
    skip = {"requested_slot", "incident_choice", "pending_incident", "language"}
    changed: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        name = event.get("name")
        if event.get("event") == "slot" and name not in skip and name not in changed:
            changed.append(name)
    return [SlotSet(slot, previous_value(tracker, slot)) for slot in changed]


def urgent_place(value: Any, tracker: Tracker) -> dict[str, Any]:
    """The place of an urgent report: asked once, so any answer is taken as it is.

    "Không rõ" or the skip button files it without a place (the operations centre calls
    back); a shared location gives coordinates.
    """
    answer = latest_text(tracker)
    if tracker.get_slot("requested_slot") != "location":
        # At activation: a place the tagger found in the message itself, if it looks like
        # one, else the ward it names; otherwise the form asks.
        text = clean(str(value or ""))
        if text and gazetteer.looks_like_place(text, answer):
            return {"location": text}
        ward = gazetteer.lookup(tracker.get_slot("ward")) or gazetteer.find_in(answer)
        return {"location": f"{gazetteer.kind(ward)} {ward}" if ward else None, "ward": ward}
    if coordinates := _coordinates(tracker):
        return {"location": coordinates}
    if value is None or (detect(answer) and not gazetteer.looks_like_place(answer, answer)):
        return {"location": None}  # more about the danger, not the place: asked again
    if answer.startswith("/") or is_skip(answer, latest_intent(tracker)) or _unknown(answer):
        return {"location": UNKNOWN_PLACE, "ward": None}
    text = clean(answer)[:300]
    ward = gazetteer.lookup(tracker.get_slot("ward")) or gazetteer.find_in(text)
    return {"location": text, "ward": ward}


def _unknown(text: str) -> bool:
    words = " ".join(fold_words(text))
    return words in {"khong biet", "khong ro", "chua ro", "khong nho", "dont know", "not sure"}


def _refused_before(tracker: Tracker) -> bool:
    """True when this report already had an unknown ward pointed out (say it only once)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == "report_form":
            return False
        said = event.get("text") or "" if event.get("event") == "bot" else ""
        if texts.is_text("ward_not_found", said):
            return True
    return False


def _set_in(events: list[EventType], slot: str) -> bool:
    """True if ``events`` end with the slot holding a value."""
    values = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == slot]
    return bool(values and values[-1])


def previous_value(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (what the citizen had given)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def reset_report_slots() -> list[EventType]:
    """Empty every field of the report being written (a queued second report stays)."""
    names = (
        *REPORT_SLOTS,
        "edit_field",
        "duplicate_candidate",
        "emergency",
        "pending_incident",
        "incident_choice",
    )
    return [*(SlotSet(slot, None) for slot in names), SlotSet("duplicate_offered", False)]


def summary(tracker: Tracker, lang: str) -> str:
    """The read-back of a report before it is filed."""
    slot = tracker.get_slot
    ward = slot("ward")
    place = slot("location") or ""
    if ward and fold(ward) not in fold(place):
        place = f"{place} ({gazetteer.kind(ward)} {ward})"
    if slot("lat") is not None and slot("long") is not None:
        place = f"{place} [{slot('lat')}, {slot('long')}]".strip()
    photo = slot("photo")
    phone = slot("phone")
    none = texts.text("label_none", lang)
    fields = (
        ("label_type", categories.name(slot("category") or "other", lang)),
        ("label_place", place),
        ("label_description", slot("description")),
        ("label_photo", photo if photo and photo != SKIP else none),
        ("label_phone", phone if phone and phone != SKIP else none),
    )
    lines = [
        texts.text("readback", lang),
        *(f"- {texts.text(label, lang)}: {value}" for label, value in fields),
        texts.text("readback_question", lang),
    ]
    return "\n".join(lines)


class ActionConfirmReport(Action):
    """Read the collected report back and ask the citizen to confirm it."""

    def name(self) -> str:
        return "action_confirm_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not tracker.get_slot("category") or not tracker.get_slot("description"):
            return []  # the form was cancelled; it already said so
        lang = language(tracker)
        if tracker.get_slot("emergency"):
            return [FollowupAction("action_file_report")]  # no read-back: minutes count
        dispatcher.utter_message(
            text=summary(tracker, lang),
            buttons=[
                button("button_send", lang, "/affirm"),
                button("button_change", lang, "/deny"),
            ],
        )
        return []


def _coordinates(tracker: Tracker) -> str | None:
    """The place as "lat, long" when the latest message shared valid coordinates."""
    lat, long = _float(tracker.get_slot("lat")), _float(tracker.get_slot("long"))
    if lat is None or long is None or not (-90 <= lat <= 90 and -180 <= long <= 180):
        return None
    return f"{lat:.6f}, {long:.6f}"


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def offer_existing(
    dispatcher: CollectingDispatcher, tracker: Tracker, lang: str
) -> list[EventType]:
    """When an open report of the same problem at the same place exists, offer to follow it
    instead of filing again (FixMyStreet's way); the citizen answers yes or no."""
    slot = tracker.get_slot
    with open_store() as store:
        existing = store.find_duplicate(
            service_code=slot("category"),
            address=slot("location"),
            ward=slot("ward"),
            lat=_float(slot("lat")),
            long=_float(slot("long")),
        )
    if existing is None:
        return []
    code = existing["service_request_id"]
    send(
        dispatcher,
        "duplicate_offer",
        lang,
        [
            button("button_follow", lang, "/affirm", code=code),
            button("button_file_new", lang, "/deny"),
        ],
        code=code,
        address=existing.get("address") or "",
        state=lifecycle.name(existing["state"], lang),
    )
    log.info("duplicate offered", extra={"who": who(tracker.sender_id), "report": code})
    return [SlotSet("duplicate_offered", True), SlotSet("duplicate_candidate", code)]


class ActionFollowReport(Action):
    """The citizen follows the existing report: subscribe them, show where it stands."""

    def name(self) -> str:
        return "action_follow_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        code = tracker.get_slot("duplicate_candidate")
        with open_store() as store:
            report = store.get_report(code) if code else None
            if report is not None:
                store.subscribe(code, tracker.sender_id, lang)
        if report is None:
            send(dispatcher, "anything_else", lang)
            return reset_report_slots()
        log.info("report followed", extra={"who": who(tracker.sender_id), "report": code})
        dispatcher.utter_message(
            text=texts.text("report_followed", lang, code=code)
            + "\n"
            + describe(face(report), lang)  # another citizen's report: its public face
        )
        return reset_report_slots() + [SlotSet("report_id", code)]


class ActionFileReport(Action):
    """File the confirmed report and tell the citizen its tracking code."""

    def name(self) -> str:
        return "action_file_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slot = tracker.get_slot
        lang = language(tracker)
        if not slot("category") or not slot("description"):
            send(dispatcher, "anything_else", language(tracker))
            return []
        if not slot("duplicate_offered") and not slot("emergency"):
            # (An urgent report is never held back as a duplicate: the centre sees each.)
            offer = offer_existing(dispatcher, tracker, lang)
            if offer:
                return offer
        return file_now(dispatcher, tracker, lang)


def progress_note(sender_id: str, phone_given: bool) -> str | None:
    """How a Zalo citizen will hear about progress (a text key), or None elsewhere: Zalo
    lets the city write only within 7 days of their last message; after that a template
    message (when the city has one), a call (when they gave a phone), or they ask."""
    if channel_of(sender_id) != "zalo":
        return None
    if REPORT_STATUS in channel_config.templates(dict(os.environ)):
        return "zalo_progress_template"
    return "zalo_progress_call" if phone_given else "zalo_progress_ask"


def file_now(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[EventType]:
    """File the report in the slots, tell its code, and take up a queued second report."""
    slot = tracker.get_slot
    photo, phone = slot("photo"), slot("phone")
    kind = slot("emergency")
    urgent = kind in KINDS
    category = slot("category")
    if urgent and category not in categories.BY_CODE:
        category = KINDS[kind].category  # the tagger's guess must not block an urgent report
    try:
        with open_store() as store:
            report = store.file_report(
                service_code=category,
                description=slot("description"),
                channel=channel_of(tracker.sender_id),
                sender_id=tracker.sender_id,
                address=slot("location") or (UNKNOWN_PLACE if urgent else None),
                ward=slot("ward"),
                lat=_float(slot("lat")),
                long=_float(slot("long")),
                media_url=photo if photo and photo != SKIP else None,
                phone=phone if phone and phone != SKIP else None,
                language=lang,
                emergency=kind if urgent else None,
            )
    except StoreError as error:
        log.warning(
            "report refused", extra={"who": who(tracker.sender_id), "why": str(error)[:200]}
        )
        send(dispatcher, "report_failed", lang)
        return reset_report_slots()
    code = report["service_request_id"]
    log.info(
        "report filed", extra={"who": who(tracker.sender_id), "report": code, "urgent": urgent}
    )
    if urgent:
        send(dispatcher, "urgent_filed", lang, code=code, number=KINDS[kind].numbers[0])
    else:
        send(dispatcher, "report_filed", lang, code=code)
        note = progress_note(tracker.sender_id, bool(phone and phone != SKIP))
        if note:
            send(dispatcher, note, lang, code=code)
    events = reset_report_slots() + [SlotSet("report_id", code)]
    queued = slot("queued_incident")
    if queued and not urgent:
        name = categories.name(queued.get("category") or "other", lang)
        send(dispatcher, "second_report_next", lang, category=name)
        events += [
            SlotSet("queued_incident", None),
            SlotSet("category", queued.get("category")),
            SlotSet("description", queued.get("text")),
            SlotSet("location", queued.get("location")),
            FollowupAction("report_form"),
        ]
    return events


class ActionAskCorrection(Action):
    """After "no" at the read-back: let the citizen pick the field to correct."""

    def name(self) -> str:
        return "action_ask_correction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        if is_cancel(latest_text(tracker)):
            send(dispatcher, "report_cancelled", language(tracker))
            return reset_report_slots()
        buttons = [
            button(f"button_edit_{field}", lang, f'/report_incident{{"edit_field": "{field}"}}')
            for field in EDITABLE
        ]
        send(dispatcher, "correction", lang, buttons)
        return []


class ActionCancelReport(Action):
    """Drop the report being written ("hủy" after the correction prompt)."""

    def name(self) -> str:
        return "action_cancel_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send(dispatcher, "report_cancelled", language(tracker))
        log.info("report cancelled", extra={"who": who(tracker.sender_id)})
        return reset_report_slots()
