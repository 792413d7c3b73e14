"""Dense retrieval: each document is several short passages, a document scores its best one.

Short passages (the title, each sample question, each sentence of the answer) embed far
better than a whole page squeezed into one vector, and the best passage says *which part*
of a document a question is about.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from knowledge_base.cache import EmbeddingCache, content_hash
from knowledge_base.documents import Document
from knowledge_base.embeddings import Embedder

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

    def __init__(self, embedder: Embedder, cache: EmbeddingCache | None) -> None:
        self.embedder = embedder
        self.cache = cache
        self.doc_ids: list[str] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._starts = np.zeros(0, dtype=np.int64)
        self._known: dict[str, np.ndarray] = {}

    def _key(self, text: str) -> str:
        return content_hash(self.embedder.profile.passage_prefix + text)

    def build(self, documents: Iterable[Document]) -> IndexStats:
        """Index ``documents``, embedding only passages that neither memory nor cache hold."""
        started = time.perf_counter()
        documents = list(documents)
        texts: list[str] = []
        owner: list[int] = []
        for position, doc in enumerate(documents):
            for text in passages(doc):
                texts.append(text)
                owner.append(position)
        keys = [self._key(t) for t in texts]
        wanted = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._known}
        reused = len(set(keys)) - len(wanted)
        if wanted and self.cache is not None:
            cached = self.cache.get(self.embedder.name, wanted)
            self._known.update(cached)
            reused += len(cached)
            wanted = {k: t for k, t in wanted.items() if k not in cached}
        if wanted:
            vectors = self.embedder.encode(list(wanted.values()))
            fresh = dict(zip(wanted, vectors, strict=True))
            self._known.update(fresh)
            if self.cache is not None:
                self.cache.put(self.embedder.name, fresh)
        live = set(keys)
        self._known = {k: v for k, v in self._known.items() if k in live}
        self.doc_ids = [d.id for d in documents]
        if keys:
            self._matrix = np.stack([self._known[k] for k in keys]).astype(np.float32)
        else:
            self._matrix = np.zeros((0, 0), dtype=np.float32)
        # Passages are grouped by document, every document has at least its title.
        self._starts = np.searchsorted(np.asarray(owner), np.arange(len(documents)))
        stats = IndexStats(
            documents=len(documents),
            passages=len(set(keys)),
            embedded=len(wanted),
            reused=reused,
            seconds=round(time.perf_counter() - started, 3),
        )
        log.info("kb dense index built", extra={"model": self.embedder.name, **stats.__dict__})
        return stats

    def score(self, query: str) -> np.ndarray:
        """Each document's best passage cosine with the query, in ``doc_ids`` order."""
        if not self.doc_ids or not self._matrix.size:
            return np.zeros(len(self.doc_ids), dtype=np.float32)
        vector = self.embedder.encode([query], query=True)[0]
        # torch, not numpy: numpy's BLAS threads and torch's OpenMP threads spin against each
        # other on a 2-core machine, which made this product 20 ms instead of under 1 ms.
        import torch

        cosines = (torch.from_numpy(self._matrix) @ torch.from_numpy(vector)).numpy()
        return np.maximum.reduceat(cosines, self._starts)
