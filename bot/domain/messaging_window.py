"""Zalo's messaging window: when an Official Account may still write to a citizen.

Zalo lets an OA send a consultation message ("tin tư vấn") only to a citizen who wrote to
it recently: free within 48 hours of their last message, billed per message from then up to
7 days, refused after (error -230). Past 7 days only a template message (ZNS) reaches them.
Sources and the codes: docs/channels.md, "Zalo's rules".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

FREE = timedelta(hours=48)
OPEN = timedelta(days=7)

State = Literal["free", "billable", "closed", "unknown"]


def window(last_inbound_at: str | None, at: datetime) -> State:
    """Where ``at`` falls for a citizen who last wrote at ``last_inbound_at`` (ISO 8601).

    ``unknown`` when we never saw them write (before this was recorded, or only a follow):
    then the message is tried and Zalo's answer decides.
    """
    if not last_inbound_at:
        return "unknown"
    silent = at - datetime.fromisoformat(last_inbound_at)
    if silent <= FREE:
        return "free"
    if silent <= OPEN:
        return "billable"
    return "closed"
