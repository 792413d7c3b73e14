"""``hue-assist nlu parse``: one message per stdin line → one JSON object per line."""

from __future__ import annotations

import json
import sys

import typer

from bot.base import settings as settings_mod
from bot.base.text import clean
from bot.cli.common import announce_temporary_rasa
from bot.services.processes import running_rasa
from bot.services.rasa_client import RasaClient, RasaUnavailable

app = typer.Typer(help="Hiểu ngôn ngữ (NLU) qua máy chủ Rasa.", no_args_is_help=True)


def shape(text: str, result: dict) -> dict:
    """The contract's shape: text, intent, confidence, entities (entity, value, start, end)."""
    intent = result.get("intent") or {}
    return {
        "text": text,
        "intent": intent.get("name"),
        "confidence": round(float(intent.get("confidence") or 0.0), 4),
        "entities": [
            {k: e.get(k) for k in ("entity", "value", "start", "end")}
            for e in result.get("entities") or []
        ],
    }


@app.command("parse")
def parse(
    start: bool = typer.Option(
        True, "--start/--no-start", help="Start a temporary Rasa if none runs."
    ),
) -> None:
    """Đọc từng dòng từ stdin, in kết quả JSON từng dòng (stdin lines → JSON lines)."""
    try:
        settings = settings_mod.load()
        running = running_rasa(settings, start, announce_temporary_rasa)
        with running as url, RasaClient(url, token=settings.rasa_token) as client:
            for raw in sys.stdin:
                text = clean(raw)
                if not text:
                    result: dict = {"intent": None, "entities": []}
                else:
                    result = client.parse(text)
                print(json.dumps(shape(text, result), ensure_ascii=False), flush=True)
    except RasaUnavailable as error:
        typer.echo(
            f"{error}. Start it with `hue-assist up`, or unset RASA_URL to let "
            "`nlu parse` start a temporary one.",
            err=True,
        )
        raise typer.Exit(1) from None
    except (RuntimeError, TimeoutError) as error:
        typer.echo(f"could not start a temporary Rasa: {error}", err=True)
        raise typer.Exit(1) from None
