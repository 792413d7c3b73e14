"""Counting the webhook events a channel sends that we could not verify or read.

Zalo retries an event not answered 200 (30 s, 5 min, 15 min, 30 min, 1 h) and, by one
account, switches the app's webhook off after 12 hours of failures: a wrong or missing OA
secret would cut the channel off for good. So such an event is answered 200, nothing of it
is stored, and it is counted here; when verifications keep failing (a misconfigured secret,
not a stray forgery among good events) ``/healthz`` turns degraded and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.base.clock import iso, now

log = logging.getLogger("hue_assist.gateway.webhooks")

FAILING_AFTER = 3  # unverified events in a row, none verified between: misconfigured
LOG_EVERY = 100  # after the first warning, one line per this many more


@dataclass
class WebhookWatch:
    """One channel's webhook verifications, since the gateway started."""

    channel: str
    hint: str  # what to check when verifications keep failing
    verified: int = 0
    unverified: int = 0
    unreadable: int = 0
    in_a_row: int = 0  # unverified events since the last verified one
    failing_since: str | None = None
    last_verified_at: str | None = None

    def passed(self) -> None:
        if self.in_a_row >= FAILING_AFTER:
            log.warning(
                "webhook signatures verify again",
                extra={"channel": self.channel, "event": "signatures_ok", "count": self.in_a_row},
            )
        self.verified += 1
        self.in_a_row = 0
        self.failing_since = None
        self.last_verified_at = iso(now())

    def failed(self, why: str) -> None:
        """An event we could not verify (dropped, answered 200)."""
        self.unverified += 1
        self.in_a_row += 1
        self.failing_since = self.failing_since or iso(now())
        if self.in_a_row == FAILING_AFTER or (
            self.in_a_row > FAILING_AFTER and self.in_a_row % LOG_EVERY == 0
        ):
            log.error(
                "webhook signatures keep failing (%s): %s",
                why,
                self.hint,
                extra={
                    "channel": self.channel,
                    "event": "signature_failures",
                    "count": self.in_a_row,
                },
            )
        else:
            log.info(
                "unverified event dropped: %s",
                why,
                extra={"channel": self.channel, "event": "unverified"},
            )

    def unreadable_event(self, why: str) -> None:
        """A verified event we cannot read (or a body that is not an event at all)."""
        self.unreadable += 1
        log.warning(
            "unreadable event dropped: %s",
            why,
            extra={"channel": self.channel, "event": "unreadable"},
        )

    def state(self) -> str:
        if self.in_a_row < FAILING_AFTER:
            return "ok"
        return (
            f"signature failures: {self.in_a_row} in a row since {self.failing_since} "
            f"(last verified: {self.last_verified_at or 'never'}); {self.hint}"
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "unverified": self.unverified,
            "unreadable": self.unreadable,
            "unverified_in_a_row": self.in_a_row,
            "last_verified_at": self.last_verified_at,
        }
