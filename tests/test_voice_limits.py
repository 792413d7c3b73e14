"""Voice notes are capped by length before any Whisper work, and heard on a thread of their
own (issue 15): a 10 MB note can hold hours of speech, hours of one citizen's CPU."""

from __future__ import annotations

import asyncio
import threading
import wave
from pathlib import Path

import pytest

from bot.gateway import worker as worker_mod
from bot.storage.inbox import InboxRow
from voice import notes


def silence(path: Path, seconds: float, rate: int = 8000) -> bytes:
    """An 8-bit mono WAV of silence: 10 minutes weigh 4.8 MB, under the 10 MB cap."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(rate)
        out.writeframes(b"\x80" * int(seconds * rate))
    return path.read_bytes()


@pytest.fixture
def heard(monkeypatch) -> list[Path]:
    """Whisper stood in for: records what it was given."""
    calls: list[Path] = []

    def transcribe_file(path, config, stereo):  # noqa: ANN001 - the real signature
        calls.append(path)
        raise notes.AudioError("stand-in")

    monkeypatch.setattr(notes, "transcribe_file", transcribe_file)
    return calls


def test_a_long_note_is_refused_before_transcription(tmp_path, heard):
    data = silence(tmp_path / "long.wav", 600)
    assert len(data) < notes.MAX_NOTE_BYTES
    assert notes.transcribe_note(data) is None
    assert heard == []  # not one second of Whisper


def test_a_short_note_goes_on_to_transcription(tmp_path, heard):
    notes.transcribe_note(silence(tmp_path / "short.wav", 3))
    assert len(heard) == 1


def test_the_note_limit_is_read_when_a_note_comes_not_at_import(tmp_path, heard, monkeypatch):
    monkeypatch.setenv("VOICE_NOTE_MAX_S", "2")
    assert notes.transcribe_note(silence(tmp_path / "three.wav", 3)) is None
    assert heard == []
    monkeypatch.setenv("VOICE_NOTE_MAX_S", "5")
    notes.transcribe_note(silence(tmp_path / "three.wav", 3))
    assert len(heard) == 1


class _Adapter:
    async def fetch_media(self, ref: str) -> bytes:
        return b"note"


def test_notes_are_heard_on_their_own_thread_not_the_shared_pool(tmp_path, monkeypatch):
    names: list[str] = []

    def transcribe(data: bytes) -> str:
        names.append(threading.current_thread().name)
        return "xin chào"

    monkeypatch.setattr(worker_mod, "transcribe_note", transcribe)
    worker = worker_mod.Worker(
        None,  # type: ignore[arg-type]  # no database is touched here
        ["http://127.0.0.1:9"],
        "http://127.0.0.1:9/webhook",
        {"zalo": _Adapter()},  # type: ignore[dict-item]
        tmp_path,
        "http://127.0.0.1:9",
    )
    row = InboxRow(1, "zalo", "m1", "zalo:1", "audio", {"media": "x"}, 0)

    async def hear() -> str:
        try:
            return await worker._hear(row)
        finally:
            await worker.aclose()

    assert asyncio.run(hear()) == "xin chào"
    assert names[0].startswith("voice-notes")
