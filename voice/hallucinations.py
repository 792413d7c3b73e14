"""Whisper's known hallucinations: outro phrases learned from subtitles, and decoder loops.

Whisper fills silence or noise with YouTube outros ("Hãy subscribe cho kênh…", "Cảm ơn các
bạn đã theo dõi…") and, when decoding derails, repeats one phrase. Such segments are dropped
and counted, never silently kept in a transcript a supervisor trusts.

Repetition alone is not a hallucination: callers repeat an address, a number, a complaint.
What tells a decoder loop from a person is the audio under the words, not how often they
come: a loop writes words where there is no speech (hiss, hold music, silence) or more words
than the time could hold (stuck timestamps: under 0.12 s a word, faster than fast Vietnamese
speech); a person saying it again is speech, at a speaking pace (``spoken``).
"""

from __future__ import annotations

import re

from bot.base.text import fold
from voice.speech import Speech

MIN_SPEECH_COVERAGE = 0.5  # of a segment's time, for its words to count as spoken
# The fastest pace a person speaks, in seconds a word: 8 syllables a second in Vietnamese
# (a written word is one syllable), 5 words a second in English.
MIN_SECONDS_PER_WORD = {"vi": 0.12, "en": 0.2}

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


def spoken(
    text: str, start: float, end: float, speech: Speech | None, language: str = "vi"
) -> bool:
    """Whether the words can have been said there: speech under most of their time, at a
    pace a person speaks. Without speech regions (unknown), only the pace is judged."""
    words = max(len(_words(text)), 1)
    if (end - start) / words < MIN_SECONDS_PER_WORD.get(language, 0.12):
        return False
    return speech is None or speech.coverage(start, end) >= MIN_SPEECH_COVERAGE


def collapse_repeats(text: str, min_copies: int = 3, longest: int = 40) -> tuple[str, int]:
    """``text`` with every run of ``min_copies`` or more back-to-back copies of the same
    words (a unit of 1 to ``longest`` words, case and punctuation ignored) kept once, and how
    many runs there were. For words the audio could not hold: a decoder loop inside a
    segment, whatever the length of the phrase it loops on."""
    tokens = text.split()
    keys = [" ".join(_words(t)) for t in tokens]
    out: list[str] = []
    runs = 0
    i = 0
    while i < len(tokens):
        unit, copies = _longest_run(keys, i, longest)
        if copies >= min_copies:
            out += tokens[i : i + unit]
            i += unit * copies
            runs += 1
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out), runs


def _longest_run(keys: list[str], i: int, longest: int) -> tuple[int, int]:
    """(unit length, copies) of the run starting at ``i`` that covers the most words."""
    best = (1, 1)
    for unit in range(1, min(longest, (len(keys) - i) // 2) + 1):
        copies = 1
        while keys[i + copies * unit : i + (copies + 1) * unit] == keys[i : i + unit]:
            copies += 1
        if copies > 1 and unit * copies > best[0] * best[1]:
            best = (unit, copies)
    return best


def reason(
    text: str,
    previous: list[str],
    start: float = 0.0,
    end: float = 0.0,
    speech: Speech | None = None,
    language: str = "vi",
) -> str | None:
    """Why a segment is a hallucination ("outro", "loop", "repeat"), or None to keep it.

    ``previous`` holds the texts kept so far on the channel; ``start``/``end`` the segment's
    time and ``speech`` the channel's speech regions. A phrase looping in the segment, or
    the same words as the two segments before, are dropped only where they were not spoken.
    """
    if is_outro(text):
        return "outro"
    said = spoken(text, start, end, speech, language)
    if is_loop(text) and not said:
        return "loop"
    key = " ".join(_words(text))
    repeated = len(previous) >= 2 and all(same_words(key, p) for p in previous[-2:])
    if key and repeated and not said:
        return "repeat"
    return None


def same_words(text: str, other: str) -> bool:
    """Equal once case, accents and punctuation are ignored."""
    return " ".join(_words(text)) == " ".join(_words(other))
