"""The ``hue-assist`` command line: a thin layer over the library, one module per area."""

from __future__ import annotations

import typer

import bot.cli.kb as kb
from bot.cli import chat, handover, nlu, reports, serve

app = typer.Typer(
    help="hue-assist: trợ lý tổng đài cho Hue-S và đường dây 19001075 (contact-center assistant).",
    no_args_is_help=True,
    add_completion=False,
)
app.command("up")(serve.up)
app.command("train")(serve.train)
app.command("chat")(chat.chat)
app.add_typer(nlu.app, name="nlu")
app.add_typer(handover.app, name="handover")
app.add_typer(kb.app, name="kb")
app.add_typer(reports.app, name="reports")


def main() -> None:
    app()
