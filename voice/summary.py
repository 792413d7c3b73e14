"""A short extractive summary of a call: the caller's most informative sentences, verbatim.

Extractive on purpose: a supervisor must be able to find every word of it in the transcript,
and no model here can write Vietnamese. Sentences are scored by what a report needs (a
category phrase, a ward, a street, a question) and kept in the order they were said.
"""

from __future__ import annotations

import re

from bot.base.text import fold
from bot.domain import categories, gazetteer

MAX_CHARS = 240
_SENTENCE = re.compile(r"[^.!?…]+[.!?…]?")
_PLACE = re.compile(r"\b(duong|pho|kiet|hem|phuong|xa|street|road|ward)\b")
_QUESTION = re.compile(r"\?|\b(khong|chua|sao|the nao|o dau|bao gio|how|what|where|when)\b")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.split()) >= 2]


def score(sentence: str) -> float:
    folded = fold(sentence)
    value = 0.0
    if categories.match(sentence):
        value += 2
    if gazetteer.find_in(sentence):
        value += 2
    if _PLACE.search(folded):
        value += 1
    if _QUESTION.search(folded):
        value += 0.5
    if "[" in sentence:  # a redacted number: the caller giving contact details, not content
        value -= 1
    return value + min(len(sentence.split()), 20) / 40


def summarise(caller_turns: list[str], max_chars: int = MAX_CHARS) -> str:
    """Up to ``max_chars`` of the caller's best sentences (redacted text in, redacted out)."""
    pool = [s for turn in caller_turns for s in sentences(turn)]
    if not pool:
        return " ".join(" ".join(caller_turns).split())[:max_chars]
    ranked = sorted(range(len(pool)), key=lambda i: score(pool[i]), reverse=True)
    chosen: list[int] = []
    used = 0
    for i in ranked:
        if used + len(pool[i]) > max_chars and chosen:
            continue
        chosen.append(i)
        used += len(pool[i]) + 1
        if used >= max_chars:
            break
    text = " ".join(pool[i] for i in sorted(chosen))
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
