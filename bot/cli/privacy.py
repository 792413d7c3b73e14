"""``hue-assist privacy``: the redactor for supervisors, retention, and a citizen's rights.

``redact`` reads stdin and writes one redacted line per line (``--json``: the spans found);
``purge`` deletes what is past its retention period now (``up`` does it daily); ``export``
and ``erase`` give or delete what is held about one citizen (``zalo:…``, ``telegram:…``,
``web:…``, or ``phone:<number>`` for a caller). Each purge, export and erase is audited.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from bot.base import settings as settings_mod
from bot.cli.common import USAGE, actor, fail, open_store, print_json
from bot.domain import retention
from bot.domain.redact import found_spans, redact_text
from bot.services import privacy

app = typer.Typer(
    help="Dữ liệu cá nhân (personal data): che, xóa theo thời hạn, xuất, xóa theo yêu cầu.",
    no_args_is_help=True,
)


@app.command("redact")
def redact(
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line, with spans."),
) -> None:
    """Che số điện thoại, CCCD, e-mail, số tài khoản (stdin → stdout, one line in, one out)."""
    for line in sys.stdin:
        text = line.rstrip("\n")
        if as_json:
            typer.echo(json.dumps(found_spans(text), ensure_ascii=False))
        else:
            typer.echo(redact_text(text))


@app.command("purge")
def purge(
    as_json: bool = typer.Option(False, "--json"),
    as_: str = typer.Option(None, "--as", help="Who runs it (default: OS user)."),
) -> None:
    """Xóa dữ liệu cá nhân đã quá thời hạn lưu giữ (delete what is past its retention period)."""
    try:
        table = retention.load()
    except retention.RetentionError as error:
        fail(str(error), USAGE)
    settings = settings_mod.load()
    with open_store() as store:
        counts = privacy.purge(store, settings.home, table, actor(as_))
    if as_json:
        print_json({"retention": str(table.source), "sample": table.sample, "purged": counts})
        return
    note = " (sample values: see bot/domain/data/retention.yml)" if table.sample else ""
    typer.echo(f"retention: {table.source}{note}")
    for kind, count in counts.items():
        typer.echo(f"  {kind:16} {table.days[kind]:5} days  {count:6} removed")


def _subject(sender: str) -> str:
    sender = sender.strip()
    if ":" not in sender or not sender.split(":", 1)[1]:
        fail("SENDER: channel:user_id (zalo:…, telegram:…, web:…) or phone:<number>", USAGE)
    return sender


@app.command("export")
def export(
    sender: str = typer.Argument(..., help="zalo:…, telegram:…, web:… or phone:<number>"),
    output: Path = typer.Option(None, "--output", "-o", help="File (default: stdout)."),
    as_: str = typer.Option(None, "--as", help="Who exports (default: OS user)."),
) -> None:
    """Xuất mọi dữ liệu về một công dân (everything held about one citizen, as JSON; audited)."""
    subject = _subject(sender)
    settings = settings_mod.load()
    with open_store() as store:
        document = privacy.export_subject(store, settings.home, subject, actor(as_))
    text = json.dumps(document, ensure_ascii=False, indent=1, default=str)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"written to {output} (audited)", err=True)


@app.command("erase")
def erase(
    sender: str = typer.Argument(..., help="zalo:…, telegram:…, web:… or phone:<number>"),
    as_json: bool = typer.Option(False, "--json"),
    as_: str = typer.Option(None, "--as", help="Who erases (default: OS user)."),
) -> None:
    """Xóa dữ liệu của một công dân; phần công khai của phản ánh được giữ (audited)."""
    subject = _subject(sender)
    settings = settings_mod.load()
    with open_store() as store:
        counts = privacy.erase_subject(store, settings.home, subject, actor(as_))
    if as_json:
        print_json(counts)
        return
    typer.echo(", ".join(f"{kind}: {count}" for kind, count in counts.items()) + " (audited)")
