"""``hue-assist handover``: conversations waiting for a human, and giving them back."""

from __future__ import annotations

import json

import typer

from bot.base import settings as settings_mod
from bot.services.rasa_client import RasaClient, RasaUnavailable
from bot.storage import audit
from bot.storage.store import Store

app = typer.Typer(
    help="Chuyển cuộc trò chuyện cho tổng đài viên (human handover).", no_args_is_help=True
)


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Các cuộc trò chuyện đang chờ tổng đài viên (conversations waiting for a human)."""
    with Store(settings_mod.load().db_path) as store:
        rows = store.pending_handovers()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['requested_at']}  {row['sender_id']}")


@app.command("release")
def release(
    sender: str = typer.Argument(..., help="The conversation's sender id."),
    by: str = typer.Option(None, "--as", help="Who releases it (default: the OS user)."),
) -> None:
    """Trả cuộc trò chuyện về cho trợ lý ảo (give the conversation back to the assistant)."""
    settings = settings_mod.load()
    with Store(settings.db_path) as store:
        if sender not in {h["sender_id"] for h in store.pending_handovers()}:
            typer.echo(f"{sender}: không có yêu cầu chuyển tổng đài viên nào đang chờ.", err=True)
            raise typer.Exit(1)
        try:
            with RasaClient(
                settings.rasa_for(sender), token=settings.rasa_token
            ) as client:  # the one holding it
                client.restart(sender)
        except RasaUnavailable as error:
            typer.echo(f"Rasa was not told, nothing changed: {error}", err=True)
            raise typer.Exit(1) from None
        store.release_handover(sender, by or audit.default_actor())
    typer.echo(f"{sender}: đã trả về cho trợ lý ảo (released).")
