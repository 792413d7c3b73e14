"""When operators answer: office hours, the expected wait and the claim timeout (from YAML).

The shipped file (``bot/domain/data/desk.yml``) is sample configuration to be confirmed by
the city; ``HUE_ASSIST_DESK`` points at the real one. It is read again when it changes, so the
action server and the gateway follow an edit without a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot.base.clock import HUE_TZ
from bot.domain import config_file

DEFAULT_FILE = Path(__file__).parent / "data" / "desk.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
LOOK_AHEAD_DAYS = 14  # how far ahead the next opening is looked for


class DeskConfigError(ValueError):
    """A desk configuration we cannot use, with the file and the reason."""


Span = tuple[time, time]  # [start, end) in Huế time; end 24:00 is written time.max


@dataclass(frozen=True)
class DeskConfig:
    hours: dict[int, tuple[Span, ...]]  # weekday (0 = Monday) → open spans
    always: bool
    closed_dates: frozenset[date]
    expected_wait_minutes: int
    claim_timeout: timedelta
    sample: bool

    def is_open(self, moment: datetime) -> bool:
        """True when operators are at work at ``moment``."""
        if self.always:
            return True
        local = moment.astimezone(HUE_TZ)
        if local.date() in self.closed_dates:
            return False
        now = local.time()
        return any(start <= now < end for start, end in self.hours.get(local.weekday(), ()))

    def next_opening(self, moment: datetime) -> datetime | None:
        """The next moment operators start work after ``moment`` (None: never, or 24/7)."""
        if self.always:
            return None
        local = moment.astimezone(HUE_TZ)
        for offset in range(LOOK_AHEAD_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            if day in self.closed_dates:
                continue
            for start, _end in self.hours.get(day.weekday(), ()):
                opening = datetime.combine(day, start, HUE_TZ)
                if opening > local:
                    return opening
        return None


def _span(text: Any, where: str) -> Span:
    match = _SPAN_RE.match(str(text))
    if not match:
        raise DeskConfigError(f"{where}: {text!r} is not HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise DeskConfigError(f"{where}: {text!r} is not a time of day")
    start, end = time(h1, m1), (time.max if h2 == 24 else time(h2, m2))
    if end <= start:
        raise DeskConfigError(f"{where}: {text!r} ends before it starts")
    return start, end


def _hours(data: Any, source: str) -> tuple[dict[int, tuple[Span, ...]], bool]:
    if data == "always":
        return {}, True
    if not isinstance(data, dict):
        raise DeskConfigError(f"{source}: office_hours must be `always` or one list per weekday")
    unknown = set(data) - set(DAYS)
    if unknown:
        raise DeskConfigError(f"{source}: unknown weekday {sorted(unknown)[0]!r}")
    hours = {
        DAYS.index(day): tuple(_span(s, f"{source}: {day}") for s in (spans or []))
        for day, spans in data.items()
    }
    return hours, False


def _number(data: dict[str, Any], key: str, default: float, source: str) -> float:
    value = data.get(key, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise DeskConfigError(f"{source}: {key} must be a positive number")
    return float(value)


def parse(data: Any, source: str = "desk configuration") -> DeskConfig:
    """Validate a loaded YAML document: a mistake is an error, never a silent 24/7 desk."""
    if not isinstance(data, dict) or "office_hours" not in data:
        raise DeskConfigError(f"{source}: needs `office_hours`")
    hours, always = _hours(data["office_hours"], source)
    try:
        closed = frozenset(date.fromisoformat(str(d)) for d in data.get("closed_dates") or [])
    except ValueError as error:
        raise DeskConfigError(f"{source}: closed_dates: {error}") from None
    return DeskConfig(
        hours=hours,
        always=always,
        closed_dates=closed,
        expected_wait_minutes=round(_number(data, "expected_wait_minutes", 5, source)),
        claim_timeout=timedelta(minutes=_number(data, "claim_timeout_minutes", 10, source)),
        sample=bool(data.get("sample")),
    )


def load(path: Path | str | None = None) -> DeskConfig:
    """The desk configuration (cached until the file changes)."""
    return config_file.load(path, "HUE_ASSIST_DESK", DEFAULT_FILE, parse, DeskConfigError)
