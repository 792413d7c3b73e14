"""The gateway's safety net for a citizen in danger.

Rasa answers an emergency itself (``EmergencyPolicy``). It cannot when the conversation is
paused for a human operator (Rasa then stays silent) or when Rasa is down; the gateway then
sends the emergency number itself, at once, and the message still waits for Rasa as usual.
"""

from __future__ import annotations

from typing import Any

from bot.base.text import detect_language
from bot.domain.emergency import Alert, alert_text, detect


def alert_reply(alert: Alert, text: str, disaster_line: str | None = None) -> dict[str, Any]:
    """The emergency reply as an outbox payload, in the language the message is written in."""
    lang = detect_language(text, "vi") or "vi"
    return {"text": alert_text(alert, lang, disaster_line)}


def answered(alert: Alert, replies: list[dict[str, Any]]) -> bool:
    """True when the replies already name the number to call."""
    return any(
        isinstance(reply, dict) and alert.numbers[0] in str(reply.get("text") or "")
        for reply in replies
    )


def with_alert(
    text: str, replies: list[dict[str, Any]], disaster_line: str | None = None
) -> list[dict[str, Any]]:
    """``replies`` with the emergency reply first when the message is an emergency that they
    do not answer (a paused conversation, an empty answer)."""
    alert = detect(text)
    if alert is None or answered(alert, replies):
        return replies
    return [alert_reply(alert, text, disaster_line), *replies]
