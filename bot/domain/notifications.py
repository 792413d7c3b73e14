"""What a citizen is told when their report (or one they follow) changes state.

The words are ``notify_*`` in ``bot/base/texts.py``. The payload also carries the same news
as template values (``template``): a channel that may not write freely any more (Zalo,
after 7 days of silence) sends those through a template registered with it instead.
"""

from __future__ import annotations

from typing import Any

from bot.base.texts import text
from bot.domain import lifecycle


def status_change(report: dict[str, Any], language: str | None) -> dict[str, Any]:
    """An outbox payload: the new state, the department's note, and for a closed report a
    request for a 1–5 rating (buttons the dialogue understands as feedback)."""
    lang = "en" if language == "en" else "vi"
    code = report["service_request_id"]
    state = lifecycle.name(report["state"], lang)
    lines = [text("notify_state", lang, code=code, state=state)]
    if report.get("agency_responsible") and report["state"] == "assigned":
        lines.append(text("notify_department", lang, agency=report["agency_responsible"]))
    if report.get("status_notes"):
        lines.append(text("notify_note", lang, note=report["status_notes"]))
    if report["state"] == "duplicate" and report.get("duplicate_of"):
        lines.append(text("notify_duplicate", lang, code=report["duplicate_of"]))
    payload: dict[str, Any] = {"text": "\n".join(lines), "template": template_values(report)}
    if report["status"] == "closed" and report["state"] == "resolved":
        payload["text"] += "\n" + text("notify_ask_rating", lang)
        payload["buttons"] = [
            {
                "title": f"{n} ★",
                "payload": f'/give_feedback{{"rating": "{n}", "report_id": "{code}"}}',
            }
            for n in (5, 4, 3, 2, 1)
        ]
    return payload


TEMPLATE = "report_status"


def template_values(report: dict[str, Any]) -> dict[str, Any]:
    """The status change as a template's named values (Vietnamese: templates are registered
    in one language), e.g. ``{"report_code": "PA-2026-000123", "status": "Đã xử lý xong",
    "updated": "05/12/2026"}``."""
    updated = str(report.get("updated_datetime") or report.get("requested_datetime") or "")
    day = f"{updated[8:10]}/{updated[5:7]}/{updated[:4]}" if len(updated) >= 10 else ""
    return {
        "name": TEMPLATE,
        "data": {
            "report_code": report["service_request_id"],
            "status": lifecycle.name(report["state"], "vi"),
            "updated": day,
        },
    }
