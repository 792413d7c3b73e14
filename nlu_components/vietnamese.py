"""Rasa components that make unaccented and teencode Vietnamese look like accented Vietnamese.

People in Huế type "den duong bi hong" as often as "đèn đường bị hỏng". Rather than doubling
the training data, the tokenizer folds every token (NFC, lower-case, diacritics removed,
teencode expanded) for the featurizers, while keeping character offsets into the original
text, so entity values still come out exactly as the citizen wrote them. The synonym mapper
then matches entity values accent-insensitively.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.entity_synonyms import EntitySynonymMapper
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.base.text import detect_language, fold, fold_token, fold_words, has_vietnamese_marks
from bot.domain import categories


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):
    """Whitespace tokenizer giving each token two forms for the featurizers.

    ``text`` is folded (accents removed, teencode expanded), so "den duong" and "đèn đường"
    look the same; ``lemma`` keeps the accents (NFC, lower-case), so where the citizen typed
    them, "đừng" (don't) and "đúng" (right) stay apart. A CountVectorsFeaturizer with
    ``use_lemma: true`` reads the accented form, one with ``use_lemma: false`` the folded one.
    """

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        out: list[Token] = []
        for token in tokens:
            folded = fold_token(token.text) or token.text
            accented = unicodedata.normalize("NFC", token.text).lower()
            out.append(Token(folded, token.start, token.end, token.data, lemma=accented))
        return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class FoldingSynonymMapper(EntitySynonymMapper):
    """Entity synonym mapper that ignores case, diacritics and spacing around hyphens."""

    @staticmethod
    def _key(value: str) -> str:
        return " ".join(fold(value).replace("-", " ").split())

    def _table(self) -> dict[str, Any]:
        """Folded synonym → value, for values that real synonyms point to.

        Rasa also records every annotated span as a synonym of itself; folding those would
        turn an accented location into the unaccented spelling seen once in training.
        """
        cached = getattr(self, "_folded_synonyms", None)
        if cached is None or cached[0] != len(self.synonyms):
            targets = {v for k, v in self.synonyms.items() if k != str(v).lower()}
            table = {self._key(k): v for k, v in self.synonyms.items() if v in targets}
            cached = (len(self.synonyms), table)
            self._folded_synonyms = cached
        return cached[1]

    def replace_synonyms(self, entities: list[dict[str, Any]]) -> None:
        table = self._table()
        for entity in entities:
            key = self._key(str(entity["value"]))
            if key in table:
                entity["value"] = table[key]
                self.add_processor_name(entity)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class PhraseEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Closed-vocabulary entities (report categories) found by phrase, accent-insensitively.

    The category of a report is one of thirteen codes named by a few hundred everyday
    phrases; with fifteen-odd examples a category, DIET's tagger splits and clips them
    ("cúp điện" → "điện"). This extractor matches the longest known phrase over the folded
    tokens and, where it finds one, replaces DIET's guesses for that entity; where it finds
    none, DIET's guess stands (it generalises to phrasings nobody listed).
    Phrases come from the training data: synonyms and annotated spans of the entity.

    Folding makes different words collide ("công nhân", "cổng", "cộng" all fold to the
    "cong" of "cống"; "chạy" to the "chay" of "cháy"), so a syllable the citizen typed with
    its marks must be spelt as in one of the phrase's accented forms seen in training;
    an unmarked syllable matches any. Unmarked, a syllable inside another everyday word
    (``categories.OTHER_WORDS``: "cong nhan") is not the phrase, nor is a Vietnamese
    phrase's spelling in an English message ("on"). A message names one category: the
    longest phrase wins, the first of equals ("biển báo bị cây che" is about the sign).
    """

    FILE = "phrases.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities": ["category"], "single": ["category"]}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        phrases: dict[str, dict[str, str]] | None = None,
        accents: dict[str, list[list[str]]] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.phrases = phrases or {}  # entity → folded phrase → value
        self.accents = accents or {}  # folded phrase → its accented spellings, by syllable
        self._longest = max((len(p.split()) for t in self.phrases.values() for p in t), default=0)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PhraseEntityExtractor:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PhraseEntityExtractor:
        try:
            with model_storage.read_from(resource) as path:
                saved = json.loads((path / cls.FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            saved = {}
        return cls(config, model_storage, resource, saved.get("phrases"), saved.get("accents"))

    @staticmethod
    def _key(text: str) -> str:
        return " ".join(fold_words(text))

    def train(self, training_data: TrainingData) -> Resource:
        wanted = set(self._config["entities"])
        phrases: dict[str, dict[str, str]] = {name: {} for name in wanted}
        values: dict[str, set] = {name: set() for name in wanted}
        spellings: dict[str, set[tuple[str, ...]]] = {}

        def learn(name: str, span: str, value: str) -> None:
            key = self._key(span)
            phrases[name][key] = value
            if has_vietnamese_marks(span):
                spelt = tuple(unicodedata.normalize("NFC", span).lower().split())
                spellings.setdefault(key, set()).add(spelt)

        for example in training_data.entity_examples:
            text = example.get(TEXT)
            for entity in example.get(ENTITIES, []):
                if entity["entity"] in wanted:
                    value = str(entity["value"])
                    values[entity["entity"]].add(value)
                    learn(entity["entity"], text[entity["start"] : entity["end"]], value)
        for synonym, value in training_data.entity_synonyms.items():
            for name in wanted:
                if value in values[name]:
                    learn(name, synonym, value)
        for name in wanted:
            for value in values[name]:
                phrases[name][self._key(value.replace("_", " "))] = value
            phrases[name].pop("", None)
        self.phrases = phrases
        self.accents = {k: sorted(list(s) for s in v) for k, v in spellings.items()}
        self._longest = max((len(p.split()) for t in phrases.values() for p in t), default=0)
        saved = {"phrases": phrases, "accents": self.accents}
        with self._storage.write_to(self._resource) as path:
            (path / self.FILE).write_text(json.dumps(saved, ensure_ascii=False), "utf-8")
        return self._resource

    def _matches(self, message: Message) -> list[dict[str, Any]]:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        words = [t.text for t in tokens]
        typed = [unicodedata.normalize("NFC", t.lemma or t.text).lower() for t in tokens]
        english = detect_language(str(message.get(TEXT) or "")) == "en"
        found: list[tuple[int, dict[str, Any]]] = []  # (syllables, entity)
        i = 0
        while i < len(tokens):
            hit = None
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                key = " ".join(words[i : i + size])
                if english and key in self.accents:
                    continue  # a Vietnamese word's folded spelling: "on" in English is not "ồn"
                if size == 1 and categories.other_word_at(words, i):
                    continue  # "cong nhan" is a worker, not a drain
                if not categories.spelt_as(typed[i : i + size], self.accents.get(key, ())):
                    continue
                for name, table in self.phrases.items():
                    if key in table:
                        hit = (name, table[key], size)
                        break
                if hit:
                    break
            if hit is None:
                i += 1
                continue
            name, value, size = hit
            start, end = tokens[i].start, tokens[i + size - 1].end
            entity = {
                ENTITY_ATTRIBUTE_TYPE: name,
                ENTITY_ATTRIBUTE_START: start,
                ENTITY_ATTRIBUTE_END: end,
                ENTITY_ATTRIBUTE_VALUE: value,
                "confidence_entity": 1.0,
            }
            found.append((size, entity))
            i += size
        return self._one_each(found)

    def _one_each(self, found: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
        """Of an entity a message names once (its category), the longest match, first of
        equals; the others are dropped."""
        single = set(self._config.get("single") or [])
        best: dict[str, tuple[int, dict[str, Any]]] = {}
        kept = []
        for size, entity in found:
            name = entity[ENTITY_ATTRIBUTE_TYPE]
            if name not in single:
                kept.append(entity)
            elif name not in best or size > best[name][0]:
                best[name] = (size, entity)
        kept += [entity for _, entity in best.values()]
        return sorted(kept, key=lambda e: e[ENTITY_ATTRIBUTE_START])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self._matches(message)
            kinds = {e[ENTITY_ATTRIBUTE_TYPE] for e in found}
            kept = [
                entity
                for entity in message.get(ENTITIES, [])
                if entity[ENTITY_ATTRIBUTE_TYPE] not in kinds and self._closed(entity)
            ]
            message.set(ENTITIES, kept + self.add_extractor_name(found), add_to_output=True)
        return messages

    def _closed(self, entity: dict[str, Any]) -> bool:
        """Keep DIET's guess for a closed-vocabulary entity only as one of its values: a
        category span ("Người dân", "tắt") becomes the code it names, or is dropped."""
        table = self.phrases.get(entity[ENTITY_ATTRIBUTE_TYPE])
        if table is None or entity[ENTITY_ATTRIBUTE_VALUE] in set(table.values()):
            return True
        code = table.get(self._key(str(entity[ENTITY_ATTRIBUTE_VALUE])))
        if code is None and entity[ENTITY_ATTRIBUTE_TYPE] == "category":
            code = categories.match(str(entity[ENTITY_ATTRIBUTE_VALUE]))
        if code is None:
            return False
        entity[ENTITY_ATTRIBUTE_VALUE] = code
        return True
