"""Who called, when, and which operator answered: from a sidecar JSON or the PBX file name.

A sidecar ``<recording>.json`` (or ``<recording>.<ext>.json``) wins. Otherwise the name is
read the way PBXs write it: Asterisk/FreePBX ``in-<caller>-<ext>-<YYYYMMDD>-<HHMMSS>-…`` or
any name holding a date-time, a Vietnamese phone number and ``op``/``ext`` + extension.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.base.clock import HUE_TZ, iso

_ASTERISK = re.compile(
    r"^(?:in|out|external|internal|exten|rg|q\d*)-(\+?\d{3,15})-(\d{2,15})-(\d{8})-(\d{6})"
)
# A date, and a time only where the name's shape says so: six digits (or HH-MM-SS) standing
# alone after it. In "call-20261201-0905123456" the digits after the date are the caller's
# number, not 09:05:12.
_DATETIME = re.compile(
    r"(?<!\d)(20\d{2})-?(\d{2})-?(\d{2})"
    r"(?:[-_T ]?(\d{2})[-:]?(\d{2})[-:]?(\d{2}))?(?!\d)"
)
_PHONE = re.compile(r"(?<!\d)(\+?84\d{9,10}|0\d{9,10})(?!\d)")
_OPERATOR = re.compile(r"(?:op|ext|agent|dtv)[-_]?(\w{1,12})", re.IGNORECASE)
CALLER_KEYS = ("caller", "caller_number", "from", "src", "callerid")
OPERATOR_KEYS = ("operator", "agent", "extension", "dst")
TIME_KEYS = ("received_at", "time", "start", "calldate", "started_at")


@dataclass(frozen=True)
class CallMeta:
    caller_number: str | None
    operator: str | None
    received_at: str  # ISO 8601, +07:00


def _parse_time(value: str) -> datetime | None:
    value = value.strip()
    for candidate in (value, value.replace(" ", "T")):
        try:
            moment = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=HUE_TZ)
    match = _DATETIME.search(value)
    if match:
        parts = [int(p) for p in match.groups() if p is not None]
        try:
            return datetime(*parts, tzinfo=HUE_TZ)  # type: ignore[misc]
        except ValueError:
            return None  # "20261399…" is no date
    return None


def _on_that_day(path: Path, day: datetime) -> datetime:
    """A name with a date but no time: the file's time if it is of that day, else midnight."""
    written = datetime.fromtimestamp(path.stat().st_mtime, HUE_TZ)
    return written if written.date() == day.date() else day


def sidecar(path: Path) -> Path | None:
    for candidate in (path.with_suffix(".json"), path.with_name(path.name + ".json")):
        if candidate != path and candidate.is_file():
            return candidate
    return None


def _first(data: dict, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if data.get(key) not in (None, ""):
            return str(data[key])
    return None


def read(path: Path) -> CallMeta:
    """The call's metadata; the file's modification time when nothing says when it was."""
    caller = operator = None
    moment: datetime | None = None
    side = sidecar(path)
    if side is not None:
        try:
            data = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict):
            caller = _first(data, CALLER_KEYS)
            operator = _first(data, OPERATOR_KEYS)
            when = _first(data, TIME_KEYS)
            moment = _parse_time(when) if when else None
    name = path.stem
    asterisk = _ASTERISK.match(name)
    if asterisk:
        caller = caller or asterisk.group(1)
        operator = operator or asterisk.group(2)
        moment = moment or _parse_time(asterisk.group(3) + asterisk.group(4))
    else:
        if caller is None and (phone := _PHONE.search(_DATETIME.sub(" ", name))):
            caller = phone.group(1)
        if operator is None and (op := _OPERATOR.search(name)):
            operator = op.group(1)
        if moment is None and (stamp := _DATETIME.search(name)):
            moment = _parse_time(stamp.group())
            if moment is not None and stamp.group(4) is None:
                moment = _on_that_day(path, moment)
    if moment is None:
        moment = datetime.fromtimestamp(path.stat().st_mtime, HUE_TZ)
    return CallMeta(caller, operator, iso(moment))
