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

import numpy as np

from bot.base.text import fold_words

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
    """Okapi BM25 over weighted fields; scores and the best score a query could reach.

    A term's BM25 contribution to a document does not depend on the query, so it is computed
    once at build time; a query then adds up one small array per term. That keeps a search
    over 1,000 documents well under a millisecond in pure numpy.
    """

    def __init__(self, k1: float = 1.2, b: float = 0.6) -> None:
        self.k1 = k1
        self.b = b
        self.doc_ids: list[str] = []
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        self.max_idf = 0.0

    def build(self, docs: Iterable[tuple[str, list[FieldText]]]) -> BM25Index:
        counts_per_doc: list[Counter[str]] = []
        for doc_id, fields in docs:
            counts: Counter[str] = Counter()
            for field in fields:
                for term in terms(field.text):
                    counts[term] += field.weight
            self.doc_ids.append(doc_id)
            counts_per_doc.append(counts)
        n = max(len(self.doc_ids), 1)
        lengths = [sum(c.values()) for c in counts_per_doc]
        avg_length = (sum(lengths) / n) if lengths else 1.0
        raw: dict[str, list[tuple[int, int]]] = {}
        for position, counts in enumerate(counts_per_doc):
            for term, tf in counts.items():
                raw.setdefault(term, []).append((position, tf))
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in raw.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        for term, entries in raw.items():
            positions = np.fromiter((p for p, _ in entries), dtype=np.int64, count=len(entries))
            tfs = np.fromiter((tf for _, tf in entries), dtype=np.float64, count=len(entries))
            norms = self.k1 * (1 - self.b + self.b * np.asarray(lengths)[positions] / avg_length)
            contributions = self.idf[term] * tfs * (self.k1 + 1) / (tfs + norms)
            self.postings[term] = (positions, contributions)
        return self

    def possible(self, query_terms: Iterable[str]) -> float:
        """The score of a document holding every term once: the scale of coverage."""
        return sum(self.idf.get(t, self.max_idf) * (self.k1 + 1) for t in set(query_terms))

    def score_array(self, query_terms: Iterable[str]) -> np.ndarray:
        """Each document's score for these terms, in ``doc_ids`` order."""
        scores = np.zeros(len(self.doc_ids))
        for term in set(query_terms):
            posting = self.postings.get(term)
            if posting is not None:
                scores[posting[0]] += posting[1]  # positions are unique within a posting
        return scores

    def score_terms(self, query_terms: Iterable[str]) -> tuple[list[tuple[str, float]], float]:
        """Documents with a positive score for these terms, best first, and the best possible."""
        unique = set(query_terms)
        scores = self.score_array(unique)
        order = np.argsort(-scores, kind="stable")
        results = [(self.doc_ids[i], float(scores[i])) for i in order if scores[i] > 0]
        return results, self.possible(unique)

    def score(self, query: str) -> tuple[list[tuple[str, float]], float]:
        """All documents with a positive score, best first, and the query's best possible score."""
        return self.score_terms(terms(query))
