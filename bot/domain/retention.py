"""How long each kind of personal data is kept (a YAML table of days per kind).

The shipped table (``bot/domain/data/retention.yml``) holds sample values to be confirmed by
the city; ``HUE_ASSIST_RETENTION`` points at the real one. Every kind must be given: a typo
is an error, not a kind silently kept forever. ``bot.services.privacy`` enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain import config_file

DEFAULT_TABLE = Path(__file__).parent / "data" / "retention.yml"
KINDS = (
    "inbox_messages",
    "outbox_messages",
    "conversations",
    "handovers",
    "unused_media",
    "report_contacts",
    "report_link",
    "call_contacts",
    "recordings",
    "audit_log",
)


class RetentionError(ValueError):
    """A retention table we cannot use, with the file and the reason."""


@dataclass(frozen=True)
class Retention:
    days: dict[str, int]
    source: Path
    sample: bool

    def cutoff(self, kind: str, at: datetime) -> datetime:
        """Data of ``kind`` from before this moment is past its period."""
        return at - timedelta(days=self.days[kind])


def load(path: Path | str | None = None) -> Retention:
    """The table at ``path``, else ``HUE_ASSIST_RETENTION``, else the shipped sample (cached
    until the file changes)."""
    return config_file.load(path, "HUE_ASSIST_RETENTION", DEFAULT_TABLE, parse, RetentionError)


def parse(data: Any, source: str) -> Retention:
    """Validate a loaded YAML document: every kind, each a whole number of days."""
    if not isinstance(data, dict):
        raise RetentionError(f"{source}: expected `kind: days` lines")
    unknown = sorted(set(data) - set(KINDS))
    missing = [kind for kind in KINDS if kind not in data]
    if unknown or missing:
        raise RetentionError(f"{source}: unknown kinds {unknown}, missing kinds {missing}")
    days: dict[str, int] = {}
    for kind in KINDS:
        value = data[kind]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise RetentionError(f"{source}: {kind} must be a whole number of days ≥ 1")
        days[kind] = value
    chosen = Path(source)
    return Retention(days, chosen, sample=chosen.resolve() == DEFAULT_TABLE.resolve())
