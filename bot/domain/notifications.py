"""What a citizen is told when their report (or one they follow) changes state."""

from __future__ import annotations

from typing import Any

from bot.domain import lifecycle


def status_change(report: dict[str, Any], language: str | None) -> dict[str, Any]:
    """An outbox payload: the new state, the department's note, and for a closed report a
    request for a 1–5 rating (buttons the dialogue understands as feedback)."""
    en = language == "en"
    code = report["service_request_id"]
    state = lifecycle.name(report["state"], "en" if en else "vi")
    lines = [
        f"Report {code}: {state}." if en else f"Phản ánh {code}: {state}.",
    ]
    if report.get("agency_responsible") and report["state"] == "assigned":
        lines.append(
            f"Department: {report['agency_responsible']}."
            if en
            else f"Đơn vị xử lý: {report['agency_responsible']}."
        )
    if report.get("status_notes"):
        lines.append(("Note: " if en else "Ghi chú: ") + report["status_notes"])
    if report["state"] == "duplicate" and report.get("duplicate_of"):
        lines.append(
            f"It is followed under {report['duplicate_of']}."
            if en
            else f"Sự việc được theo dõi ở phản ánh {report['duplicate_of']}."
        )
    payload: dict[str, Any] = {"text": "\n".join(lines)}
    if report["status"] == "closed" and report["state"] == "resolved":
        payload["text"] += (
            "\nHow satisfied are you with the result? Rate it from 1 to 5."
            if en
            else "\nBạn hài lòng với kết quả xử lý không? Chấm từ 1 đến 5 sao nhé."
        )
        payload["buttons"] = [
            {
                "title": f"{n} ★",
                "payload": f'/give_feedback{{"rating": "{n}", "report_id": "{code}"}}',
            }
            for n in (5, 4, 3, 2, 1)
        ]
    return payload
