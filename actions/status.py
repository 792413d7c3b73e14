"""Following a report: ask for the tracking code if missing, then read its state."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language, latest_text, open_store, say
from actions.messages import send
from actions.report_form import is_cancel
from bot.base.codes import find_code
from bot.domain import categories, lifecycle


def state_name(state: str, lang: str) -> str:
    return lifecycle.name(state, lang)


def rating_buttons(report: dict[str, Any]) -> list[dict[str, str]]:
    """1–5 stars for a closed, unrated report (the dialogue reads them as feedback)."""
    if report.get("status") != "closed" or report.get("rating"):
        return []
    code = report["service_request_id"]
    return [
        {"title": f"{n} ⭐", "payload": f'/give_feedback{{"rating": "{n}", "report_id": "{code}"}}'}
        for n in (5, 4, 3, 2, 1)
    ]


def describe(report: dict[str, Any], lang: str) -> str:
    """State, agency, expected date and latest note of a report, for the citizen."""
    lines = [
        say(
            lang,
            f"Phản ánh {report['service_request_id']}",
            f"Report {report['service_request_id']}",
        )
        + f" ({categories.name(report['service_code'], lang)}, {report.get('address') or ''}):",
        f"- {say(lang, 'Tình trạng', 'Status')}: {state_name(report['state'], lang)}",
        f"- {say(lang, 'Gửi lúc', 'Filed')}: {report['requested_datetime']}",
    ]
    if report.get("agency_responsible"):
        lines.append(f"- {say(lang, 'Đơn vị xử lý', 'Department')}: {report['agency_responsible']}")
    if report.get("expected_datetime"):
        lines.append(f"- {say(lang, 'Dự kiến xong', 'Expected by')}: {report['expected_datetime']}")
    if report.get("status_notes"):
        lines.append(f"- {say(lang, 'Ghi chú', 'Note')}: {report['status_notes']}")
    if report.get("duplicate_of"):
        lines.append(f"- {say(lang, 'Theo dõi ở', 'Followed under')}: {report['duplicate_of']}")
    if report.get("status") == "closed" and not report.get("rating"):
        lines.append(
            say(
                lang,
                "Phản ánh đã đóng. Bạn hài lòng với kết quả không? Chấm từ 1 đến 5 sao nhé.",
                "This report is closed. How satisfied are you with the result, from 1 to 5?",
            )
        )
    return "\n".join(lines)


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
        dispatcher.utter_message(
            text=say(
                language(tracker),
                "Mã chưa đúng dạng. Mã phản ánh có dạng PA-2026-000123.",
                "That is not a tracking code. Codes look like PA-2026-000123.",
            )
        )
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
        if report is None:
            dispatcher.utter_message(
                text=say(
                    lang,
                    f"Không tìm thấy phản ánh {code}. Bạn kiểm tra lại mã, hoặc gọi 19001075.",
                    f"No report {code} was found. Please check the code, or call 19001075.",
                )
            )
            return [SlotSet("report_id", None)]
        dispatcher.utter_message(text=describe(report, lang), buttons=rating_buttons(report))
        return [SlotSet("report_id", None)]
