"""The field-report journey: collect, validate, read back, file, correct or cancel."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    REPORT_SLOTS,
    SKIP,
    channel_of,
    language,
    latest_intent,
    latest_text,
    open_store,
    say,
    who,
)
from actions.messages import send
from bot import categories, gazetteer, lifecycle
from bot.store import MAX_DESCRIPTION, StoreError
from bot.text import clean, fold, fold_words

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


def describes_problem(text: str) -> bool:
    """A first message counts as a description if it names the problem and says more."""
    words = [w for w in fold_words(text) if w not in GENERIC_WORDS]
    return categories.match(text) is not None and len(words) >= 4


class ValidateReportForm(FormValidationAction):
    """Validation of the report form, plus cancellation and field correction."""

    def name(self) -> str:
        return "validate_report_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        if tracker.get_slot("requested_slot") and is_cancel(text):
            send(dispatcher, "report_cancelled", language(tracker))
            log.info("report cancelled", extra={"who": who(tracker.sender_id)})
            return [ActiveLoop(None), SlotSet("requested_slot", None)] + reset_report_slots()
        field = tracker.get_slot("edit_field")
        if field in EDITABLE:
            # The citizen chose a field to correct: empty it so the form asks again.
            return [SlotSet(field, None), SlotSet("edit_field", None)]
        events = await super().run(dispatcher, tracker, domain)
        # At activation, a first message that already describes the problem
        # ("đèn đường trước nhà 12 Lê Lợi tắt 3 hôm nay") is the description.
        if (
            tracker.get_slot("requested_slot") is None
            and not tracker.get_slot("description")
            and not text.startswith("/")
            and describes_problem(text)
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
            and (code := categories.match(text))
        ):
            events.append(SlotSet("category", code))
        return events

    @staticmethod
    def _refuse(
        slot: str, tracker: Tracker, dispatcher: CollectingDispatcher, vi: str, en: str
    ) -> dict[str, Any]:
        """Refuse a value: explain if the slot was asked for, else keep what was there.

        A value picked up in passing (an entity in an answer to another question) must not
        wipe a field the citizen already gave, nor trigger a complaint about a question that
        was never asked.
        """
        if tracker.get_slot("requested_slot") == slot:
            dispatcher.utter_message(text=say(language(tracker), vi, en))
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
            code = categories.match(latest_text(tracker))
        if code:
            return {"category": code}
        return self._refuse(
            "category",
            tracker,
            dispatcher,
            "Mình chưa nhận ra loại sự cố. Bạn chọn một loại bên dưới hoặc ghi ngắn "
            "gọn (ví dụ: đèn đường, ổ gà, rác, ngập, cây đổ, mất nước…).",
            "I didn't recognise the kind of problem. Pick one below or name it "
            "briefly (street light, pothole, garbage, flooding, fallen tree…).",
        )

    async def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
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
            refused = self._refuse(
                "location",
                tracker,
                dispatcher,
                f'Mình không tìm thấy phường/xã "{named_ward}" trong 40 phường, xã của '
                "Huế. Bạn kiểm tra lại tên giúp mình.",
                f'"{named_ward}" is not one of Huế\'s 40 wards and communes. Please check '
                "the name.",
            )
            return {**refused, "ward": previous_value(tracker, "ward")}
        if len(text.split()) < 2 or len(text) > 300:
            return self._refuse(
                "location",
                tracker,
                dispatcher,
                "Địa điểm cần cụ thể hơn một từ: số nhà và tên đường, hoặc một địa danh "
                "gần đó (ví dụ: 12 Lê Lợi; trước chợ Đông Ba).",
                "Please give more than one word: house number and street, or a nearby "
                "landmark (e.g. 12 Le Loi; in front of Dong Ba market).",
            )
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
            dispatcher.utter_message(
                text=say(
                    language(tracker),
                    f"Mô tả dài quá {MAX_DESCRIPTION} ký tự, mình giữ phần đầu.",
                    f"The description is over {MAX_DESCRIPTION} characters; I kept the start.",
                )
            )
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
        dispatcher.utter_message(
            text=say(
                language(tracker),
                'Mình chưa nhận được ảnh. Bạn gửi ảnh hoặc bấm "Bỏ qua".',
                'I didn\'t get a photo. Send one, or tap "Skip".',
            )
        )
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
        dispatcher.utter_message(
            text=say(
                language(tracker),
                "Số điện thoại chưa đúng dạng (ví dụ 0905 123 456). Bạn nhập lại hoặc bấm "
                '"Bỏ qua".',
                "That doesn't look like a phone number (e.g. 0905 123 456). Try again or tap "
                '"Skip".',
            )
        )
        return {"phone": None}


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
    slots = [SlotSet(slot, None) for slot in (*REPORT_SLOTS, "edit_field", "duplicate_candidate")]
    return [*slots, SlotSet("duplicate_offered", False)]


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
    none = say(lang, "không có", "none")
    lines = [
        say(lang, "Mình đọc lại phản ánh của bạn:", "Here is your report:"),
        f"- {say(lang, 'Loại', 'Type')}: {categories.name(slot('category') or 'other', lang)}",
        f"- {say(lang, 'Địa điểm', 'Place')}: {place}",
        f"- {say(lang, 'Mô tả', 'Description')}: {slot('description')}",
        f"- {say(lang, 'Ảnh', 'Photo')}: {photo if photo and photo != SKIP else none}",
        f"- {say(lang, 'Số điện thoại', 'Phone')}: {phone if phone and phone != SKIP else none}",
        say(lang, "Thông tin đã đúng chưa? Gửi phản ánh?", "Is this right? Send the report?"),
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
        dispatcher.utter_message(
            text=summary(tracker, lang),
            buttons=[
                {"title": say(lang, "Đúng, gửi đi", "Yes, send it"), "payload": "/affirm"},
                {"title": say(lang, "Sửa lại", "Change something"), "payload": "/deny"},
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
    state = lifecycle.name(existing["state"], lang)
    dispatcher.utter_message(
        text=say(
            lang,
            f"Sự việc này có vẻ đã được phản ánh: {code} ({existing.get('address') or ''}, "
            f"{state}). Bạn theo dõi phản ánh đó thay vì gửi mới nhé?",
            f"This looks already reported as {code} ({existing.get('address') or ''}, "
            f"{state}). Follow it instead of filing a new one?",
        ),
        buttons=[
            {"title": say(lang, f"Theo dõi {code}", f"Follow {code}"), "payload": "/affirm"},
            {"title": say(lang, "Vẫn gửi phản ánh mới", "File a new one"), "payload": "/deny"},
        ],
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
        from actions.status import describe

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
            text=say(
                lang,
                f"Đã ghi nhận. Bạn sẽ được báo khi phản ánh {code} có cập nhật.",
                f"Done. You will be told when report {code} changes.",
            )
            + "\n"
            + describe(report, lang)
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
        photo, phone = slot("photo"), slot("phone")
        if not slot("duplicate_offered"):
            offer = offer_existing(dispatcher, tracker, lang)
            if offer:
                return offer
        try:
            with open_store() as store:
                report = store.file_report(
                    service_code=slot("category"),
                    description=slot("description"),
                    channel=channel_of(tracker.sender_id),
                    sender_id=tracker.sender_id,
                    address=slot("location"),
                    ward=slot("ward"),
                    lat=_float(slot("lat")),
                    long=_float(slot("long")),
                    media_url=photo if photo and photo != SKIP else None,
                    phone=phone if phone and phone != SKIP else None,
                    language=lang,
                )
        except StoreError as error:
            log.warning("report refused", extra={"who": who(tracker.sender_id), "why": str(error)})
            dispatcher.utter_message(
                text=say(
                    lang,
                    "Xin lỗi, phản ánh chưa gửi được. Bạn thử lại hoặc gọi 19001075.",
                    "Sorry, the report could not be filed. Please try again or call 19001075.",
                )
            )
            return reset_report_slots()
        code = report["service_request_id"]
        log.info("report filed", extra={"who": who(tracker.sender_id), "report": code})
        dispatcher.utter_message(
            text=say(
                lang,
                f'Đã gửi phản ánh. Mã theo dõi của bạn: {code}. Bạn nhắn "kiểm tra {code}" '
                "bất cứ lúc nào để xem tình trạng xử lý.",
                f'Your report is filed. Tracking code: {code}. Write "status {code}" any '
                "time to follow it.",
            )
        )
        return reset_report_slots() + [SlotSet("report_id", code)]


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
        labels = {
            "category": say(lang, "Loại sự cố", "Type"),
            "location": say(lang, "Địa điểm", "Place"),
            "description": say(lang, "Mô tả", "Description"),
            "photo": say(lang, "Ảnh", "Photo"),
            "phone": say(lang, "Số điện thoại", "Phone"),
        }
        dispatcher.utter_message(
            text=say(
                lang,
                'Bạn muốn sửa mục nào? (Hoặc nhắn "hủy" để bỏ phản ánh này.)',
                'Which part should I change? (Or write "cancel" to drop this report.)',
            ),
            buttons=[
                {"title": label, "payload": f'/report_incident{{"edit_field": "{field}"}}'}
                for field, label in labels.items()
            ],
        )
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
