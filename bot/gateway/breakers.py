"""Circuit breakers for what the worker depends on: the action server and each Rasa server.

When a dependency fails, every message needing it would fail too, so the worker stops
handing those messages over for a short, growing pause, then lets one message probe. The
action server serves every citizen (``EVERYONE``); a Rasa server only the citizens pinned
to it, so one unreachable Rasa process does not hold up the others' citizens.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

EVERYONE = "*"


def retry_delay(attempts: int, base: float = 0.5, cap: float = 15.0) -> float:
    """Exponential backoff with jitter; short, so answers follow soon after a restart."""
    return min(cap, base * 2 ** max(0, attempts - 1)) * random.uniform(0.8, 1.2)


@dataclass
class Breaker:
    failures: int = 0  # consecutive
    paused_until: float = 0.0  # loop time
    error: str = ""


@dataclass
class Breakers:
    """The breakers by scope, and how many messages are in flight per scope."""

    by_scope: dict[str, Breaker] = field(default_factory=dict)
    in_flight: Counter = field(default_factory=Counter)

    def may_send(self, scope: str, now: float) -> bool:
        """Closed, or half-open with no probe in flight (for ``scope`` and for everyone)."""
        for key in (EVERYONE, scope):
            breaker = self.by_scope.get(key)
            if breaker is None or not breaker.failures:
                continue
            if breaker.paused_until > now or self.in_flight[key] > 0:
                return False
        return True

    def paused_for_everyone(self, now: float) -> float:
        breaker = self.by_scope.get(EVERYONE)
        return max(0.0, breaker.paused_until - now) if breaker and breaker.failures else 0.0

    def started(self, scope: str) -> None:
        self.in_flight[scope] += 1
        self.in_flight[EVERYONE] += 1

    def finished(self, scope: str) -> None:
        self.in_flight[scope] -= 1
        self.in_flight[EVERYONE] -= 1

    def failed(self, scope: str, error: str, now: float) -> float:
        """Open (or keep open) ``scope``'s breaker; the pause chosen."""
        breaker = self.by_scope.setdefault(scope, Breaker())
        breaker.failures += 1
        breaker.error = error
        breaker.paused_until = now + retry_delay(breaker.failures, base=0.25, cap=5.0)
        return breaker.paused_until - now

    def succeeded(self, scope: str) -> None:
        """A message went through: its Rasa server and the action server are fine."""
        for key in (EVERYONE, scope):
            self.by_scope.pop(key, None)

    def state(self) -> str:
        errors = [b.error for _, b in sorted(self.by_scope.items()) if b.failures]
        return f"waiting: {'; '.join(errors)}" if errors else "ok"
