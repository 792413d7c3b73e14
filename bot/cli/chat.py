"""``hue-assist chat``: talk to the assistant from a terminal, as a citizen would."""

from __future__ import annotations

import uuid

import typer

from bot import settings as settings_mod
from bot.rasa_client import RasaClient, RasaUnavailable


def _show(messages: list[dict]) -> list[dict]:
    """Print the bot's messages; return the buttons offered last, numbered from 1."""
    buttons: list[dict] = []
    for message in messages:
        if message.get("text"):
            typer.echo(f"bot> {message['text']}")
        if message.get("image"):
            typer.echo(f"bot> [ảnh] {message['image']}")
        if message.get("buttons"):
            buttons = message["buttons"]
            for number, button in enumerate(buttons, start=1):
                typer.echo(f"     {number}. {button.get('title')}")
    return buttons


def chat(
    sender: str = typer.Option(None, help="Conversation id (default: a new one)."),
) -> None:
    """Trò chuyện với trợ lý trong terminal (chat in the terminal; a button's number picks it)."""
    settings = settings_mod.load()
    sender = sender or f"web:terminal-{uuid.uuid4().hex[:8]}"
    with RasaClient(settings.rasa_url) as client:
        if not client.is_up():
            typer.echo(
                f"Không kết nối được Rasa tại {settings.rasa_url} (Rasa is not reachable). "
                "Hãy chạy `hue-assist up` trước.",
                err=True,
            )
            raise typer.Exit(1)
        typer.echo("Gõ tin nhắn rồi Enter; Ctrl-D để thoát. (Type a message; Ctrl-D quits.)")
        buttons: list[dict] = []
        while True:
            try:
                line = input("bạn> ")
            except (EOFError, KeyboardInterrupt):
                typer.echo("")
                break
            choice = line.strip()
            if choice.isdigit() and 1 <= int(choice) <= len(buttons):
                line = buttons[int(choice) - 1]["payload"]
            try:
                replies = client.send(sender, line)
            except RasaUnavailable as error:
                typer.echo(f"Mất kết nối tới Rasa: {error}", err=True)
                raise typer.Exit(1) from None
            buttons = _show(replies)
