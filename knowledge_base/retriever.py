"""Finding the service document that answers a citizen's question.

Hybrid retrieval: the Vietnamese-aware BM25 index (``lexical``) plus sentence embeddings
(``dense``), fused by a weighted sum tuned on tests/data/kb_dev.jsonl. ``Retriever`` watches
its folder: a document added, changed or removed on disk is picked up at the next search,
without restarting anything, and only passages whose text changed are embedded again.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.base import settings as settings_mod
from bot.base.text import clean, fold_words
from knowledge_base.cache import EmbeddingCache
from knowledge_base.confidence import LEXICAL_CALIBRATION, Calibration, Evidence
from knowledge_base.dense import DenseIndex, IndexStats
from knowledge_base.documents import Document, load_folder
from knowledge_base.embeddings import TextEmbedder, configured_model, get_embedder
from knowledge_base.fusion import fuse
from knowledge_base.glossary import expand
from knowledge_base.lexical import BM25Index, FieldText, terms

log = logging.getLogger(__name__)

# Below this confidence (the probability that the best document is the right answer) the
# assistant says it is not sure and offers the two closest topics. With calibrated
# probabilities, answering pays when p > 2 (1 - p): a wrong answer costs twice a right one
# (calibration.WRONG_COST), hence 2/3; cross-validated in docs/kb-benchmark.md.
CONFIDENCE_THRESHOLD = 0.67
MAX_QUERY_CHARS = 500
CACHE_FILE = "kb-cache.db"
# An edit in place (same file names) is noticed within this many seconds; an added or removed
# file at once.
RECHECK_SECONDS = 1.0
# The model named by EMBEDDING_MODEL (or the bundled default); pass None for lexical only.
CONFIGURED = "$EMBEDDING_MODEL"
# BM25 parameters and field weights (title, sample questions, body), tuned on the dev set.
K1, B = 2.0, 0.75
FIELD_WEIGHTS = (3, 2, 1)


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float  # the fused score that ranks documents, 0..1
    confidence: float  # the probability that this document answers the question, 0..1


@dataclass(frozen=True)
class Candidate:
    """One ranked document with the evidence behind its rank."""

    doc_id: str
    evidence: Evidence


def default_cache_path() -> Path:
    """``HUE_ASSIST_KB_CACHE``, else ``$HUE_ASSIST_HOME/kb-cache.db``.

    The cache holds only vectors of public documents, keyed by model and text, so several
    installations (or test stacks) may share one file and embed each passage once.
    """
    shared = os.environ.get("HUE_ASSIST_KB_CACHE", "").strip()
    return Path(shared) if shared else settings_mod.load().home / CACHE_FILE


def dense_weight_for(embedder: TextEmbedder | None) -> float:
    """The dense share of the fused score: ``HUE_ASSIST_KB_DENSE_WEIGHT`` or the model's."""
    if embedder is None:
        return 0.0
    override = os.environ.get("HUE_ASSIST_KB_DENSE_WEIGHT", "").strip()
    try:
        return min(1.0, max(0.0, float(override))) if override else embedder.profile.weight
    except ValueError:
        log.error("HUE_ASSIST_KB_DENSE_WEIGHT=%r is not a number: ignored", override)
        return embedder.profile.weight


def query_terms(query: str) -> list[str]:
    """Lexical terms of a question plus those of its glossary expansion."""
    extra = expand(query)
    return terms(query) + (terms(extra) if extra else [])


class Retriever:
    """Hybrid retrieval over one folder of documents."""

    def __init__(
        self,
        folder: Path,
        *,
        model: str | None = CONFIGURED,
        cache_path: Path | None = None,
        dense_weight: float | None = None,
        calibration: Calibration | None = None,
        glossary: bool = True,
    ) -> None:
        self.folder = Path(folder)
        self._signature: tuple | None = None
        self._folder_mtime = -1
        self._checked_at = float("-inf")
        self.documents: dict[str, Document] = {}
        self.errors: list[str] = []
        self.stats: IndexStats | None = None
        self._index = BM25Index(K1, B)
        name = configured_model() if model == CONFIGURED else model
        self.embedder = get_embedder(name) if name else None
        self.dense_weight = (
            dense_weight if dense_weight is not None else dense_weight_for(self.embedder)
        )
        self._calibration = calibration
        self.glossary = glossary
        self._cache_path = cache_path
        self._dense: DenseIndex | None = None

    @property
    def calibration(self) -> Calibration:
        """The given calibration, else the model's, else the lexical index's own."""
        if self._calibration is not None:
            return self._calibration
        return self.embedder.profile.calibration if self.embedder else LEXICAL_CALIBRATION

    @property
    def dense(self) -> DenseIndex | None:
        """The dense index, once built (None when dense retrieval is off or failed)."""
        return self._dense

    def _folder_signature(self) -> tuple:
        entries = []
        try:
            with os.scandir(self.folder) as scan:
                for entry in scan:
                    if entry.name.endswith(".md") and entry.is_file():
                        stat = entry.stat()
                        entries.append((entry.name, stat.st_mtime_ns, stat.st_size))
        except OSError as error:
            log.error("kb folder unreadable: %s", error)
        return tuple(sorted(entries))

    def _maybe_stale(self) -> bool:
        """Whether to look at the files again: a file was added or removed (the folder's own
        mtime moved), or the last look is older than ``RECHECK_SECONDS`` (an edit in place).

        Stat-ing every file on every question cost ~3 ms per search at 1,000 documents.
        """
        try:
            folder_mtime = self.folder.stat().st_mtime_ns
        except OSError:
            return True
        return (
            folder_mtime != self._folder_mtime
            or time.monotonic() - self._checked_at >= RECHECK_SECONDS
        )

    def refresh(self) -> IndexStats | None:
        """Reload the documents if anything in the folder changed; embed what is new."""
        try:
            self._folder_mtime = self.folder.stat().st_mtime_ns
        except OSError:
            self._folder_mtime = -1
        signature = self._folder_signature()
        self._checked_at = time.monotonic()
        if signature == self._signature:
            return self.stats
        documents, errors = load_folder(self.folder)
        for error in errors:
            log.error("kb document refused: %s", error)
        self.documents = {d.id: d for d in documents}
        self.errors = errors
        self._index = BM25Index(K1, B).build(
            (
                d.id,
                [
                    FieldText(d.title, FIELD_WEIGHTS[0]),
                    FieldText(" . ".join(d.questions), FIELD_WEIGHTS[1]),
                    FieldText(d.body, FIELD_WEIGHTS[2]),
                ],
            )
            for d in documents
        )
        self.stats = self._build_dense(documents)
        self._signature = signature
        return self.stats

    def warm(self) -> IndexStats | None:
        """Build the index and load the model now, so that the first question does not wait."""
        stats = self.refresh()
        self._cosines("warm up")
        return stats

    def _build_dense(self, documents: list[Document]) -> IndexStats | None:
        if self.embedder is None or self.dense_weight <= 0:
            return None
        try:
            if self._dense is None:
                self._dense = DenseIndex(self.embedder, self._open_cache())
            try:
                return self._dense.build(documents)
            except sqlite3.Error as error:
                log.error("kb embedding cache failed, embedding without it: %s", error)
                self._dense = DenseIndex(self.embedder, None)
                return self._dense.build(documents)
        except (ImportError, OSError) as error:
            self._dense_failed(error)
            return None

    def _open_cache(self) -> EmbeddingCache | None:
        """The embedding cache; without one (unreadable file) every start embeds everything."""
        path = self._cache_path or default_cache_path()
        try:
            return EmbeddingCache(path)
        except (OSError, sqlite3.Error) as error:
            log.error("kb embedding cache unusable, embedding without it: %s", error)
            return None

    def _dense_failed(self, error: Exception) -> None:
        """No model on this machine: answer from the lexical index rather than not at all."""
        log.error(
            "kb dense retrieval off: %s", error, extra={"model": getattr(self.embedder, "name", "")}
        )
        self.embedder, self._dense, self.dense_weight = None, None, 0.0

    def _cosines(self, query: str) -> np.ndarray | None:
        if self._dense is None:
            return None
        try:
            return self._dense.score(query)
        except (ImportError, OSError) as error:  # the model loads here when all was cached
            self._dense_failed(error)
            return None

    def rank(self, query: str, top: int = 5) -> list[Candidate]:
        """The ``top`` best documents for a question with their evidence, best first.

        Empty for a question without a single letter or digit (empty, blanks, emoji only).
        """
        if self._maybe_stale():
            self.refresh()
        query = clean(query)[:MAX_QUERY_CHARS]
        if not fold_words(query) or not self.documents or top <= 0:
            return []
        lexical_terms = query_terms(query) if self.glossary else terms(query)
        bm25 = self._index.score_array(lexical_terms)
        possible = self._index.possible(lexical_terms)
        coverage = np.minimum(bm25 / possible, 1.0) if possible > 0 else np.zeros_like(bm25)
        cosines = self._cosines(query)
        floor = self.embedder.profile.floor if self.embedder is not None else 0.0
        fused = fuse(coverage, cosines, self.dense_weight, floor)
        ranking = np.argsort(-fused, kind="stable")
        order = [int(i) for i in ranking[:top] if fused[i] > 0]
        if not order:
            return []
        n_terms = len(set(lexical_terms))
        best = float(fused[order[0]])
        runner_up = float(fused[ranking[1]]) if len(ranking) > 1 else 0.0
        out: list[Candidate] = []
        for position, i in enumerate(order):
            score = float(fused[i])
            margin = score - (runner_up if position == 0 else best)
            evidence = Evidence(score, margin, float(bm25[i]), n_terms)
            out.append(Candidate(self._index.doc_ids[i], evidence))
        return out

    def search(self, query: str, top: int = 5) -> list[Hit]:
        """The ``top`` best documents for a question, best first, with their confidence."""
        return [
            Hit(
                self.documents[c.doc_id],
                round(c.evidence.fused, 6),
                round(self.calibration.probability(c.evidence), 6),
            )
            for c in self.rank(query, top)
        ]

    def get(self, doc_id: str) -> Document | None:
        if self._maybe_stale():
            self.refresh()
        return self.documents.get(doc_id)
