"""The ``hue-assist`` command line: a thin layer over the library, one module per area.

Each area's module is imported only when its command runs, so ``hue-assist reports list``
does not pay for loading Whisper or the embedding model (``bot.cli.app`` builds them all).
"""

from __future__ import annotations

import importlib
import sys

import typer

HELP = "hue-assist: trợ lý tổng đài cho Hue-S và đường dây 19001075 (contact-center assistant)."
COMMANDS = {  # name: (module, function)
    "up": ("bot.cli.serve", "up"),
    "train": ("bot.cli.serve", "train"),
    "chat": ("bot.cli.chat", "chat"),
    "stats": ("bot.cli.stats", "stats_command"),
}
GROUPS = {  # name: module with a typer ``app``
    "nlu": "bot.cli.nlu",
    "kb": "bot.cli.kb",
    "reports": "bot.cli.reports",
    "review": "bot.cli.review",
    "export": "bot.cli.export",
    "voice": "bot.cli.voice",
    "handover": "bot.cli.handover",
    "users": "bot.cli.users",
    "telegram": "bot.cli.telegram",
    "privacy": "bot.cli.privacy",
}


def build(only: str | None = None) -> typer.Typer:
    """The CLI with every command, or with only the one about to run."""
    app = typer.Typer(help=HELP, no_args_is_help=True, add_completion=False)
    app.callback()(lambda: None)  # a group even when one command is registered
    for name, (module, function) in COMMANDS.items():
        if only in (None, name):
            app.command(name)(getattr(importlib.import_module(module), function))
    for name, module in GROUPS.items():
        if only in (None, name):
            app.add_typer(importlib.import_module(module).app, name=name)
    return app


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # ``from bot.cli import app``: the whole CLI (tests, docs)
        return build()
    raise AttributeError(name)


def main() -> None:
    words = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    first = words[0] if words else None
    build(first if first in COMMANDS or first in GROUPS else None)()
