"""A BM25 index that understands Vietnamese the way citizens type it.

Text is NFC-normalised, lower-cased and accent-folded ("den duong" finds "đèn đường"),
teencode is expanded, and documents are indexed by syllables and syllable pairs (Vietnamese
words are mostly two syllables, so pairs carry the meaning: "giấy phép", "khai sinh").
Fields are weighted by repeating their terms: title and sample questions count above the body.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.text import fold_words

# Function words that say nothing about the topic of a question.
STOPWORDS = frozenset(
    """toi minh em anh chi ban la cua va thi ma o cho duoc bi voi lam sao gi nhu the nao
        nay do co khong a oi nhe nha a ah ha vay roi can muon hoi xin cho biet giup duoc khi
        nao the i you me my we is are the a an to of for in on how what where can do does
        please""".split()
)


def terms(text: str) -> list[str]:
    """Index terms of a text: content syllables and adjacent syllable pairs."""
    words = fold_words(text)
    unigrams = [w for w in words if w not in STOPWORDS]
    bigrams = [
        f"{a}_{b}"
        for a, b in zip(words, words[1:], strict=False)
        if not (a in STOPWORDS and b in STOPWORDS)
    ]
    return unigrams + bigrams


@dataclass(frozen=True)
class FieldText:
    text: str
    weight: int


class BM25Index:
    """Okapi BM25 over weighted fields; scores and a 0–1 coverage confidence."""

    def __init__(self, k1: float = 1.2, b: float = 0.6) -> None:
        self.k1 = k1
        self.b = b
        self.doc_ids: list[str] = []
        self.doc_terms: list[Counter[str]] = []
        self.lengths: list[int] = []
        self.idf: dict[str, float] = {}
        self.avg_length = 1.0

    def build(self, docs: Iterable[tuple[str, list[FieldText]]]) -> BM25Index:
        df: Counter[str] = Counter()
        for doc_id, fields in docs:
            counts: Counter[str] = Counter()
            for field in fields:
                for term in terms(field.text):
                    counts[term] += field.weight
            self.doc_ids.append(doc_id)
            self.doc_terms.append(counts)
            self.lengths.append(sum(counts.values()))
            df.update(counts.keys())
        n = max(len(self.doc_ids), 1)
        self.avg_length = sum(self.lengths) / n if self.lengths else 1.0
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        return self

    def score(self, query: str) -> tuple[list[tuple[str, float]], float]:
        """All documents with a positive score, best first, and the query's best possible score."""
        query_terms = Counter(terms(query))
        possible = sum(self.idf.get(t, self.max_idf) * (self.k1 + 1) for t in query_terms)
        results: list[tuple[str, float]] = []
        for doc_id, counts, length in zip(self.doc_ids, self.doc_terms, self.lengths, strict=True):
            total = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / self.avg_length)
            for term in query_terms:
                tf = counts.get(term)
                if tf:
                    total += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            if total > 0:
                results.append((doc_id, total))
        results.sort(key=lambda item: item[1], reverse=True)
        return results, possible
