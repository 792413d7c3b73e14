"""What every channel adapter provides (the message shape itself is ``bot.domain.messages``).

An adapter turns a channel's events into ``Incoming`` messages (stored in the inbox) and
delivers outbox payloads (``{"text", "buttons", "image"}``) in the channel's own shapes.

A payload may take several channel messages (a long text, then a photo): those are its
*parts*. The sender stores them on the first attempt and hands the adapter only the parts
not yet sent, and the adapter reports each part as it goes through, so a retry after a
failure at part 2 starts at part 2 and the citizen never reads part 1 twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

# sent: every part went through · retry: later, the same parts · undeliverable: not to this
# citizen (blocked, outside the messaging window) · failed: not this message (bad request,
# attempts spent) · halted: the channel itself is broken (configuration, quota, a dead
# token): the row waits, its attempt not counted, until the channel works again.
Outcome = Literal["sent", "retry", "undeliverable", "failed", "halted"]

# How a delivered message was sent, for what it costs: inside Zalo's free 48 hours, in the
# billable days after, with an unknown last contact, or as a template message.
Window = Literal["free", "billable", "unknown", "template"]


class BadEvent(ValueError):
    """An event we cannot read: nothing is stored (see each webhook for its answer)."""


@dataclass(frozen=True)
class Delivery:
    """The outcome of one delivery attempt."""

    outcome: Outcome
    error: str | None = None
    retry_after: float | None = None  # seconds, when the channel said how long to wait
    reason: str | None = None  # a short code a person can act on: window, blocked, quota…
    window: Window | None = None  # for a sent message: how it was sent (costs)

    @classmethod
    def sent(cls, window: Window | None = None) -> Delivery:
        return cls("sent", window=window)


@dataclass(frozen=True)
class Part:
    """One channel message of an outbox payload: its place and the channel's own body."""

    index: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Outgoing:
    """One outbox row as an adapter sees it: who, what kind, and the parts still to send."""

    outbox_id: int
    user_id: str
    kind: str  # reply | notification | alert
    payload: dict[str, Any]
    parts: list[Part]
    last_inbound_at: str | None = None  # when the citizen last wrote (messaging windows)


# Called by the adapter after each part the channel accepted: (part index, the channel's
# message id). The sender commits it before the next part goes.
PartSent = Callable[[int, str | None], Awaitable[None]]


class MediaUnavailable(RuntimeError):
    """A photo could not be fetched; ``permanent`` when retrying will not help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class ChannelAdapter(Protocol):
    """A channel's outward side, used by the worker (media) and the sender (delivery)."""

    name: str

    def parts(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        """The channel messages that carry ``payload``, in order (JSON-serialisable)."""
        ...

    def admits(self, free: int) -> int:
        """How many of ``free`` delivery slots the sender may fill now (0 while halted)."""
        ...

    async def prepare(self) -> None:
        """Before the first delivery: learn what the database knows (a dead token)."""
        ...

    async def deliver(self, outgoing: Outgoing, sent: PartSent) -> Delivery: ...

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
