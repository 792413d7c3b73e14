"""Transcription on real recordings with the real bundled models, int8 on the CPU: the
English recordings with tiny.en (fast), real Vietnamese speech with the default, Whisper base.
"""

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
from voice import audio, hallucinations, synth
from voice import config as voice_config
from voice.accuracy import error_rate
from voice.audio import AudioError
from voice.transcribe import transcribe_file

# The project's recordings sit in ../shared beside the checkout (HUE_ASSIST_TESTDATA moves it).
TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"
AUDIO = Path(os.environ.get("HUE_ASSIST_TESTDATA") or TESTDATA) / "audio"
pytestmark = pytest.mark.skipif(
    not AUDIO.is_dir(), reason=f"the test recordings are not at {AUDIO} (../shared/testdata)"
)
JFK = AUDIO / "jfk.flac"
STEREO = AUDIO / "stereo_diarization.wav"
MULTI = AUDIO / "multilingual.mp3"
JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
LEFT_TEXT = (
    "He began a confused complaint against the wizard, "
    "who had vanished behind the curtain on the left."
)
RIGHT_TEXT = "The horizon seems extremely distant."
runner = CliRunner()
needs_sox = pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text.lower().replace("-", " "))
    return re.findall(r"[\w']+", text)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate after normalisation (case, punctuation)."""
    return error_rate(words(reference), words(hypothesis))


@pytest.fixture(scope="module")
def english() -> voice_config.VoiceConfig:
    return voice_config.load({"VOICE_LANGUAGE": "en", "WHISPER_MODEL": "tiny.en"})


TINY = {"WHISPER_MODEL": "tiny.en"}


def test_wer_helper_counts_errors():
    assert wer("a b c d", "a b c d") == 0
    assert wer("a b c d", "a x c") == 0.5


def test_jfk_is_transcribed_with_low_word_error_rate(english):
    transcript = transcribe_file(JFK, english)
    text = " ".join(c.text() for c in transcript.channels)
    assert wer(JFK_TEXT, text) <= 0.15, text
    assert transcript.language == "en" and transcript.model == "tiny.en"
    assert 10.5 < transcript.duration < 11.5
    # jfk.flac stores the same signal on two channels: transcribed once, no roles claimed
    assert [(c.channel, c.role) for c in transcript.channels] == [("mono", "unknown")]
    assert 0.3 < transcript.confidence <= 1.0


def test_stereo_channels_are_split_with_the_right_text_and_role_on_each(english):
    transcript = transcribe_file(STEREO, english)
    left, right = transcript.channels
    assert (left.channel, left.role) == ("left", "caller")
    assert (right.channel, right.role) == ("right", "agent")
    assert wer(LEFT_TEXT, left.text()) <= 0.2, left.text()
    assert wer(RIGHT_TEXT, right.text()) <= 0.2, right.text()
    assert "horizon" not in left.text().lower() and "wizard" not in right.text().lower()
    starts = [s.start for _, s in transcript.dialogue()]
    assert starts == sorted(starts) and len(starts) == len(left.segments) + len(right.segments)


def test_channel_map_from_the_environment_swaps_roles():
    config = voice_config.load(
        {"VOICE_LANGUAGE": "en", "VOICE_CHANNEL_MAP": "left=agent,right=caller"}
    )
    transcript = transcribe_file(STEREO, config)
    assert [c.role for c in transcript.channels] == ["agent", "caller"]
    with pytest.raises(ValueError, match="VOICE_CHANNEL_MAP"):
        voice_config.load({"VOICE_CHANNEL_MAP": "middle=caller"})


def test_multilingual_file_runs_to_the_end(english):
    transcript = transcribe_file(MULTI, english)
    assert 59 < transcript.duration < 61
    (channel,) = transcript.channels
    assert channel.role == "unknown"
    assert "permission is hereby granted" in channel.text().lower()
    assert channel.segments[-1].end > 40  # the German half was reached too
    for segment in channel.segments:
        assert 0 <= segment.confidence <= 1


def test_cli_json_has_the_contract_shape():
    result = runner.invoke(
        app, ["voice", "transcribe", str(STEREO), "--stereo", "--json", "-l", "en"], env=TINY
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"path", "duration", "language", "model", "channels"} <= set(data)
    assert data["path"] == str(STEREO) and data["model"] == "tiny.en"
    assert [c["channel"] for c in data["channels"]] == ["left", "right"]
    for channel in data["channels"]:
        assert {"channel", "role", "text", "segments"} <= set(channel)
        assert channel["role"] in ("caller", "agent", "unknown")
        assert channel["text"] == " ".join(s["text"] for s in channel["segments"])
        for segment in channel["segments"]:
            assert set(segment) == {"start", "end", "text", "confidence", "flags"}
            assert segment["start"] <= segment["end"] and isinstance(segment["flags"], list)


def test_cli_warns_that_the_english_only_model_cannot_do_vietnamese():
    result = runner.invoke(
        app, ["voice", "transcribe", str(JFK), "--json"], env={"VOICE_LANGUAGE": "", **TINY}
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["language"] == "en"  # what was actually decoded
    warning = " ".join(data["warnings"])
    assert "tiny.en" in warning and "WHISPER_MODEL" in warning and "'vi'" in warning
    assert "WHISPER_MODEL" in result.stderr
    assert wer(JFK_TEXT, data["channels"][0]["text"]) <= 0.15


def test_cli_mono_option_mixes_a_stereo_file_into_one_unknown_channel():
    result = runner.invoke(
        app, ["voice", "transcribe", str(STEREO), "--mono", "--json", "--language", "en"], env=TINY
    )
    data = json.loads(result.stdout)
    assert [(c["channel"], c["role"]) for c in data["channels"]] == [("mono", "unknown")]


# -- bad input ----------------------------------------------------------------------------


def test_empty_file_is_a_clear_error(tmp_path, english):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match="empty file"):
        transcribe_file(empty, english)


def test_text_file_named_wav_is_a_clear_error(tmp_path, english):
    fake = tmp_path / "notes.wav"
    fake.write_text("đây không phải là âm thanh / this is not audio\n" * 20)
    with pytest.raises(AudioError, match="not a readable audio file"):
        transcribe_file(fake, english)


def test_corrupt_file_is_a_clear_error(tmp_path, english):
    corrupt = tmp_path / "corrupt.mp3"
    corrupt.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(AudioError):
        transcribe_file(corrupt, english)


def test_truncated_file_gives_what_it_holds(tmp_path, english):
    cut = tmp_path / "cut.flac"
    data = JFK.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    transcript = transcribe_file(cut, english)
    assert 3 < transcript.duration < 8
    assert "americans" in " ".join(c.text() for c in transcript.channels).lower()


@needs_sox
def test_silence_only_gives_an_empty_transcript_with_zero_confidence(tmp_path, english):
    quiet = tmp_path / "quiet.wav"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "2", str(quiet), "trim", "0", "6"], check=True)
    transcript = transcribe_file(quiet, english)
    assert 5.9 < transcript.duration < 6.1
    assert all(not c.segments for c in transcript.channels)
    assert transcript.confidence == 0.0


@needs_sox
@pytest.mark.parametrize("rate", [8000, 11025, 48000])
def test_unusual_sample_rates_are_resampled(tmp_path, english, rate):
    resampled = tmp_path / f"jfk_{rate}.wav"
    subprocess.run(["sox", str(JFK), "-r", str(rate), "-c", "1", str(resampled)], check=True)
    transcript = transcribe_file(resampled, english)
    assert 10.5 < transcript.duration < 11.5
    limit = 0.3 if rate == 8000 else 0.15  # telephone bandwidth loses some consonants
    assert wer(JFK_TEXT, transcript.channels[0].text()) <= limit


def test_cli_batch_goes_on_after_bad_files(tmp_path):
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "a_empty.wav").write_bytes(b"")
    (folder / "b_text.wav").write_text("hello")
    shutil.copy(JFK, folder / "c_jfk.flac")
    (folder / "notes.txt").write_text("not a recording")
    result = runner.invoke(
        app, ["voice", "transcribe", str(folder), "--json", "--language", "en"], env=TINY
    )
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(line["path"]).name for line in lines] == ["c_jfk.flac"]
    assert "a_empty.wav: tệp rỗng / empty file" in result.stderr
    assert "b_text.wav: không đọc được âm thanh / not a readable audio file" in result.stderr


@needs_sox
def test_long_recording_is_decoded_in_bounded_chunks(tmp_path, english):
    """A 2-minute call decoded 30 s at a time: no chunk is larger than 40 s of audio, the
    pieces add up to the whole, and transcription across chunk boundaries keeps going."""
    pair = tmp_path / "pair.wav"
    subprocess.run(
        ["sox", str(JFK), "-r", "16000", "-c", "1", str(pair).replace(".wav", "_a.wav")], check=True
    )
    subprocess.run(
        ["sox", str(STEREO), "-r", "16000", str(pair).replace(".wav", "_b.wav"), "remix", "1"],
        check=True,
    )
    subprocess.run(
        [
            "sox",
            str(pair).replace(".wav", "_a.wav"),
            str(pair).replace(".wav", "_b.wav"),
            str(pair),
        ],
        check=True,
    )
    long = tmp_path / "long.wav"
    subprocess.run(["sox", str(pair), str(long), "repeat", "7"], check=True)  # 8 × 16 s
    pieces = list(audio.chunks(long, stereo=False, chunk_s=30))
    assert len(pieces) >= 4
    assert max(p.duration for p in pieces) <= 40.0
    assert abs(sum(p.duration for p in pieces) - 128.0) < 0.5
    assert all(
        b.offset == pytest.approx(a.offset + a.duration)
        for a, b in zip(pieces, pieces[1:], strict=False)
    )
    transcript = transcribe_file(long, english.with_overrides(chunk_s=45.0))
    text = transcript.channels[0].text().lower()
    assert text.count("country") >= 14 and text.count("wizard") >= 7, text
    assert transcript.channels[0].segments[-1].end > 120
    assert transcript.dropped == 0


# -- hallucinations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hãy subscribe cho kênh Ghiền Mì Gõ để không bỏ lỡ những video hấp dẫn",
        "Cảm ơn các bạn đã theo dõi và hẹn gặp lại.",
        "cam on cac ban da theo doi",
        "Thanks for watching!",
    ],
)
def test_known_outros_are_dropped(text):
    assert hallucinations.reason(text, []) == "outro"


def test_looping_repeats_are_dropped_but_real_speech_is_kept():
    assert hallucinations.reason("đèn đèn đèn đèn đèn đèn", []) == "loop"
    assert (
        hallucinations.reason("tôi không biết tôi không biết tôi không biết tôi không biết", [])
        == "loop"
    )
    text = "Hello, welcome to me, I'm Billy, I'm Billy, I'm Billy, I'm Billy, my number is"
    assert hallucinations.reason(text, []) is None
    assert hallucinations.collapse_loops(text) == (
        "Hello, welcome to me, I'm Billy, my number is",
        1,
    )
    assert hallucinations.collapse_loops("một hai ba, một hai ba") == ("một hai ba, một hai ba", 0)
    sentence = "I'm not going to do anything."
    assert hallucinations.reason(sentence, [sentence]) is None  # kept once, flagged
    assert hallucinations.reason(sentence, [sentence, sentence.upper()]) == "repeat"
    assert hallucinations.reason("alô", ["alô"]) is None
    assert hallucinations.reason("Đèn đường ở Lê Lợi bị hỏng, cảm ơn các bạn nhiều", []) is None


def test_a_model_that_cannot_be_loaded_is_a_clear_error(tmp_path):
    result = runner.invoke(
        app,
        ["voice", "transcribe", str(JFK)],
        env={"WHISPER_MODEL": "no-such-model-size", "HF_HUB_OFFLINE": "1"},
    )
    assert result.exit_code == 2
    assert "no-such-model-size" in result.stderr and "WHISPER_MODEL" in result.stderr


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_show_pii_shows_the_number_and_is_audited(tmp_path):
    from bot.storage.store import Store
    from voice import synth

    spoken = synth.speak("My phone number is 0 9 0 5, 1 2 3, 4 5 6.", "en-us", tmp_path / "n.wav")
    env = {"HUE_ASSIST_HOME": str(tmp_path / "home"), "VOICE_LANGUAGE": "en", **TINY}
    hidden = runner.invoke(app, ["voice", "transcribe", str(spoken), "--json"], env=env)
    text = json.loads(hidden.stdout)["channels"][0]["text"]
    # tiny.en sometimes drops the leading zero: the label may then say ID or account number,
    # but the number is hidden either way.
    assert re.search(r"\[(SĐT|CMND|CCCD|STK)\]", text) and not re.search(r"\d", text), text
    assert not (tmp_path / "home" / "hue-assist.db").exists()  # nothing to audit
    shown = runner.invoke(
        app, ["voice", "transcribe", str(spoken), "--json", "--show-pii"], env=env
    )
    raw = json.loads(shown.stdout)["channels"][0]["text"]
    assert "[" not in raw and redact(raw).found, raw  # the number itself, digits or words
    store = Store(tmp_path / "home" / "hue-assist.db")
    try:
        (row,) = list(store.db["audit_log"].rows)
        assert row["action"] == "show_pii" and row["subject"].startswith("audio:")
        assert not redact(row["detail"]).found
    finally:
        store.close()


def test_hotwords_come_from_settings_and_the_option_and_wards_only_when_asked():
    from voice.transcribe import whisper_options

    assert whisper_options(voice_config.load({}), "vi", multilingual=True)["hotwords"] is None
    config = voice_config.load({"VOICE_HOTWORDS": "Hue-S, Lê Lợi", "VOICE_GAZETTEER_HOTWORDS": "1"})
    config = config.with_overrides(hotwords=config.hotwords + ("Đập Đá",))
    english = whisper_options(config, "en", multilingual=False)["hotwords"]
    assert english == "Hue-S, Lê Lợi, Đập Đá"
    multilingual = whisper_options(config, "vi", multilingual=True)["hotwords"]
    assert multilingual.startswith("Hue-S, Lê Lợi, Đập Đá, ") and "Vỹ Dạ" in multilingual
    off = voice_config.load({"VOICE_GAZETTEER_HOTWORDS": "0"})
    assert whisper_options(off, "vi", multilingual=True)["hotwords"] is None
    result = runner.invoke(
        app,
        ["voice", "transcribe", str(JFK), "--json", "--language", "en", "--hotwords", "Hue-S"],
        env=TINY,
    )
    assert (
        result.exit_code == 0
        and wer(JFK_TEXT, json.loads(result.stdout)["channels"][0]["text"]) <= 0.15
    )


@pytest.mark.skipif(synth.missing_tool() is not None, reason="espeak-ng or sox is missing")
def test_the_same_recording_gives_the_same_transcript(english, tmp_path):
    """Also for audio a model can barely read (espeak-ng's Vietnamese, where Whisper's sampling
    fallback used to re-decode at random), whatever the process transcribed before."""
    hard = synth.call(
        [
            ("right", "vi", "Tổng đài một chín không không một không bảy lăm xin nghe."),
            ("left", "vi", "Alô, tôi muốn báo đèn đường bị hỏng ở đường Lê Lợi phường Vỹ Dạ."),
            ("right", "vi", "Dạ, em ghi nhận rồi ạ. Cảm ơn anh."),
        ],
        tmp_path / "hard.wav",
    )
    vietnamese = voice_config.load({"VOICE_LANGUAGE": "vi"})
    runs = []
    for _ in range(3):
        runs.append(transcribe_file(hard, vietnamese).shape())
        runs.append(transcribe_file(STEREO, english).shape())
    assert all(run == runs[0] for run in runs[::2])
    assert all(run == runs[1] for run in runs[1::2])


# -- real Vietnamese speech (the default model, Whisper base) ----------------------------
VIETNAMESE = AUDIO.parent / "vietnamese_speech"


# The first three clips of each corpus, by name (read speech, Common Voice and VIVOS); the
# references are what the corpus says (../shared/testdata/vietnamese_speech/transcripts.tsv).
def _clips() -> dict[str, str]:
    rows = (VIETNAMESE / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    references = dict(row.split("\t")[:2] for row in rows if row.strip())
    names = sorted(references)
    chosen = [n for n in names if n.startswith("cv61")][:3]
    chosen += [n for n in names if n.startswith("vivos")][:3]
    return {name: references[name] for name in chosen}


@needs_sox
def test_real_vietnamese_speech_is_written_in_vietnamese(tmp_path):
    vietnamese = voice_config.load({})  # the defaults: Whisper base, Vietnamese
    recorded, phone = [], []
    for name, reference in _clips().items():
        transcript = transcribe_file(VIETNAMESE / name, vietnamese)
        assert transcript.language == "vi" and transcript.model == "base"
        assert not transcript.warnings
        recorded.append(wer(reference, " ".join(c.text() for c in transcript.channels)))
        narrow = transcribe_file(
            synth.telephone_band(VIETNAMESE / name, tmp_path / f"{name}.wav"), vietnamese
        )
        phone.append(wer(reference, " ".join(c.text() for c in narrow.channels)))
    # these six: 0.30 recorded, 0.28 at 8 kHz; the whole development set 0.375 and 0.392
    # (bench/asr.py); one of the six comes out as a loop ("tuyến cục cục cục…")
    assert sum(recorded) / len(recorded) <= 0.45, recorded
    assert sum(phone) / len(phone) <= 0.5, phone
    assert recorded.count(0.0) >= 1  # one sentence word for word


def test_vietnamese_or_english_is_decided_per_recording_when_both_are_allowed():
    both = voice_config.load({"VOICE_LANGUAGE": "vi,en"})
    assert transcribe_file(JFK, both).language == "en"
    clip = transcribe_file(VIETNAMESE / "vivos_spk01_R010.wav", both)
    assert clip.language == "vi" and "mẹ tôi thường" in clip.channels[0].text().lower()


@needs_sox
def test_the_language_is_decided_on_the_callers_channel(tmp_path):
    """English on the left, Vietnamese on the right: the channel map says which is the
    caller's, and the caller's words decide the language of the call."""
    sides = []
    for name, source in (("left", JFK), ("right", VIETNAMESE / "vivos_spk01_R010.wav")):
        sides.append(tmp_path / f"{name}.wav")
        subprocess.run(["sox", str(source), "-r", "16000", "-c", "1", str(sides[-1])], check=True)
    stereo = tmp_path / "stereo.wav"
    subprocess.run(["sox", "-R", "-M", *map(str, sides), str(stereo)], check=True)
    caller_left = voice_config.load({"VOICE_LANGUAGE": "vi,en"})
    caller_right = voice_config.load(
        {"VOICE_LANGUAGE": "vi,en", "VOICE_CHANNEL_MAP": "left=agent,right=caller"}
    )
    assert transcribe_file(stereo, caller_left).language == "en"
    assert transcribe_file(stereo, caller_right).language == "vi"


# -- a person repeating is not a decoder loop ---------------------------------------------
@needs_sox
def test_a_sentence_said_five_times_is_kept_five_times(tmp_path, english):
    """The same 11-s sentence, five times, 0.5 s apart: a caller repeating themselves."""
    gap = tmp_path / "gap.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(gap), "trim", "0", "0.5"], check=True
    )
    clip = tmp_path / "jfk.wav"
    subprocess.run(["sox", str(JFK), "-r", "16000", "-c", "1", str(clip)], check=True)
    five = tmp_path / "five.wav"
    parts = [str(clip), str(gap)] * 4 + [str(clip)]
    subprocess.run(["sox", "-R", *parts, str(five)], check=True)
    transcript = transcribe_file(five, english)
    text = " ".join(c.text() for c in transcript.channels).lower()
    assert text.count("ask not what your country") == 5, text
    assert transcript.dropped == 0


def test_words_with_no_speech_under_them_or_no_time_for_them_are_a_loop():
    from voice.speech import Speech

    speech = Speech(((0.0, 4.0), (5.0, 9.0)))
    said = "đèn đường ở Lê Lợi bị hỏng rồi"  # 8 words
    # said again over speech, at a speaking pace: a person repeating (kept, flagged)
    assert hallucinations.reason(said, [said, said], 5.0, 8.0, speech) is None
    # the same words where the audio is silence (hold music, hiss): a loop over silence
    assert hallucinations.reason(said, [said, said], 10.0, 13.0, speech) == "repeat"
    # a phrase looping inside a segment: kept when there was time to say it all...
    loop = "tôi không biết, " * 4
    assert hallucinations.reason(loop, [], 0.0, 3.9, speech) is None
    # ...dropped when twelve words claim half a second (stuck timestamps)
    assert hallucinations.reason(loop, [], 0.0, 0.5, speech) == "loop"
    assert hallucinations.collapse_repeats(
        "and so ask not what your country can do " * 3 + "for you"
    ) == ("and so ask not what your country can do for you", 1)
    assert hallucinations.collapse_repeats("một hai ba, một hai ba") == (
        "một hai ba, một hai ba",
        0,
    )
