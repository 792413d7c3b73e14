"""The voice worker: the inbox, moves to processed/ and failed/, resuming, and `up`'s service."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.base import settings as settings_mod
from bot.services.processes import Supervisor, voice_service
from bot.services.rasa_client import RasaClient
from bot.storage.store import Store
from voice import config as voice_config
from voice import synth
from voice.calls import CallProcessor

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    synth.missing_tool() is not None, reason=f"{synth.missing_tool()} is not installed"
)
CALL = [
    ("right", "en-us", "Hotline, how can I help you?"),
    ("left", "en-us", "The street light is broken on Le Loi street. It has been dark for a week."),
]


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    return synth.call(CALL, tmp_path_factory.mktemp("rec") / "call.wav")


def worker_env(home: Path, rasa_env: dict[str, str]) -> dict[str, str]:
    # an English call: the English-only tiny.en reads it (fast)
    return {
        **os.environ,
        "HUE_ASSIST_HOME": str(home),
        **rasa_env,
        "HF_HUB_OFFLINE": "1",
        "WHISPER_MODEL": "tiny.en",
        "VOICE_LANGUAGE": "en",
    }


def test_worker_processes_the_inbox_and_resumes_after_a_crash(stack, recording, tmp_path):
    home = tmp_path / "home"
    inbox = home / "inbox" / "calls"
    inbox.mkdir(parents=True)
    shutil.copy(recording, inbox / "1_done_before_crash.wav")
    (inbox / "2_text.wav").write_text("not audio")
    # A crash after the first call was committed but before its file was moved:
    settings = settings_mod.load({"HUE_ASSIST_HOME": str(home), **stack.rasa_env})
    store = Store(settings.db_path)
    with RasaClient(stack.rasa_url, token=stack.settings.rasa_token) as client:
        first = CallProcessor(store, voice_config.load({}), client.parse).process(
            inbox / "1_done_before_crash.wav"
        )
    store.close()
    assert first.status == "processed"
    subprocess.run(
        [sys.executable, "-m", "voice.worker", "--once", "--settle", "0"],
        cwd=ROOT,
        env=worker_env(home, stack.rasa_env),
        check=True,
        timeout=300,
        capture_output=True,
    )
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["1_done_before_crash.wav"]
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == [
        "2_text.wav",
        "2_text.wav.error.txt",
    ]
    assert "not a readable audio file" in (inbox / "failed" / "2_text.wav.error.txt").read_text()
    store = Store(settings.db_path)
    try:
        statuses = sorted(r["status"] for r in store.db["calls"].rows)
        assert statuses == ["failed", "pending"]  # the first call was not redone
    finally:
        store.close()
    assert not (home / "voice-worker.ready").exists()  # removed on a clean exit


def test_voice_service_starts_and_handles_a_dropped_recording(stack, recording, tmp_path):
    home = tmp_path / "home"
    settings = settings_mod.load({"HUE_ASSIST_HOME": str(home), **stack.rasa_env})
    service = voice_service(settings)
    supervisor = Supervisor(home / "logs")
    try:
        supervisor.start(service)
        supervisor.wait_ready(service, 120)
        beat = json.loads((home / "voice-worker.ready").read_text())
        assert beat["pid"] == service.process.pid
        inbox = home / "inbox" / "calls"
        shutil.copy(recording, inbox / "incoming.wav")
        target = inbox / "processed" / "incoming.wav"
        deadline = time.monotonic() + 180
        while not target.exists() and time.monotonic() < deadline:
            assert service.process.poll() is None, service.log_path.read_text()
            time.sleep(0.5)
        assert target.exists(), service.log_path.read_text()
    finally:
        supervisor.stop_all()
    store = Store(settings.db_path)
    try:
        (call,) = list(store.db["calls"].rows)
        assert call["intent"] == "report_incident" and call["draft_report_id"]
    finally:
        store.close()
    log_lines = [
        json.loads(line)
        for line in service.log_path.read_text().splitlines()
        if line.startswith("{")
    ]
    assert any(line.get("msg") == "call handled" for line in log_lines)
    assert "street light" not in service.log_path.read_text().lower()  # no transcript in logs
