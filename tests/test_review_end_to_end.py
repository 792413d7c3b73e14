"""From a recorded call to a filed report: voice process, then a supervisor's review.

Real audio (espeak-ng + sox), real faster-whisper, the real Rasa for the NLU, SQLite, and the
supervisor's commands through typer.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli import app
from voice import synth

runner = CliRunner()
pytestmark = pytest.mark.skipif(
    synth.missing_tool() is not None, reason=f"{synth.missing_tool()} is not installed"
)
CALL = [
    ("right", "en-us", "Hotline, how can I help you?"),
    (
        "left",
        "en-us",
        "Hello. The street light is broken on Hung Vuong street in Thuan Hoa ward. "
        "It has been dark for a week.",
    ),
    ("right", "en-us", "Thank you, we will send someone."),
]


def test_a_recorded_report_becomes_a_filed_report_after_review(stack, tmp_path):
    recording = synth.call(CALL, tmp_path / "in-0912345678-102-20261126-091500-1.wav")
    env = {"HUE_ASSIST_HOME": str(tmp_path / "home"), **stack.rasa_env,
           "WHISPER_MODEL": "tiny.en", "VOICE_LANGUAGE": "en",
           "HUE_ASSIST_ACTOR": "hoa"}  # fmt: skip
    processed = runner.invoke(app, ["voice", "process", str(recording), "--json"], env=env)
    assert processed.exit_code == 0, processed.output
    out = json.loads(next(line for line in processed.stdout.splitlines() if line.startswith("{")))
    assert out["draft_report_id"], out

    queue = json.loads(runner.invoke(app, ["review", "queue", "--json"], env=env).stdout)
    assert [row["call_id"] for row in queue] == [out["call_id"]]
    assert queue[0]["draft_report_id"] == out["draft_report_id"]

    shown = json.loads(
        runner.invoke(app, ["review", "show", out["call_id"], "--json"], env=env).stdout
    )
    assert shown["draft"]["state"] == "draft" and "0912345678" not in json.dumps(shown)

    approved = runner.invoke(
        app,
        [
            "review",
            "approve",
            out["draft_report_id"],
            "--location",
            "Hùng Vương, Thuận Hóa",
            "--json",
        ],
        env=env,
    )
    assert approved.exit_code == 0, approved.output
    code = json.loads(approved.stdout)["service_request_id"]
    report = json.loads(runner.invoke(app, ["reports", "show", code, "--json"], env=env).stdout)
    assert report["channel"] == "hotline" and report["service_code"] == "streetlight"
    assert report["address"] == "Hùng Vương, Thuận Hóa" and report["ward"] == "Thuận Hóa"
    assert report["agency_responsible"] and report["history"][0]["actor"] == "hoa"
    assert "street light" in report["description"].lower()
    assert runner.invoke(app, ["review", "queue", "--json"], env=env).stdout.strip() == "[]"
