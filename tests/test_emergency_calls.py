"""An urgent hotline call: real audio, real faster-whisper, the real Rasa, the review queue."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.base.clock import now
from bot.cli import app
from bot.domain.emergency import detect
from bot.storage.store import Store
from tests.review_support import seed_call, streetlight_draft
from voice import drafts, synth

runner = CliRunner()
needs_synth = pytest.mark.skipif(
    synth.missing_tool() is not None,
    reason=f"{synth.missing_tool()} is not installed: the test call cannot be synthesised",
)
FIRE_CALL = [
    ("right", "en-us", "Hotline, how can I help you?"),
    (
        "left",
        "en-us",
        "Help! My neighbour's house is on fire on Le Loi street. There is thick smoke "
        "and people are trapped inside.",
    ),
    ("right", "en-us", "Please call one one four now, we are alerting the centre."),
]


@needs_synth
def test_an_urgent_call_goes_to_the_top_of_the_review_queue_with_a_flagged_draft(stack, tmp_path):
    env = {  # an English call: the English-only tiny.en reads it (fast)
        "HUE_ASSIST_HOME": str(tmp_path / "home"),
        **stack.rasa_env,
        "WHISPER_MODEL": "tiny.en",
        "VOICE_LANGUAGE": "en",
    }
    store = Store(tmp_path / "home" / "hue-assist.db")
    try:  # calls already waiting, one overdue and one of low confidence
        seed_call(store, "C-old", confidence=0.9, draft=streetlight_draft(),
                  received_at=now() - timedelta(days=3))  # fmt: skip
        seed_call(store, "C-unsure", confidence=0.2, draft=streetlight_draft())
    finally:
        store.close()
    recording = tmp_path / "fire.wav"
    synth.call(FIRE_CALL, recording)
    result = runner.invoke(app, ["voice", "process", str(recording), "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout.splitlines()[-1])
    assert out["status"] == "processed" and out["draft_report_id"], out
    queue = json.loads(runner.invoke(app, ["review", "queue", "--json"], env=env).stdout)
    assert queue[0]["call_id"] == out["call_id"], queue  # before the overdue one
    assert [row["call_id"] for row in queue[1:]] == ["C-old", "C-unsure"], queue
    table = runner.invoke(app, ["review", "queue"], env=env).stdout
    rows = table.splitlines()[1:4]
    assert "🚨" in rows[0] and "🚨" not in "".join(rows[1:]), table
    shown = runner.invoke(app, ["review", "show", out["call_id"]], env=env).stdout
    assert "KHẨN CẤP" in shown
    call = json.loads(
        runner.invoke(app, ["review", "show", out["call_id"], "--json"], env=env).stdout
    )
    assert (
        call["emergency"] in {"fire", "trapped"} and call["draft"]["emergency"] == call["emergency"]
    )
    approved = runner.invoke(
        app,
        ["review", "approve", out["call_id"], "--location", "Le Loi", "--as", "lan", "--json"],
        env=env,
    )
    assert approved.exit_code == 0, approved.stdout + approved.stderr
    report = json.loads(approved.stdout)
    shown = json.loads(
        runner.invoke(
            app, ["reports", "show", report["service_request_id"], "--json"], env=env
        ).stdout
    )
    assert shown["emergency"] in {"fire", "trapped"} and "(IOC)" in shown["agency_responsible"]
    stats = json.loads(runner.invoke(app, ["stats", "--json"], env=env).stdout)
    assert stats["calls"]["urgent"] == 1 and stats["urgent"]["reports"] == 1


def test_the_draft_of_a_call_keeps_its_urgency(tmp_path: Path):
    alert = detect("có người bị điện giật ở cột điện đường Hùng Vương, đang bất tỉnh")
    draft = drafts.build("có người bị điện giật ở cột điện đường Hùng Vương", [], alert)
    assert draft.emergency == "electrocution" and draft.category == "power_outage"
