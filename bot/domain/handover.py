"""A conversation handed to a person: its states, who may do what, what the citizen is told.

``waiting`` (the assistant handed over; nobody has it yet) → ``claimed`` (one operator has it;
it may be transferred to another) → ``released`` (back to the assistant: by the operator, or
by the desk when nobody claimed it in time or the office closed) or ``closed`` (the operator
finished it). Ended cases are kept: they are the desk's history and statistics.

Rules are the same for the web desk and the terminal; refusals carry a ``code`` the faces
turn into their own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.base.clock import HUE_TZ
from bot.base.texts import HOTLINE, text
from bot.domain.desk_config import DeskConfig

STATES = ("waiting", "claimed", "released", "closed")
OPEN = ("waiting", "claimed")
# Why a case was released: the operator gave it back, nobody claimed it in time, it was asked
# for outside office hours, or the office closed while it waited.
REASONS = ("operator", "timeout", "after_hours", "office_closed")
ROLES = ("operator", "supervisor")
ACTIONS = ("view", "view_raw", "claim", "transfer", "reply", "release", "close", "report")


class Refused(ValueError):
    """An operator's request the rules refuse; ``code`` names the rule, ``holder`` who has it."""

    def __init__(self, code: str, message: str, holder: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.holder = holder


@dataclass(frozen=True)
class Case:
    """One handover of one conversation (the columns the rules read)."""

    id: int
    sender_id: str
    state: str
    claimed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN


def check(action: str, case: Case, *, actor: str, role: str) -> None:
    """Raise ``Refused`` unless ``actor`` (with ``role``) may do ``action`` on ``case``.

    Only the operator holding a conversation writes to the citizen, so that two people never
    answer at once; a supervisor may move any open case along (transfer, release, close) but
    claims it, like anyone, to write.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    supervisor = role == "supervisor"
    mine = case.claimed_by == actor
    if action == "view":
        if case.is_open or mine or supervisor:
            return
        raise Refused("not_open", "this conversation is no longer handed over")
    if not case.is_open:
        raise Refused("not_open", "this conversation is no longer handed over")
    if action == "view_raw":
        if supervisor or (case.state == "claimed" and mine):
            return
        raise Refused("not_yours", "claim the conversation to see the raw text", case.claimed_by)
    if action == "claim":
        if case.state == "claimed" and not mine:
            raise Refused("claimed_by_other", f"claimed by {case.claimed_by}", case.claimed_by)
        return
    if case.state == "waiting":
        if action in ("release", "close") or (action == "transfer" and supervisor):
            return
        raise Refused("not_claimed", "claim the conversation first")
    if mine or (supervisor and action in ("transfer", "release", "close")):
        return
    raise Refused("claimed_by_other", f"claimed by {case.claimed_by}", case.claimed_by)


# -- what the citizen is told (texts in bot/base/texts.py) ---------------------------------


def _language(lang: str | None) -> str:
    return "en" if lang == "en" else "vi"


def next_opening_text(config: DeskConfig, lang: str | None, at: datetime) -> str:
    """When operators are back ("from 07:30 on 01/12"), or the hotline when not known."""
    opening = config.next_opening(at)
    if opening is None:
        return text("handover_no_opening", _language(lang), hotline=HOTLINE)
    local = opening.astimezone(HUE_TZ)
    return text(
        "handover_next_opening",
        _language(lang),
        time=local.strftime("%H:%M"),
        date=local.strftime("%d/%m"),
    )


def requested(config: DeskConfig, lang: str | None, at: datetime) -> tuple[bool, str]:
    """(whether to hand over now, what to tell the citizen) when they ask for a person."""
    if config.is_open(at):
        return True, text("handover", _language(lang), minutes=config.expected_wait_minutes)
    return False, text(
        "handover_after_hours", _language(lang), when=next_opening_text(config, lang, at)
    )


def waiting(config: DeskConfig, lang: str | None) -> str:
    """Said once to a citizen who writes while waiting: kept, passed on, please wait."""
    return text("handover_wait", _language(lang), minutes=config.expected_wait_minutes)


def ended(reason: str, config: DeskConfig, lang: str | None, at: datetime) -> str:
    """What the citizen is told when the case ends, by its reason (``closed`` for a close)."""
    lang = _language(lang)
    if reason == "timeout":
        return text("handover_timeout", lang)
    if reason == "office_closed":
        return text("handover_office_closed", lang, when=next_opening_text(config, lang, at))
    if reason == "closed":
        return text("handover_closed", lang)
    return text("handover_released", lang)
