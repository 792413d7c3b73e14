"""Voice notes from Zalo and Telegram: what the citizen said, as text for the conversation.

A note is transcribed like a mono call. When nothing was recognised, or only with low
confidence (an English-only model hearing Vietnamese, a noisy street), the caller of this
gets None and asks the citizen to type instead of guessing at what they meant.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from voice import config as voice_config
from voice.audio import AudioError, duration_over
from voice.model import ModelError
from voice.transcribe import transcribe_file

log = logging.getLogger("hue_assist.voice.notes")

MIN_CONFIDENCE = 0.5
MAX_NOTE_BYTES = 10 * 1024 * 1024
NOTE_LANGUAGES = "vi,en"


def transcribe_note(data: bytes) -> str | None:
    """The note's words (unredacted: it is the citizen's own message), or None."""
    if not data or len(data) > MAX_NOTE_BYTES:
        return None
    # tourists send notes too: Vietnamese unless it is clearly English
    config = voice_config.load().with_overrides(language=NOTE_LANGUAGES)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "note"
        path.write_bytes(data)
        # Capped by length before any CPU goes to Whisper: 10 MB of Opus is hours of speech.
        if duration_over(path, config.note_max_s):
            log.info("voice note too long", extra={"limit_s": config.note_max_s})
            return None
        try:
            transcript = transcribe_file(path, config, stereo=False)
        except (AudioError, ModelError) as error:
            log.info("voice note not readable", extra={"why": type(error).__name__})
            return None
    text = " ".join(channel.text(show_pii=True) for channel in transcript.channels).strip()
    if not text or transcript.confidence < MIN_CONFIDENCE:
        log.info(
            "voice note not understood",
            extra={"confidence": round(transcript.confidence, 2), "chars": len(text)},
        )
        return None
    return text
