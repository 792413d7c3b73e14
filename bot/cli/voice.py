"""``hue-assist voice``: transcribe recordings, process them into call records, show a call."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

from bot.base import settings as settings_mod
from bot.cli.common import announce_temporary_rasa, open_store, print_json
from bot.services.processes import running_rasa
from bot.services.rasa_client import RasaClient, RasaUnavailable
from bot.storage import audit
from voice import config as voice_config
from voice.audio import AudioError
from voice.calls import CallProcessor, load_call, sha256_of
from voice.inbox import process_paths, recordings
from voice.knowledge import kb_suggester
from voice.model import ModelError
from voice.transcribe import transcribe_file

app = typer.Typer(
    help="Ghi âm tổng đài: chép lời, ẩn thông tin cá nhân, tạo phiếu nháp (hotline recordings).",
    no_args_is_help=True,
)


def _setup_logging() -> None:
    """Errors only: the commands print the warnings a person needs themselves, once."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")


def _warn_once(warnings: list[str], shown: set[str]) -> None:
    for warning in warnings:
        if warning not in shown:
            shown.add(warning)
            typer.echo(f"cảnh báo / warning: {warning}", err=True)


def _config(language: str | None, hotwords: str | None):  # noqa: ANN202 - VoiceConfig
    try:
        config = voice_config.load()
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    extra = tuple(w.strip() for w in (hotwords or "").split(",") if w.strip())
    return config.with_overrides(
        language=language.strip().lower() if language else None,
        hotwords=(config.hotwords + extra) if extra else None,
    )


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return recordings(path)
    return [path]


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60):02d}:{seconds % 60:04.1f}"


@app.command("transcribe")
def transcribe(
    path: Path = typer.Argument(..., help="A recording (wav, mp3, flac…) or a folder of them."),
    language: str = typer.Option(None, "--language", "-l", help="Language (default: vi)."),
    hotwords: str = typer.Option(
        None, "--hotwords", help="Extra words to favour, comma-separated."
    ),
    stereo: bool = typer.Option(
        None, "--stereo/--mono", help="Split the two channels (default: when they differ)."
    ),
    show_pii: bool = typer.Option(
        False, "--show-pii", help="Show personal data unredacted (written to the audit trail)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per file."),
) -> None:
    """Chép lời một bản ghi âm, đã ẩn số điện thoại, CCCD… (transcribe, personal data hidden)."""
    _setup_logging()
    config = _config(language, hotwords)
    failed = 0
    shown: set[str] = set()
    for file in _files(path):
        try:
            transcript = transcribe_file(file, config, stereo)
        except AudioError as error:
            failed += 1
            typer.echo(f"{file.name}: {error}", err=True)
            continue
        except ModelError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(2) from None
        _warn_once(transcript.warnings, shown)
        if show_pii:
            _audit_view(file)
        if as_json:
            typer.echo(json.dumps(transcript.shape(show_pii), ensure_ascii=False))
            continue
        typer.echo(
            f"{file.name}: {transcript.duration:.1f} s, {transcript.language}, "
            f"{transcript.model}, độ tin cậy / confidence {transcript.confidence:.2f}"
        )
        for channel, segment in transcript.dialogue():
            text = segment.text if show_pii else segment.redacted
            mark = " (?)" if segment.flags else ""
            typer.echo(f"  [{_clock(segment.start)}] {channel.role:7} {text}{mark}")
    if failed:
        raise typer.Exit(1)


def _audit_view(file: Path) -> None:
    """Record that someone saw a recording's transcript unredacted."""
    with open_store() as store, store.transaction() as db:
        audit.record(
            db,
            actor=audit.default_actor(),
            action="show_pii",
            subject=f"audio:{sha256_of(file)[:16]}",
            detail={"what": "voice transcribe --show-pii"},
        )


@app.command("process")
def process(
    path: Path = typer.Argument(..., help="A recording or a folder of recordings."),
    language: str = typer.Option(None, "--language", "-l", help="Language (default: vi)."),
    stereo: bool = typer.Option(
        None, "--stereo/--mono", help="Split the two channels (default: when they differ)."
    ),
    move: bool = typer.Option(
        False, "--move", help="Move handled files to processed/ or failed/ beside them."
    ),
    start: bool = typer.Option(
        True, "--start/--no-start", help="Start a temporary Rasa if none runs."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per file."),
) -> None:
    """Xử lý cuộc gọi: chép lời, hiểu ý người gọi, lưu, tạo phiếu nháp (calls → records)."""
    _setup_logging()
    config = _config(language, None)
    if not path.exists():
        typer.echo(f"{path}: không tìm thấy / not found", err=True)
        raise typer.Exit(2)
    settings = settings_mod.load()
    files = _files(path)
    failed = 0
    try:
        running = running_rasa(settings, start, announce_temporary_rasa)
        with (
            open_store() as store,
            running as url,
            RasaClient(url, token=settings.rasa_token) as client,
        ):
            processor = CallProcessor(store, config, client.parse, kb_suggester(settings.kb_dir))
            shown: set[str] = set()
            for outcome in process_paths(processor, files, move, stereo):
                failed += outcome.status == "failed"
                _warn_once(list(outcome.warnings), shown)
                if as_json:
                    typer.echo(json.dumps(outcome.shape(), ensure_ascii=False))
                else:
                    detail = outcome.error or outcome.draft_report_id or ""
                    typer.echo(f"{outcome.call_id or '-'}  {outcome.status:9}  {detail}")
    except RasaUnavailable as error:
        typer.echo(f"{error}. Start it with `hue-assist up`, or unset RASA_URL.", err=True)
        raise typer.Exit(1) from None
    except ModelError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    except (RuntimeError, TimeoutError) as error:
        typer.echo(f"could not start a temporary Rasa: {error}", err=True)
        raise typer.Exit(1) from None
    if failed:
        raise typer.Exit(1)


@app.command("show")
def show(
    call_id: str = typer.Argument(..., help="A call id (C-…)."),
    show_pii: bool = typer.Option(
        False, "--show-pii", help="Show raw text and the caller's number (audited)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Xem một cuộc gọi đã xử lý (show a processed call)."""
    with open_store() as store:
        call = load_call(store, call_id.strip(), show_pii)
    if call is None:
        typer.echo(f"không có cuộc gọi / no call {call_id}", err=True)
        raise typer.Exit(1)
    if as_json:
        print_json(call)
        return
    typer.echo(
        f"{call['call_id']}  {call['received_at']}  {call['status']}  "
        f"intent={call['intent']}  confidence={call['confidence']}  draft={call['draft_report_id']}"
    )
    if show_pii:
        typer.echo(f"caller: {call.get('caller_number')}")
    typer.echo(f"tóm tắt / summary: {call['summary']}")
    for segment in call["segments"]:
        typer.echo(f"  [{_clock(segment['start'])}] {segment['role']:7} {segment['text']}")
