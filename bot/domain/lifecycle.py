"""The report lifecycle: our states behind Open311's open/closed, and the allowed moves."""

from __future__ import annotations

from bot.base.texts import TEXTS, text

STATES = ("received", "assigned", "in_progress", "resolved", "rejected", "duplicate")
OPEN_STATES = ("received", "assigned", "in_progress")
CLOSED_STATES = ("resolved", "rejected", "duplicate")

# A resolved report may be reopened (the citizen says it is not fixed); rejected and
# duplicate reports may go back to received when a supervisor overturns the decision.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("assigned", "in_progress", "resolved", "rejected", "duplicate"),
    "assigned": ("in_progress", "resolved", "rejected", "duplicate"),
    "in_progress": ("assigned", "resolved", "rejected", "duplicate"),
    "resolved": ("in_progress",),
    "rejected": ("received",),
    "duplicate": ("received",),
}


class TransitionError(ValueError):
    """A move the lifecycle does not allow, saying which moves are."""


def status_of(state: str) -> str:
    """Open311's two-valued status for one of our states."""
    return "closed" if state in CLOSED_STATES else "open"


def check(old: str, new: str) -> None:
    if new not in STATES:
        raise TransitionError(f"unknown state {new!r}; states: {', '.join(STATES)}")
    allowed = TRANSITIONS.get(old, ())
    if new not in allowed:
        choices = ", ".join(allowed) or "none"
        raise TransitionError(f"cannot move a report from {old} to {new}; from {old}: {choices}")


def name(state: str, language: str = "vi") -> str:
    """A state as the citizen reads it (``state_<state>`` in ``bot/base/texts.py``)."""
    key = f"state_{state}"
    return text(key, language) if key in TEXTS else state
