"""The time in Huế, written one way everywhere (ISO 8601 with +07:00).

Vietnam keeps one offset all year (no daylight saving time), so a fixed zone is exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

HUE_TZ = timezone(timedelta(hours=7), "ICT")


def now() -> datetime:
    return datetime.now(HUE_TZ)


def iso(moment: datetime) -> str:
    """ISO 8601 with the +07:00 offset, to the second (reports, calls, history)."""
    return moment.astimezone(HUE_TZ).isoformat(timespec="seconds")


def stamp(moment: datetime | None = None) -> str:
    """ISO 8601 in +07:00 to the microsecond (inbox and outbox ordering); compares
    correctly with ``iso`` values."""
    return (moment or now()).astimezone(HUE_TZ).isoformat(timespec="microseconds")


def later(seconds: float) -> str:
    """``stamp`` of a moment ``seconds`` from now."""
    return stamp(now() + timedelta(seconds=seconds))
