"""Helpers shared by the supervisor commands: the store, who acts, output, exit codes.

Exit codes: 0 done, 1 not found or refused, 2 usage error (typer's own).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, NoReturn

import typer
from rich.console import Console

from bot.base import settings as settings_mod
from bot.base.clock import HUE_TZ, iso
from bot.storage import audit
from bot.storage.store import Store

NOT_FOUND_OR_REFUSED = 1
USAGE = 2


@contextmanager
def open_store() -> Iterator[Store]:
    store = Store(settings_mod.load().db_path)
    try:
        yield store
    finally:
        store.close()


def actor(name: str | None) -> str:
    """Who acts: ``--as NAME``, else HUE_ASSIST_ACTOR, else the OS user."""
    return (name or "").strip() or audit.default_actor()


def console() -> Console:
    """A console for tables; never wider than the terminal, 80 columns when not a terminal."""
    probe = Console()
    return Console(width=probe.width if probe.is_terminal else 80, highlight=False)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=None, default=str))


def fail(message: str, code: int = NOT_FOUND_OR_REFUSED) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def parse_day(value: str | None, option: str, *, end: bool = False) -> str | None:
    """``2026-11-01`` or a full ISO time → ISO with +07:00; an end day includes the whole day."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option}: dùng dạng YYYY-MM-DD (use YYYY-MM-DD), got {value!r}", USAGE)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=HUE_TZ)
    if end and len(value.strip()) == 10:
        moment += timedelta(days=1)
    return iso(moment)


def announce_temporary_rasa() -> None:
    """Said before a command starts a Rasa of its own (it takes a minute)."""
    typer.echo("no Rasa running: starting a temporary one …", err=True)
