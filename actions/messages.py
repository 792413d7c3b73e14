"""Sending texts from the actions: the words come from ``bot/base/texts.py``, here only
which buttons go with them, and the status of a report as the citizen reads it.

Responses used directly by rules live in domain.yml; the texts sent from code (form
questions, validation, fallbacks, hand-over) are keyed in ``bot.base.texts``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.base.texts import text
from bot.domain import categories, lifecycle

# The categories offered as buttons with the first question (the others are typed).
QUICK_CATEGORIES = ("streetlight", "road_damage", "garbage", "flooding")


def button(key: str, lang: str, payload: str, **values: Any) -> dict[str, str]:
    """A quick-reply button: the title is the text ``key`` in ``lang``."""
    return {"title": text(key, lang, **values), "payload": payload}


def _category_buttons(lang: str) -> list[dict[str, str]]:
    return [
        button(f"button_category_{code}", lang, f'/report_incident{{"category": "{code}"}}')
        for code in QUICK_CATEGORIES
    ]


def _skip(lang: str) -> list[dict[str, str]]:
    return [button("button_skip", lang, "/deny")]


def _urgent_place(lang: str) -> list[dict[str, str]]:
    """Unknown place (file without it) or no report at all ("hủy" cancels the form)."""
    return [
        button("button_place_unknown", lang, "/deny"),
        button("button_dont_send", lang, "hủy"),
    ]


BUTTONS: dict[str, Callable[[str], list[dict[str, str]]]] = {
    "ask_category": _category_buttons,
    "ask_photo": _skip,
    "ask_phone": _skip,
    "ask_location_urgent": _urgent_place,
    "ask_phone_urgent": _skip,
}


def render(key: str, lang: str, **values: Any) -> dict[str, Any]:
    """Keyword arguments for ``utter_message``: the text (and buttons) in ``lang``."""
    message: dict[str, Any] = {"text": text(key, lang, **values)}
    if key in BUTTONS:
        message["buttons"] = BUTTONS[key](lang)
    return message


def send(
    dispatcher: CollectingDispatcher,
    key: str,
    lang: str,
    buttons: list[dict[str, str]] | None = None,
    **values: Any,
) -> None:
    """Send the text ``key`` in ``lang`` with its own buttons, or ``buttons`` if given."""
    message = render(key, lang, **values)
    if buttons is not None:
        message["buttons"] = buttons
    dispatcher.utter_message(**message)


def describe(report: dict[str, Any], lang: str, ask_rating: bool = True) -> str:
    """State, agency, expected date and latest note of a report, for the citizen (give it
    the public face: ``bot.domain.public.face``); the rating question only when
    ``ask_rating`` (the citizen filed or follows it)."""

    def line(label: str, value: Any) -> str:
        return f"- {text(label, lang)}: {value}"

    lines = [
        text(
            "status_heading",
            lang,
            code=report["service_request_id"],
            category=categories.name(report["service_code"], lang),
            address=report.get("address") or "",
        ),
        line("label_status", lifecycle.name(report["state"], lang)),
        line("label_filed", report["requested_datetime"]),
    ]
    if report.get("agency_responsible"):
        lines.append(line("label_department", report["agency_responsible"]))
    if report.get("expected_datetime"):
        lines.append(line("label_expected", report["expected_datetime"]))
    if report.get("status_notes"):
        lines.append(line("label_note", report["status_notes"]))
    if report.get("duplicate_of"):
        lines.append(line("label_followed_under", report["duplicate_of"]))
    if ask_rating and report.get("status") == "closed" and not report.get("rating"):
        lines.append(text("status_ask_rating", lang))
    return "\n".join(lines)
