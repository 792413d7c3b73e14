"""Whisper's known hallucinations: outro phrases learned from subtitles, and looping repeats.

Whisper fills silence or noise with YouTube outros ("Hãy subscribe cho kênh…", "Cảm ơn các
bạn đã theo dõi…") and, when decoding derails, repeats one phrase. Such segments are dropped
and counted, never silently kept in a transcript a supervisor trusts.
"""

from __future__ import annotations

import re

from bot.base.text import fold

# Folded (accent-free, lower-case) fragments; a segment made mostly of one is dropped.
PHRASES: tuple[str, ...] = (
    "hay subscribe cho kenh",
    "hay dang ky kenh",
    "dang ky kenh",
    "subscribe cho kenh",
    "nho like va subscribe",
    "cam on cac ban da theo doi",
    "cam on cac ban da xem",
    "hen gap lai cac ban trong nhung video tiep theo",
    "ghien mi go",
    "la la school",
    "thanks for watching",
    "thank you for watching",
    "please subscribe",
    "welcome to my channel",
    "welcome back to my channel",
    "welcome to the video",
    "subtitles by the amara org community",
    "ban quyen thuoc ve",
)
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def is_outro(text: str) -> bool:
    """True when the segment is a known outro: it opens with one, or one is most of it."""
    joined = " ".join(_words(text))
    if not joined:
        return False
    return any(
        phrase in joined and (joined.startswith(phrase) or len(phrase) >= 0.4 * len(joined))
        for phrase in PHRASES
    )


_LOOP = re.compile(r"\b(\w(?:[\w' ]{0,60}?\w)?)(?:[\s,.!?;:-]+\1\b){3,}", re.IGNORECASE)


def collapse_loops(text: str) -> tuple[str, int]:
    """``text`` with each phrase said four or more times back to back kept once, and how many
    such loops there were ("I'm Billy, I'm Billy, I'm Billy, I'm Billy" → "I'm Billy")."""
    count = 0

    def once(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return match.group(1)

    return _LOOP.sub(once, text), count


def is_loop(text: str) -> bool:
    """True when the segment is little more than one phrase looping."""
    collapsed, loops = collapse_loops(text)
    return loops > 0 and len(_words(collapsed)) <= max(3, len(_words(text)) // 4)


def reason(text: str, previous: list[str]) -> str | None:
    """Why a segment is a hallucination ("outro", "loop", "repeat"), or None to keep it.

    ``previous`` holds the texts kept so far on the channel. A third identical segment in a
    row is the decoder looping across windows; a second one is kept (callers do repeat an
    address for the operator) and flagged by the caller of this function.
    """
    if is_outro(text):
        return "outro"
    if is_loop(text):
        return "loop"
    key = " ".join(_words(text))
    if key and len(previous) >= 2 and all(same_words(key, p) for p in previous[-2:]):
        return "repeat"
    return None


def same_words(text: str, other: str) -> bool:
    """Equal once case, accents and punctuation are ignored."""
    return " ".join(_words(text)) == " ".join(_words(other))
