"""``hue-assist chat``: talk to the assistant from a terminal, through the gateway's web chat API.

Going through ``POST /api/chat`` (not Rasa directly) means the terminal sees exactly what the
web page sees: same validation, same sender prefix, same reply shape.
"""

from __future__ import annotations

import os
import uuid

import httpx
import typer

from bot.base import settings as settings_mod
from bot.base.codes import SENDER_RE


class GatewayUnavailable(RuntimeError):
    """The gateway could not be reached, or said the assistant behind it is down."""


def gateway_url() -> str:
    """GATEWAY_URL if set, else the local gateway on GATEWAY_PORT."""
    explicit = os.environ.get("GATEWAY_URL")
    if explicit:
        return explicit.rstrip("/")
    return f"http://127.0.0.1:{settings_mod.load().gateway_port}"


def send(http: httpx.Client, sender: str, message: str) -> list[dict]:
    """One message through ``/api/chat``; the replies. Input errors come back as ``ValueError``."""
    try:
        response = http.post("/api/chat", json={"sender": sender, "message": message})
    except httpx.TransportError as error:
        raise GatewayUnavailable(f"{type(error).__name__}: {error}") from None
    body = _json(response)
    if response.status_code == 200:
        return body.get("messages") or []
    error = str(body.get("error") or f"HTTP {response.status_code}")
    if response.status_code in (400, 413, 415):
        raise ValueError(error)
    raise GatewayUnavailable(error)


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


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


def _is_up(http: httpx.Client) -> bool:
    try:
        return http.get("/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def chat(
    sender: str = typer.Option(
        None, help="Conversation id, A-Z a-z 0-9 _ . - (default: a new one)."
    ),
) -> None:
    """Trò chuyện với trợ lý trong terminal (chat in the terminal; a button's number picks it)."""
    url = gateway_url()
    sender = sender or f"terminal-{uuid.uuid4().hex[:8]}"
    if not SENDER_RE.fullmatch(sender):
        typer.echo("--sender: 1-128 characters among A-Z a-z 0-9 _ . -", err=True)
        raise typer.Exit(2)
    with httpx.Client(base_url=url, timeout=90) as http:
        if not _is_up(http):
            typer.echo(
                f"Không kết nối được tới gateway tại {url} (the gateway is not reachable). "
                "Hãy chạy `hue-assist up` trước, hoặc đặt GATEWAY_URL.",
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
            if not line.strip():
                continue
            choice = line.strip()
            if choice.isdigit() and 1 <= int(choice) <= len(buttons):
                line = buttons[int(choice) - 1]["payload"]
            try:
                replies = send(http, sender, line)
            except ValueError as error:
                typer.echo(f"Không gửi được: {error}", err=True)
                continue
            except GatewayUnavailable as error:
                typer.echo(f"Mất kết nối tới trợ lý: {error}", err=True)
                raise typer.Exit(1) from None
            buttons = _show(replies)
