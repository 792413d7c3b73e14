"""Vietnamese speech recognition on the 36 real development clips, against bare faster-whisper.

For each clip, as recorded and in the 8 kHz telephone band (300–3,400 Hz, what a PBX keeps):
word and character error rates of our pipeline (``voice.transcribe``: Whisper base, fixed
Vietnamese, VAD 0.35, speech at -20 dBFS, no hotwords, the loop check) and of bare
faster-whisper with the same model and its default settings (``language="vi"`` only), in the
same run. Then processing time per second of audio, base against tiny.en (calls per hour:
``bench/voice.py --only batch`` with ``WHISPER_MODEL``).

    .venv/bin/python bench/asr.py [--json] [--clips N]

Both sides are normalised the same way before scoring: NFC, lower case, punctuation removed
(the corpus's transcripts mix capitals and punctuation).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from voice import config as voice_config  # noqa: E402
from voice import synth  # noqa: E402
from voice.accuracy import edit_distance  # noqa: E402
from voice.model import get_model  # noqa: E402
from voice.transcribe import transcribe_file  # noqa: E402

CLIPS = ROOT.parent / "shared" / "testdata" / "vietnamese_speech"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text.lower()))


def rates(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Corpus WER and CER (errors over all reference words / characters)."""
    w_err = sum(edit_distance(words(r), words(h)) for r, h in pairs)
    w_all = sum(len(words(r)) for r, _ in pairs)
    c_err = sum(edit_distance(list("".join(words(r))), list("".join(words(h)))) for r, h in pairs)
    c_all = sum(len("".join(words(r))) for r, _ in pairs)
    return {"wer": round(w_err / w_all, 3), "cer": round(c_err / c_all, 3)}


def bare(model, path: Path) -> str:  # noqa: ANN001 - faster_whisper.WhisperModel
    segments, _ = model.transcribe(str(path), language="vi")
    return " ".join(s.text for s in segments)


def ours(config: voice_config.VoiceConfig, path: Path) -> tuple[str, float]:
    transcript = transcribe_file(path, config)
    return " ".join(c.text() for c in transcript.channels), transcript.duration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--clips", type=int, default=0, help="only the first N (0: all)")
    args = parser.parse_args()
    rows = (CLIPS / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    clips = [row.split("\t")[:2] for row in rows if row.strip()]
    clips = clips[: args.clips] if args.clips else clips
    base = voice_config.load({})
    whisper = get_model(base).whisper
    result: dict[str, dict] = {}
    seconds = {"base": 0.0, "audio": 0.0}
    with tempfile.TemporaryDirectory() as scratch:
        for band in ("recorded", "8kHz"):
            pairs_ours, pairs_bare = [], []
            for name, reference in clips:
                path = CLIPS / name
                if band == "8kHz":
                    path = synth.telephone_band(path, Path(scratch) / f"{name}.wav")
                started = time.process_time()
                text, duration = ours(base, path)
                if band == "recorded":
                    seconds["base"] += time.process_time() - started
                    seconds["audio"] += duration
                pairs_ours.append((reference, text))
                pairs_bare.append((reference, bare(whisper, path)))
            result[band] = {"ours": rates(pairs_ours), "bare_faster_whisper": rates(pairs_bare)}
        tiny = voice_config.load({"WHISPER_MODEL": "tiny.en"})
        get_model(tiny)  # loaded before the clock starts, like base above
        started = time.process_time()
        for name, _ in clips:
            ours(tiny, CLIPS / name)
        tiny_cpu = time.process_time() - started
    per_second = {
        "base": round(seconds["base"] / seconds["audio"], 3),
        "tiny.en": round(tiny_cpu / seconds["audio"], 3),
    }
    result["cpu_seconds_per_audio_second"] = per_second
    result["clips"] = len(clips)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for band in ("recorded", "8kHz"):
        o, b = result[band]["ours"], result[band]["bare_faster_whisper"]
        print(
            f"{band:9} ours WER {o['wer']:.3f} CER {o['cer']:.3f} | bare faster-whisper "
            f"WER {b['wer']:.3f} CER {b['cer']:.3f}"
        )
    print(f"CPU seconds per second of audio (short clips): {per_second}")


if __name__ == "__main__":
    main()
