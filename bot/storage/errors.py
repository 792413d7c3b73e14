"""What the store refuses, with a message fit to show a person."""

from __future__ import annotations


class StoreError(ValueError):
    """A request the store refuses, with a message fit to show a person."""


class NotFound(StoreError):
    """An unknown report code (or other id)."""
