"""Calls through the whole pipeline: real audio, real faster-whisper, the real Rasa, SQLite."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.redact import redact
from bot.storage.store import Store
from voice import drafts, metadata, synth

runner = CliRunner()
pytestmark = pytest.mark.skipif(
    synth.missing_tool() is not None,
    reason=f"{synth.missing_tool()} is not installed: the test calls cannot be synthesised",
)
PHONE = "0905123456"
VIETNAMESE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "vietnamese_speech"
)
# Caller left, operator right, as the hotline records. The caller's words are real recorded
# Vietnamese speech (two development clips, read from ../shared, never copied); the
# operator is espeak-ng's Vietnamese.
VI_CALL = [
    ("right", "vi", "Tổng đài xin nghe."),
    ("left", synth.AUDIO, str(VIETNAMESE / "cv61_21861995.mp3")),
    ("left", synth.AUDIO, str(VIETNAMESE / "vivos_spk01_R002.wav")),
    ("right", "vi", "Dạ, em ghi nhận rồi ạ. Cảm ơn anh."),
]
# An English call (the English-only tiny.en reads it): a report, with the caller's number.
EN_CALL = [
    ("right", "en-us", "Hotline, how can I help you?"),
    (
        "left",
        "en-us",
        "Hello. The street light is broken on Le Loi street in Vy Da ward. "
        "It has been dark for a week.",
    ),
    ("left", "en-us", "My phone number is 0 9 0 5, 1 2 3, 4 5 6."),
    ("right", "en-us", "Thank you, we will send someone."),
]
ENGLISH = {"WHISPER_MODEL": "tiny.en", "VOICE_LANGUAGE": "en"}
PLACEHOLDER = re.compile(r"\[(SĐT|CMND|CCCD|STK)\]")
DIGIT_RUN = re.compile(r"\d(?:[\s.,-]*\d){6,}")


@pytest.fixture(scope="module")
def calls_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("calls")
    synth.call(VI_CALL, folder / f"in-{PHONE}-101-20261126-083015-1764120615.12.wav")
    synth.call(EN_CALL, folder / "en_call.wav")
    return folder


@pytest.fixture
def home_env(stack, tmp_path) -> dict[str, str]:
    return {"HUE_ASSIST_HOME": str(tmp_path / "home"), **stack.rasa_env}


@pytest.fixture
def english_env(home_env) -> dict[str, str]:
    """The English calls are read by the English-only tiny.en (fast)."""
    return {**home_env, **ENGLISH}


def run_process(env: dict[str, str], *args: str) -> tuple[int, list[dict], str]:
    result = runner.invoke(app, ["voice", "process", *args, "--json"], env=env)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, lines, result.stderr


def open_store(env: dict[str, str]) -> Store:
    return Store(Path(env["HUE_ASSIST_HOME"]) / "hue-assist.db")


def displayed_text(store: Store, call_id: str) -> str:
    """Every text stored for display, logs and export about a call (not ids or hashes)."""
    db = store.db
    call = db["calls"].get(call_id)
    parts = [call[k] or "" for k in ("file_name", "summary", "entities", "kb_answer_text")]
    parts += [r["text_redacted"] for r in db["call_segments"].rows_where("call_id = ?", [call_id])]
    for draft in db["draft_reports"].rows_where("call_id = ?", [call_id]):
        parts += [draft["description"], draft["location"] or ""]
    return "\n".join(parts)


def test_vietnamese_call_goes_through_the_whole_pipeline(calls_dir, home_env):
    """Real Vietnamese speech, the default model (Whisper base): written in Vietnamese."""
    recording = next(calls_dir.glob("in-*.wav"))
    code, [out], stderr = run_process(home_env, str(recording))
    assert code == 0, stderr
    assert set(out) == {"call_id", "status", "draft_report_id"}
    assert out["status"] == "processed" and out["call_id"].startswith("C-")
    assert "WHISPER_MODEL" not in stderr  # no warning: the model speaks Vietnamese
    store = open_store(home_env)
    try:
        call = store.db["calls"].get(out["call_id"])
        assert call["status"] == "pending" and call["channels"] == 2
        assert (call["language"], call["model"]) == ("vi", "base")
        assert 10 < call["duration"] < 25
        assert call["operator"] == "101"
        assert call["received_at"] == "2026-11-26T08:30:15+07:00"
        assert PHONE not in call["file_name"] and "[SĐT]" in call["file_name"]
        assert store.db["call_contacts"].get(out["call_id"])["caller_number"] == PHONE
        segments = list(store.db["call_segments"].rows_where("call_id = ?", [out["call_id"]]))
        assert {s["role"] for s in segments} == {"caller", "agent"}
        caller = " ".join(s["text_redacted"] for s in segments if s["role"] == "caller")
        caller = unicodedata.normalize("NFC", caller.lower())
        # what the two clips say: "Vậy nó có liên quan gì đến con gái tôi chứ" and "chỉ bằng
        # cách luôn nỗ lực thì cuối cùng bạn mới được đền đáp"
        assert "liên quan" in caller and "con gái tôi" in caller, caller
        assert "cuối cùng bạn mới được" in caller, caller
        assert call["summary"] and not redact(displayed_text(store, out["call_id"])).found
    finally:
        store.close()


def test_english_report_call_becomes_a_draft_report(calls_dir, home_env, english_env):
    code, [out], stderr = run_process(english_env, str(calls_dir / "en_call.wav"))
    assert code == 0, stderr
    assert out["status"] == "processed"
    assert re.fullmatch(r"D-\d+", out["draft_report_id"] or ""), out
    store = open_store(home_env)
    try:
        call = store.db["calls"].get(out["call_id"])
        assert call["intent"] == "report_incident"
        assert call["draft_report_id"] == out["draft_report_id"]
        roles = {
            s["role"]
            for s in store.db["call_segments"].rows_where("call_id = ?", [call["call_id"]])
        }
        assert roles == {"caller", "agent"}
        assert "street light" in call["summary"].lower()
        draft = drafts.get(store.db, out["draft_report_id"])
        assert draft["call_id"] == out["call_id"]
        assert (draft["state"], draft["channel"], draft["category"]) == (
            "draft",
            "hotline",
            "streetlight",
        )
        assert "street light is broken" in draft["description"].lower()
        # tiny.en at 8 kHz hears the leading "zero" as "nearly": whatever is left of the
        # number must still be hidden
        assert PLACEHOLDER.search(draft["description"]), draft["description"]
        assert not DIGIT_RUN.search(draft["description"])
        assert draft["location"]
        # the agent's words are not the caller's report
        assert "how can i help" not in draft["description"].lower()
    finally:
        store.close()


def test_show_hides_personal_data_unless_asked_and_audits_every_view(
    calls_dir, home_env, english_env
):
    _, [out], _ = run_process(english_env, str(calls_dir / "en_call.wav"))
    call_id = out["call_id"]
    plain = runner.invoke(app, ["voice", "show", call_id, "--json"], env=home_env)
    assert plain.exit_code == 0, plain.output
    shown = json.loads(plain.stdout)
    assert "caller_number" not in shown
    shown_text = " ".join([shown["summary"], *(s["text"] for s in shown["segments"])])
    assert PLACEHOLDER.search(shown_text) and not DIGIT_RUN.search(shown_text), shown_text
    store = open_store(home_env)
    audits_before = store.db["audit_log"].count
    store.close()
    pii = runner.invoke(app, ["voice", "show", call_id, "--json", "--show-pii"], env=home_env)
    raw = json.loads(pii.stdout)
    caller_text = " ".join(s["text"] for s in raw["segments"] if s["role"] == "caller")
    assert redact(caller_text).found  # the raw words, number included
    store = open_store(home_env)
    try:
        rows = list(store.db["audit_log"].rows)
        assert len(rows) == audits_before + 1
        assert rows[-1]["action"] == "show_pii" and rows[-1]["subject"] == call_id
        assert not DIGIT_RUN.search(rows[-1]["detail"])
    finally:
        store.close()


def test_batch_with_bad_files_goes_on_moves_files_and_is_not_redone(
    calls_dir, home_env, english_env, tmp_path
):
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(calls_dir / "en_call.wav", batch / "a_call.wav")
    (batch / "a_call.json").write_text(
        json.dumps({"caller": "0914222333", "operator": "op7", "time": "2026-11-20 09:15:00"})
    )
    (batch / "b_empty.wav").write_bytes(b"")
    (batch / "c_text.wav").write_text("không phải âm thanh / not audio")
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "2", str(batch / "d_silence.wav"), "trim", "0", "5"],
        check=True,
    )
    code, outs, _ = run_process(english_env, str(batch), "--move")
    assert code == 1  # some files failed
    assert [o["status"] for o in outs] == ["processed", "failed", "failed", "processed"]
    assert "empty file" in outs[1]["error"] and "not a readable audio file" in outs[2]["error"]
    assert outs[3]["draft_report_id"] is None  # silence: a call record, nothing to report
    assert sorted(p.name for p in (batch / "processed").iterdir()) == [
        "a_call.wav",
        "a_call.wav.json",
        "d_silence.wav",
    ]
    failed = sorted(p.name for p in (batch / "failed").iterdir())
    assert failed == ["b_empty.wav", "b_empty.wav.error.txt", "c_text.wav", "c_text.wav.error.txt"]
    assert "empty file" in (batch / "failed" / "b_empty.wav.error.txt").read_text()
    assert not list(batch.glob("*.wav"))
    store = open_store(home_env)
    try:
        first = store.db["calls"].get(outs[0]["call_id"])
        assert first["received_at"] == "2026-11-20T09:15:00+07:00" and first["operator"] == "op7"
        assert store.db["call_contacts"].get(outs[0]["call_id"])["caller_number"] == "0914222333"
        silent = store.db["calls"].get(outs[3]["call_id"])
        assert silent["confidence"] == 0.0 and silent["intent"] is None
        assert store.db["calls"].count == 4
    finally:
        store.close()
    # The same recordings again: recognised by their hash, not redone.
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(batch / "processed" / "a_call.wav", again / "x.wav")
    shutil.copy(batch / "failed" / "c_text.wav", again / "y.wav")
    code, outs2, _ = run_process(english_env, str(again))
    assert [o["status"] for o in outs2] == ["duplicate", "failed"]
    assert outs2[0]["call_id"] == outs[0]["call_id"]
    store = open_store(home_env)
    try:
        assert store.db["calls"].count == 4
    finally:
        store.close()


def test_process_says_clearly_when_the_named_rasa_is_down(calls_dir, tmp_path):
    from bot.services.processes import free_port

    url = f"http://127.0.0.1:{free_port()}"
    env = {"HUE_ASSIST_HOME": str(tmp_path / "home"), "RASA_URL": url}
    result = runner.invoke(app, ["voice", "process", str(calls_dir / "en_call.wav")], env=env)
    assert result.exit_code == 1
    assert f"not reachable at {url}" in result.output


def test_pbx_names_and_sidecars_give_the_call_metadata(tmp_path):
    asterisk = tmp_path / "in-0905123456-1001-20261126-083015-1764120615.3.wav"
    asterisk.write_bytes(b"x")
    meta = metadata.read(asterisk)
    assert (meta.caller_number, meta.operator) == ("0905123456", "1001")
    assert meta.received_at == "2026-11-26T08:30:15+07:00"
    generic = tmp_path / "20261125_141500_84914222333_op12.mp3"
    generic.write_bytes(b"x")
    meta = metadata.read(generic)
    assert (meta.caller_number, meta.operator) == ("84914222333", "12")
    assert meta.received_at == "2026-11-25T14:15:00+07:00"
    plain = tmp_path / "call.wav"
    plain.write_bytes(b"x")
    (tmp_path / "call.json").write_text('{"from": "+84905000111", "agent": "Lan"}')
    meta = metadata.read(plain)
    assert (meta.caller_number, meta.operator) == ("+84905000111", "Lan")
    assert meta.received_at.endswith("+07:00")


def test_a_phone_number_after_the_date_is_not_read_as_a_time(tmp_path):
    dated = tmp_path / "call-20261201-0905123456.mp3"
    dated.write_bytes(b"x")
    os.utime(dated, (0, 0))  # written on another day: midnight of the named day
    meta = metadata.read(dated)
    assert meta.caller_number == "0905123456"
    assert meta.received_at == "2026-12-01T00:00:00+07:00"
    timed = tmp_path / "call-20261201-090512-0905123456.mp3"
    timed.write_bytes(b"x")
    assert metadata.read(timed).received_at == "2026-12-01T09:05:12+07:00"
