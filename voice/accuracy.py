"""Word and character error rates, for the tests and benchmarks that score transcripts.

Each caller normalises text its own way (case, punctuation, hyphens) and hands over tokens.
"""

from __future__ import annotations

from collections.abc import Sequence


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Levenshtein distance between two token sequences (one row at a time)."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1]


def error_rate(ref: Sequence[str], hyp: Sequence[str]) -> float:
    """Errors over the reference's length (WER for words, CER for characters)."""
    return edit_distance(ref, hyp) / max(len(ref), 1)
