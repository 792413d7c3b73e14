"""Synthetic calls for tests and benchmarks, made with espeak-ng and sox (no recordings of
real people are needed or committed).

A call is a list of turns ``(channel, voice, text)``; each turn is spoken on its channel
while the other channel is silent, the way a two-channel hotline recorder stores a call.
A turn whose voice is ``"audio"`` plays a recording instead (``text`` is its path): real
speech, e.g. the Vietnamese development clips, placed in a call without copying them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TOOLS = ("espeak-ng", "sox")
Turn = tuple[str, str, str]  # channel (left|right), espeak voice (vi, en-us) or "audio", text
AUDIO = "audio"


def missing_tool() -> str | None:
    """The first tool that is not installed, or None."""
    return next((tool for tool in TOOLS if shutil.which(tool) is None), None)


def _run(*argv: str) -> None:
    if argv[0] == "sox":
        # sox dithers at random when it writes 16-bit samples: without -R ("repeatable")
        # the same call came out as different audio each time, and tiny.en heard it
        # differently (a flaky test). -R seeds the dither.
        argv = ("sox", "-R", *argv[1:])
    subprocess.run(argv, check=True, capture_output=True)


def _duration(path: Path) -> float:
    out = subprocess.run(["soxi", "-D", str(path)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def speak(text: str, voice: str, out: Path, rate: int = 16000, speed: int = 150) -> Path:
    """``text`` spoken by espeak-ng ``voice``, as mono ``rate`` Hz 16-bit WAV."""
    raw = out.with_suffix(".espeak.wav")
    _run("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text)
    _run("sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(out))
    raw.unlink()
    return out


def silence(seconds: float, out: Path, rate: int = 16000) -> Path:
    _run("sox", "-n", "-r", str(rate), "-c", "1", "-b", "16", str(out), "trim", "0", f"{seconds}")
    return out


def call(turns: list[Turn], out: Path, rate: int = 8000, gap: float = 0.5) -> Path:
    """A two-channel call: left then right channel in ``out``, at ``rate`` Hz."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        pieces: dict[str, list[str]] = {"left": [], "right": []}
        pause = str(silence(gap, work / "gap.wav", rate))
        for n, (channel, voice, text) in enumerate(turns):
            if voice == AUDIO:
                spoken = work / f"turn{n}.wav"
                _run("sox", text, "-r", str(rate), "-c", "1", "-b", "16", str(spoken))
            else:
                spoken = speak(text, voice, work / f"turn{n}.wav", rate)
            other = "right" if channel == "left" else "left"
            quiet = silence(_duration(spoken), work / f"quiet{n}.wav", rate)
            pieces[channel] += [str(spoken), pause]
            pieces[other] += [str(quiet), pause]
        left, right = work / "left.wav", work / "right.wav"
        _run("sox", *pieces["left"], str(left))
        _run("sox", *pieces["right"], str(right))
        _run("sox", "-M", str(left), str(right), str(out))
    return out


def repeat_to(source: Path, seconds: float, out: Path) -> Path:
    """``source`` repeated until it lasts ``seconds`` (long-call benchmarks)."""
    times = max(1, int(seconds // max(_duration(source), 0.1)))
    _run("sox", str(source), str(out), "repeat", str(times - 1))
    _run("sox", str(out), str(out.with_suffix(".trim.wav")), "trim", "0", f"{seconds}")
    out.with_suffix(".trim.wav").replace(out)
    return out


def telephone_band(source: Path, out: Path) -> Path:
    """``source`` as a hotline records it: 8 kHz mono, 300–3,400 Hz (what the PBX keeps)."""
    _run("sox", str(source), "-r", "8000", "-c", "1", str(out), "sinc", "300-3400")
    return out
