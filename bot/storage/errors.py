"""What the store refuses, with a message fit to show a person."""

from __future__ import annotations


class StoreError(ValueError):
    """A request the store refuses, with a message fit to show a person."""


class NotFound(StoreError):
    """An unknown report code (or other id)."""


class NotAllowed(StoreError):
    """A citizen may not do this to this report; ``reason`` says which rule refused it:
    ``not_closed`` (rate only a closed report), ``not_yours`` (only its reporter or a
    follower), ``rated`` (someone else gave its rating)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
