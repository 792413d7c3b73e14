"""What every channel adapter provides (the message shape itself is ``bot.domain.messages``).

An adapter turns a channel's events into ``Incoming`` messages (stored in the inbox) and
delivers outbox payloads (``{"text", "buttons", "image"}``) in the channel's own shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

Outcome = Literal["sent", "retry", "undeliverable", "failed"]


class BadEvent(ValueError):
    """An event we cannot read: the webhook answers 400 and stores nothing."""


@dataclass(frozen=True)
class Delivery:
    """The outcome of one delivery attempt."""

    outcome: Outcome
    error: str | None = None
    retry_after: float | None = None  # seconds, when the channel said how long to wait

    @classmethod
    def sent(cls) -> Delivery:
        return cls("sent")


class MediaUnavailable(RuntimeError):
    """A photo could not be fetched; ``permanent`` when retrying will not help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class ChannelAdapter(Protocol):
    """A channel's outward side, used by the worker (media) and the sender (delivery)."""

    name: str

    async def deliver(self, user_id: str, payload: dict[str, Any]) -> Delivery: ...

    async def fetch_media(self, reference: str) -> bytes: ...

    def state(self) -> str: ...

    async def aclose(self) -> None: ...


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, at line or word ends."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts
