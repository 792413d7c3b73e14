"""``hue-assist export``: reports or calls of a period to CSV or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from bot.cli.common import USAGE, actor, fail, open_store, parse_day
from bot.services import export

app = typer.Typer(help="Xuất dữ liệu (export) ra CSV hoặc JSON.", no_args_is_help=True)


def _run(
    kind: str,
    since: str | None,
    until: str | None,
    fmt: str,
    output: Path | None,
    include_pii: bool,
    who: str | None,
) -> None:
    if fmt not in ("csv", "json"):
        fail("--format: csv hoặc json", USAGE)
    with open_store() as store:
        records = export.rows(
            store, kind,
            since=parse_day(since, "--since"), until=parse_day(until, "--until", end=True),
            include_pii=include_pii, actor=actor(who),
        )  # fmt: skip
        if output is None:
            count = export.write(records, fmt, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = export.write(records, fmt, handle)
    if output is not None:
        note = " (có dữ liệu cá nhân — đã ghi nhật ký)" if include_pii else ""
        typer.echo(f"Đã xuất {count} dòng vào {output}{note}.", err=True)


def _options(kind: str):  # type: ignore[no-untyped-def]
    def command(
        since: str = typer.Option(None, "--since", help="Từ ngày YYYY-MM-DD."),
        until: str = typer.Option(None, "--until", help="Đến hết ngày YYYY-MM-DD."),
        fmt: str = typer.Option("csv", "--format", help="csv hoặc json."),
        output: Path = typer.Option(None, "--output", "-o", help="Tệp ra (mặc định: stdout)."),
        include_pii: bool = typer.Option(
            False, "--include-pii", help="Kèm số điện thoại (personal data; audited)."
        ),
        as_: str = typer.Option(None, "--as", help="Người xuất (default: OS user)."),
    ) -> None:
        _run(kind, since, until, fmt, output, include_pii, as_)

    command.__doc__ = {
        "reports": "Xuất phản ánh (reports) trong một khoảng thời gian.",
        "calls": "Xuất cuộc gọi (calls) trong một khoảng thời gian.",
    }[kind]
    return command


app.command("reports")(_options("reports"))
app.command("calls")(_options("calls"))
