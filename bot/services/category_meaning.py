"""A report's category from what it means, for reports that name no listed phrase.

``categories.match`` finds a category only when the text holds one of its phrases; a report
written like those at Huế's 1022 portal ("trụ điện chiếu sáng không hoạt động", "nước đọng
kéo dài sau mưa") often holds none. This classifier compares the text's multilingual-e5
vector with the vectors of labelled examples: the category-annotated report examples of
``nlu_data/nlu/*.yml`` and the categories' names and phrases (``bot/domain/categories.py``).
Report examples that name no category yet ("tôi muốn phản ánh") and the examples of the
small-talk intents ("có", "cảm ơn", "xin chào") form a class of their own, ``VAGUE``: when
it wins, there is no guess.

The classifier is a softmax regression over the centred vectors; its confidence is the
best class's probability, and below the threshold the answer is "don't know" (None). It
beat nearest examples and centroids in 5-fold cross-validation on the training examples
(``bench/categories.py --choose``); the held-out 1022 set played no part in the choice.

Nothing is loaded at import: the model and the example vectors come on the first guess, once
per process (vectors cached in the knowledge base's embedding cache). ``EMBEDDING_MODEL=none``
turns it off: every guess is None and only the phrases count.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.base import settings as settings_mod
from bot.base.text import clean
from bot.domain import categories
from knowledge_base.cache import EmbeddingCache, content_hash
from knowledge_base.embeddings import TextEmbedder, configured_model, get_embedder
from knowledge_base.retriever import default_cache_path
from knowledge_base.vectors import centre, softmax

log = logging.getLogger(__name__)

VAGUE = "_vague"  # report examples that say nothing of the problem yet
MAX_CHARS = 400  # of a text, read for its meaning
# Chosen by 5-fold cross-validation on the training examples (bench/categories.py --choose).
METHOD = "linear"
SCALE = 10.0  # linear: centred unit vectors times SCALE
TOP = 3  # nearest: a category's score is the mean cosine of its TOP nearest examples
THRESHOLDS = {"linear": 0.45, "nearest": 0.0065}  # the least confidence for a guess
NLU_FOLDER = Path("nlu_data") / "nlu"
# Intents whose examples name no problem: answers such as "có", "hello" or "thôi" belong
# with the vague requests, not with the category they happen to sit nearest to.
NOT_A_PROBLEM = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "request_human"}
)

# "[đèn đường]{"entity": "category", "value": "streetlight"}" or "[Lê Lợi](location)"
_ANNOTATION = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")


@dataclass(frozen=True)
class Example:
    text: str
    code: str  # a category code, or VAGUE


@dataclass(frozen=True)
class Guess:
    code: str | None  # None: not confident, or the text names no problem
    best: str  # the best-scoring class (a code or VAGUE), confident or not
    score: float  # its score (probability, or mean cosine of its nearest examples)
    confidence: float  # linear: its probability; nearest: its score minus the second's


def _annotated(line: str) -> tuple[str, list[str]]:
    """An NLU example without its annotations, and the category values it carries."""
    found: list[str] = []

    def plain(match: re.Match[str]) -> str:
        words, spec = match.group(1), match.group(2)
        if spec.startswith("("):
            if spec[1:-1].strip() == "category":
                found.append(categories.match(words) or "")
        else:
            try:
                entity = json.loads(spec)
            except ValueError:
                entity = {}
            if entity.get("entity") == "category":
                found.append(str(entity.get("value") or categories.match(words) or ""))
        return words

    return _ANNOTATION.sub(plain, line), found


def nlu_examples(folder: Path, *, synonyms: bool = True) -> list[Example]:
    """Labelled examples from Rasa NLU files: ``report_incident`` examples with one category
    (its code), those with none (``VAGUE``), and (``synonyms``) the category synonyms
    (``- synonym: code``)."""
    found: list[Example] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            lines = [
                line.strip()[2:].strip()
                for line in str(item.get("examples") or "").splitlines()
                if line.strip().startswith("- ")
            ]
            if item.get("synonym") in categories.BY_CODE and synonyms:
                found += [Example(line, item["synonym"]) for line in lines]
            elif item.get("intent") in NOT_A_PROBLEM:
                found += [Example(_annotated(line)[0], VAGUE) for line in lines]
            elif item.get("intent") == "report_incident":
                for line in lines:
                    text, values = _annotated(line)
                    codes = set(values)
                    if not values:
                        found.append(Example(text, VAGUE))
                    elif len(codes) == 1 and (code := codes.pop()) in categories.BY_CODE:
                        found.append(Example(text, code))
    return found


def phrase_examples() -> list[Example]:
    """The categories' display names and listed phrases, one example each."""
    found = []
    for category in categories.CATEGORIES:
        for text in (category.name_vi, category.name_en, *category.phrases):
            found.append(Example(text, category.code))
    return found


def training_examples(root: Path | None = None) -> list[Example]:
    """Every example the classifier learns from (the NLU files, when the checkout has them)."""
    folder = (root or settings_mod.project_root()) / NLU_FOLDER
    examples = nlu_examples(folder) if folder.is_dir() else []
    unique = {(e.text.strip(), e.code): e for e in [*examples, *phrase_examples()] if e.text}
    return list(unique.values())


def _softmax_fit(
    x: np.ndarray, labels: np.ndarray, classes: int, l2: float = 1e-3, steps: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch gradient descent (deterministic: zero
    start, fixed steps; ~0.2 s for 600 examples)."""
    weights = np.zeros((x.shape[1], classes), dtype=np.float64)
    bias = np.zeros(classes, dtype=np.float64)
    target = np.eye(classes)[labels]
    for _ in range(steps):
        gradient = (softmax(x @ weights + bias) - target) / len(x)
        weights -= 0.5 * (x.T @ gradient + l2 * weights)
        bias -= 0.5 * gradient.sum(axis=0)
    return weights, bias


def embed(
    embedder: TextEmbedder, texts: Sequence[str], cache: EmbeddingCache | None = None
) -> np.ndarray:
    """Query vectors of ``texts`` (the task is symmetric: examples are embedded as queries),
    from the cache where it has them."""
    keys = [content_hash("query: " + text) for text in texts]
    known: dict[str, np.ndarray] = {}
    if cache is not None:
        try:
            known = cache.get(embedder.cache_key, keys)
        except sqlite3.Error as error:
            log.error("category embedding cache failed: %s", error)
            cache = None
    missing = [i for i, key in enumerate(keys) if key not in known]
    if missing:
        vectors = embedder.encode([texts[i] for i in missing], query=True)
        fresh = {keys[i]: vectors[row] for row, i in enumerate(missing)}
        known.update(fresh)
        if cache is not None:
            try:
                cache.put(embedder.cache_key, fresh)
            except sqlite3.Error as error:
                log.error("category embedding cache failed: %s", error)
    if not keys:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.stack([known[key] for key in keys]).astype(np.float32)


class CategoryMeaning:
    """A classifier over sentence vectors (see the module's docstring).

    ``method="linear"``: softmax regression on centred vectors (``scale`` sharpens e5's
    narrow cosines), the confidence is the best class's probability. ``method="nearest"``:
    a category's score is the mean cosine of its ``top`` nearest examples (``top=0``: its
    centroid), the confidence is the margin between the best and the second score.
    """

    def __init__(
        self,
        embedder: TextEmbedder,
        examples: Sequence[Example],
        vectors: np.ndarray,
        *,
        method: str = METHOD,
        top: int = TOP,
        scale: float = SCALE,
        threshold: float | None = None,
    ) -> None:
        self.embedder = embedder
        self.method = method
        self.top = top
        self.scale = scale
        self.threshold = THRESHOLDS[method] if threshold is None else threshold
        self.classes = sorted({e.code for e in examples})
        index = {code: i for i, code in enumerate(self.classes)}
        labels = np.array([index[e.code] for e in examples])
        self._members = [np.flatnonzero(labels == i) for i in range(len(self.classes))]
        self._vectors = vectors
        if method == "linear":
            self._mean = vectors.mean(axis=0)
            self._weights, self._bias = _softmax_fit(self._centred(vectors), labels, len(index))
        elif top <= 0:
            centroids = np.stack([vectors[m].mean(axis=0) for m in self._members])
            self._centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)

    @classmethod
    def build(
        cls,
        embedder: TextEmbedder,
        examples: Sequence[Example],
        cache: EmbeddingCache | None = None,
        **options: Any,
    ) -> CategoryMeaning:
        """The classifier of ``examples``, their vectors from ``cache`` where it has them."""
        return cls(
            embedder, examples, embed(embedder, [e.text for e in examples], cache), **options
        )

    def _centred(self, vectors: np.ndarray) -> np.ndarray:
        return centre(vectors, self._mean, self.scale)

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """One row per text, one column per class (``self.classes``)."""
        if self.method == "linear":
            return softmax(self._centred(vectors) @ self._weights + self._bias)
        if self.top <= 0:
            return vectors @ self._centroids.T
        cosines = vectors @ self._vectors.T
        columns = []
        for members in self._members:
            within = cosines[:, members]
            k = min(self.top, within.shape[1])
            nearest = -np.partition(-within, k - 1, axis=1)[:, :k]
            columns.append(nearest.mean(axis=1))
        return np.stack(columns, axis=1)

    def decide(self, row: np.ndarray, threshold: float | None = None) -> Guess:
        order = np.argsort(-row)
        best = int(order[0])
        second = float(row[order[1]]) if len(order) > 1 else 0.0
        confidence = float(row[best]) if self.method == "linear" else float(row[best]) - second
        code = self.classes[best]
        limit = self.threshold if threshold is None else threshold
        confident = code != VAGUE and confidence >= limit
        return Guess(code if confident else None, code, float(row[best]), confidence)

    def guess_all(self, texts: Sequence[str]) -> list[Guess]:
        # ~1 ms a token on one core: the opening of a report says what the problem is.
        cleaned = [clean(text)[:MAX_CHARS] for text in texts]
        if not cleaned:
            return []
        rows = self.scores(embed(self.embedder, cleaned))
        return [self.decide(row) for row in rows]

    def guess(self, text: str) -> Guess:
        return self.guess_all([text])[0]


_SHARED: dict[str, CategoryMeaning | None] = {}
_SHARED_LOCK = threading.Lock()


def classifier() -> CategoryMeaning | None:
    """The process's classifier for ``EMBEDDING_MODEL``, built on first use; None when the
    variable turns embeddings off or the model cannot be loaded (then phrases only)."""
    name = configured_model()
    if name is None:
        return None
    with _SHARED_LOCK:
        if name not in _SHARED:
            _SHARED[name] = _load(name)
        return _SHARED[name]


def _load(name: str) -> CategoryMeaning | None:
    started = time.perf_counter()
    try:
        embedder = get_embedder(name)
        try:
            cache: EmbeddingCache | None = EmbeddingCache(default_cache_path())
        except (OSError, sqlite3.Error) as error:
            log.error("category embedding cache unusable, embedding without it: %s", error)
            cache = None
        examples = training_examples()
        built = CategoryMeaning.build(embedder, examples, cache)
    except (ImportError, OSError) as error:
        log.error("category meaning off: %s", error, extra={"model": name})
        return None
    log.info(
        "category meaning ready",
        extra={
            "model": name,
            "examples": len(examples),
            "seconds": round(time.perf_counter() - started, 2),
        },
    )
    return built


def warm() -> None:
    """Build the classifier now (a worker's start-up thread), not on a citizen's message."""
    try:
        classifier()
    except Exception:  # the first guess will retry and log what is wrong
        log.exception("category meaning warm-up failed")


def guess(text: str | None) -> str | None:
    """The category code ``text`` most likely describes, or None (not confident, vague, or
    embeddings off)."""
    if not text or not text.strip():
        return None
    model = classifier()
    if model is None:
        return None
    try:
        return model.guess(text).code
    except (OSError, ValueError) as error:  # an engine error: no guess rather than a crash
        log.error("category meaning failed: %s", error)
        return None


def guesses(texts: Iterable[str]) -> list[str | None]:
    """``guess`` for many texts at once (one batch through the model)."""
    items = list(texts)
    model = classifier()
    if model is None:
        return [None] * len(items)
    return [g.code for g in model.guess_all(items)]
