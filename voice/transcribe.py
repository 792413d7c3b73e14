"""Recording → transcript: split channels, VAD, Whisper, hallucination filter, confidence.

Stereo hotline recordings carry one party per channel, so each channel is transcribed alone
and labelled from the channel map (no diarization is needed, none is claimed for mono).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.base.text import clean
from bot.domain.redact import redact_segments
from voice import audio, hallucinations, speech
from voice.config import VoiceConfig
from voice.model import LoadedModel, get_model

log = logging.getLogger(__name__)

# Two channels whose difference is this small (RMS, relative to the louder channel) are one
# signal recorded twice (jfk.flac: 0.027; a real two-party call: well above 1).
_DUAL_MONO_TOLERANCE = 0.05


@dataclass
class Segment:
    start: float
    end: float
    text: str  # raw, as recognised: never displayed without --show-pii
    redacted: str
    confidence: float
    flags: list[str] = field(default_factory=list)

    def shape(self, show_pii: bool) -> dict[str, Any]:
        return {
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "text": self.text if show_pii else self.redacted,
            "confidence": round(self.confidence, 3),
            "flags": list(self.flags),
        }


@dataclass
class Channel:
    channel: str  # left | right | mono
    role: str  # caller | agent | unknown
    segments: list[Segment] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # hallucination reason → count

    def text(self, show_pii: bool = False) -> str:
        return " ".join(s.text if show_pii else s.redacted for s in self.segments).strip()

    @property
    def confidence(self) -> float | None:
        """Duration-weighted mean of the segments' confidence; None when nothing was said."""
        return weighted_confidence(self.segments)


@dataclass
class Transcript:
    path: Path
    duration: float
    language: str
    model: str
    channels: list[Channel]
    warnings: list[str] = field(default_factory=list)
    batched: bool = False
    seconds: float = 0.0  # wall time spent transcribing

    @property
    def confidence(self) -> float:
        """The call's confidence: 0 when no speech was recognised at all."""
        value = weighted_confidence([s for c in self.channels for s in c.segments])
        return 0.0 if value is None else value

    @property
    def dropped(self) -> int:
        return sum(sum(c.dropped.values()) for c in self.channels)

    def dialogue(self) -> list[tuple[Channel, Segment]]:
        """Every kept segment of every channel, merged by start time into one conversation."""
        merged = [(c, s) for c in self.channels for s in c.segments]
        return sorted(merged, key=lambda pair: (pair[1].start, pair[1].end))

    def shape(self, show_pii: bool = False) -> dict[str, Any]:
        """The contract's ``voice transcribe --json`` shape (plus dialogue and diagnostics)."""
        return {
            "path": str(self.path),
            "duration": round(self.duration, 2),
            "language": self.language,
            "model": self.model,
            "channels": [
                {
                    "channel": c.channel,
                    "role": c.role,
                    "text": c.text(show_pii),
                    "confidence": None if c.confidence is None else round(c.confidence, 3),
                    "dropped": dict(c.dropped),
                    "segments": [s.shape(show_pii) for s in c.segments],
                }
                for c in self.channels
            ],
            "dialogue": [
                {
                    "start": round(s.start, 2),
                    "end": round(s.end, 2),
                    "role": c.role,
                    "text": s.text if show_pii else s.redacted,
                }
                for c, s in self.dialogue()
            ],
            "confidence": round(self.confidence, 3),
            "hallucinations_dropped": self.dropped,
            "batched": self.batched,
            "warnings": list(self.warnings),
        }


def weighted_confidence(segments: list[Segment]) -> float | None:
    total = sum(max(s.end - s.start, 0.01) for s in segments)
    if not segments:
        return None
    return sum(s.confidence * max(s.end - s.start, 0.01) for s in segments) / total


def segment_confidence(avg_logprob: float, no_speech_prob: float) -> float:
    """Mean token probability, discounted by the chance that the window held no speech."""
    return max(0.0, min(1.0, math.exp(avg_logprob))) * (1.0 - no_speech_prob)


ENGLISH_ABOVE = 0.9  # share of P(en) among the allowed languages needed to decode in English


def _caller_index(channels: list[Channel]) -> int:
    """Which channel carries the caller (``VOICE_CHANNEL_MAP``); the first when none does."""
    roles = [channel.role for channel in channels]
    return roles.index("caller") if "caller" in roles else 0


def detect_among(model: LoadedModel, samples: np.ndarray, allowed: tuple[str, ...]) -> str:
    """The language of ``samples`` among ``allowed`` (e.g. Vietnamese or English): the first
    one unless the model is sure of another. Free detection calls 2–3 of 36 Vietnamese clips
    English or something else; restricted and with a high bar for English, none."""
    window = samples[: 30 * audio.SAMPLE_RATE]
    _, _, ranked = model.whisper.detect_language(window)
    scores = {code: p for code, p in ranked if code in allowed}
    total = sum(scores.values())
    if total <= 0:
        return allowed[0]
    best = max(scores, key=scores.__getitem__)
    return best if best == allowed[0] or scores[best] / total > ENGLISH_ABOVE else allowed[0]


def allowed_languages(setting: str) -> tuple[str, ...]:
    """``"vi"`` → (vi,); ``"vi,en"`` → (vi, en): detect among them, the first by default."""
    return tuple(code.strip() for code in setting.split(",") if code.strip()) or ("vi",)


def effective_language(model: LoadedModel, language: str) -> tuple[str, str | None]:
    """The language to decode in, and a warning when the model cannot do the one asked."""
    if model.multilingual or language == "en":
        return language, None
    return "en", (
        f"Mô hình {model.name!r} chỉ nhận dạng tiếng Anh; đang chép lời bằng tiếng Anh. / "
        f"Whisper model {model.name!r} is English-only but language {language!r} was asked: "
        "transcribing in English mode. For Vietnamese set WHISPER_MODEL to a multilingual "
        "model (small, large-v3, or a PhoWhisper CTranslate2 folder)."
    )


FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # faster-whisper's default


def whisper_options(config: VoiceConfig, language: str, multilingual: bool) -> dict[str, Any]:
    """The options given to faster-whisper (the benchmark's baseline uses the same).

    Ward names are hotwords only for a multilingual model: given to the English-only
    ``tiny.en`` they steer it into inventing Vietnamese-looking words (measured on
    multilingual.mp3: its German half came out as "Phong NỮỿngalền", and 6× slower).
    """
    return {
        "language": language,
        "beam_size": config.beam_size,
        "vad_filter": True,
        "vad_parameters": config.vad.as_dict(),
        "hotwords": config.hotword_text(gazetteer=multilingual),
        # Conditioning on the previous window is what lets one hallucination loop for
        # minutes on noisy telephone audio; each window stands alone instead.
        "condition_on_previous_text": False,
        # Whisper's fallback re-decodes a doubtful window by sampling at rising temperatures.
        # CTranslate2 seeds its sampler once per worker thread, so a fixed seed does not
        # make it repeatable: the same call came out differently on each run in one process.
        # Without it a recording always gives the same transcript, 4-6x faster on the test
        # audio, at equal word error rate (docs/voice.md).
        "temperature": FALLBACK_TEMPERATURES if config.temperature_fallback else 0.0,
    }


def _recognise(
    model: LoadedModel,
    samples: np.ndarray,
    options: dict[str, Any],
    batched: bool,
    batch_size: int,
) -> list[Any]:
    if batched:
        from faster_whisper import BatchedInferencePipeline  # lazy: see voice.model

        pipeline = BatchedInferencePipeline(model.whisper)
        segments, _ = pipeline.transcribe(samples, batch_size=batch_size, **options)
    else:
        segments, _ = model.whisper.transcribe(samples, **options)
    return list(segments)


def _keep(
    channel: Channel,
    raw: Any,
    offset: float,
    heard: speech.Speech,
    config: VoiceConfig,
    language: str,
) -> None:
    """Add one recognised segment to the channel, or count it as a hallucination."""
    text = clean(raw.text)
    if not text:
        return
    previous = [s.text for s in channel.segments]
    why = hallucinations.reason(text, previous, raw.start, raw.end, heard, language)
    if why is not None:
        channel.dropped[why] = channel.dropped.get(why, 0) + 1
        return
    flags = []
    if not hallucinations.spoken(text, raw.start, raw.end, heard, language):
        # more words than the audio could hold: a loop inside the segment is kept once
        text, loops = hallucinations.collapse_repeats(text)
        if loops:
            channel.dropped["loop"] = channel.dropped.get("loop", 0) + loops
            flags.append("loop_removed")
    if raw.no_speech_prob > config.no_speech_flag:
        flags.append("no_speech")
    if raw.avg_logprob < config.logprob_flag:
        flags.append("low_logprob")
    if raw.compression_ratio > 2.4:
        flags.append("repetitive")
    if channel.segments and hallucinations.same_words(text, channel.segments[-1].text):
        flags.append("repeated")
    if flags:
        flags.insert(0, "low_confidence")
    channel.segments.append(
        Segment(
            start=offset + raw.start,
            end=offset + raw.end,
            text=text,
            redacted="",  # set for the whole channel at once (see redact_segments)
            confidence=segment_confidence(raw.avg_logprob, raw.no_speech_prob),
            flags=flags,
        )
    )


def transcribe_file(
    path: Path,
    config: VoiceConfig,
    stereo: bool | None = None,
) -> Transcript:
    """Transcribe one recording; :class:`voice.audio.AudioError` when it cannot be read.

    ``stereo``: True splits the channels, False mixes them, None follows the configuration
    (split when the file has two channels that differ).
    """
    started = time.monotonic()
    info = audio.probe(path)
    warnings: list[str] = []
    wanted = config.split_stereo if stereo is None else stereo
    split = info.channels >= 2 and wanted is not False
    if stereo and info.channels < 2:
        warnings.append("tệp chỉ có một kênh / the file is mono: --stereo ignored")
    model = get_model(config)
    allowed = allowed_languages(config.language)
    language, warning = effective_language(model, allowed[0])
    if warning:
        warnings.append(warning)
        log.warning(warning)
    options = whisper_options(config, language, model.multilingual)
    detect = len(allowed) > 1 and model.multilingual
    batched = (info.declared_duration or 0.0) >= config.batched_min_s
    channels: list[Channel] | None = None
    duration = 0.0
    for chunk in audio.chunks(path, split, config.chunk_s):
        parts = chunk.channels
        if channels is None:
            if len(parts) == 2 and _same(parts[0], parts[1]):
                split = False
                warnings.append("hai kênh giống nhau / both channels carry the same audio: mono")
            channels = (
                [
                    Channel("left", config.channel_map.get("left", "unknown")),
                    Channel("right", config.channel_map.get("right", "unknown")),
                ]
                if split
                else [Channel("mono", "unknown")]
            )
        if not split and len(parts) == 2:
            parts = ((parts[0] + parts[1]) / 2,)
        if detect:  # once, on the caller's words (the caller's channel, or the mix)
            language = detect_among(model, parts[_caller_index(channels)], allowed)
            options = whisper_options(config, language, model.multilingual)
            detect = False
        for channel, samples in zip(channels, parts, strict=True):
            heard = speech.find(samples)
            samples = speech.normalise(samples, heard, config.target_dbfs)
            for raw in _recognise(model, samples, options, batched, config.batch_size):
                _keep(channel, raw, chunk.offset, heard, config, language)
        duration = chunk.offset + chunk.duration
    for channel in channels or []:
        for segment, redacted in zip(
            channel.segments, redact_segments([s.text for s in channel.segments]), strict=True
        ):
            segment.redacted = redacted.text
    transcript = Transcript(
        path=path,
        duration=duration,
        language=language,
        model=model.name,
        channels=channels or [],
        warnings=warnings,
        batched=batched,
        seconds=time.monotonic() - started,
    )
    log.info(
        "transcribed",
        extra={
            "duration": round(duration, 1),
            "channels": len(transcript.channels),
            "segments": sum(len(c.segments) for c in transcript.channels),
            "dropped": transcript.dropped,
            "seconds": round(transcript.seconds, 2),
        },
    )
    return transcript


def _same(left: np.ndarray, right: np.ndarray) -> bool:
    """True for a "stereo" file whose two channels carry the same signal."""
    loud = max(float(np.sqrt(np.mean(left**2))), float(np.sqrt(np.mean(right**2))))
    if loud == 0.0:
        return True
    return float(np.sqrt(np.mean((left - right) ** 2))) < _DUAL_MONO_TOLERANCE * loud
