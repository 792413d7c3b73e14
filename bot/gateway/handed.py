"""What the gateway says to a citizen whose conversation a person has (Rasa is paused).

Their messages are kept for the operator (the conversation record), not sent to Rasa. The
gateway answers only twice: the emergency number when the message is about danger (and the
case goes to the top of the desk's queue), and, once per handover while nobody has claimed
it, that the message was passed on and how long the wait usually is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.base.clock import stamp
from bot.domain import desk_config, handover
from bot.gateway.urgent import alert_reply, detect
from bot.storage import handovers


@dataclass(frozen=True)
class Held:
    """The gateway's possible replies to one kept message, settled when it is recorded."""

    case_id: int
    urgent: bool
    alert: dict[str, Any] | None
    wait: dict[str, Any] | None
    heard: dict[str, Any] | None = None  # a voice note's words, said back as always

    def settle(self, db: sqlite_utils.Database) -> tuple[list[dict[str, Any]], list[str]]:
        """In the transaction that records the message: the replies to send and their outbox
        kinds. "Please wait" is marked said here, so it is said once however fast the
        citizen writes."""
        at = stamp()
        replies: list[dict[str, Any]] = []
        kinds: list[str] = []
        handovers.touch(db, self.case_id)  # the desk's queue shows the latest message
        if self.urgent:
            handovers.mark_urgent(db, self.case_id, at)
        if self.heard is not None:
            replies.append(self.heard)
            kinds.append("reply")
        if self.alert is not None:
            replies.append(self.alert)
            kinds.append("alert")
        if self.wait is not None and handovers.acknowledge(db, self.case_id, at):
            replies.append(self.wait)
            kinds.append("notice")
        return replies, kinds


def held_replies(
    case: handovers.Handover, text: str, alerted: bool, disaster_line: str | None
) -> Held:
    """The replies a kept message may get (``alerted``: the number was sent already)."""
    alert = detect(text)
    payload = alert_reply(alert, text, disaster_line) if alert is not None and not alerted else None
    wait = None
    if case.state == "waiting" and case.acknowledged_at is None:
        wait = {"text": handover.waiting(desk_config.load(), case.language)}
    return Held(case.id, alert is not None, payload, wait)
