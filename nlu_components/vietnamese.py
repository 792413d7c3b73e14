"""Rasa components that make unaccented and teencode Vietnamese look like accented Vietnamese.

People in Huế type "den duong bi hong" as often as "đèn đường bị hỏng". Rather than doubling
the training data, the tokenizer folds every token (NFC, lower-case, diacritics removed,
teencode expanded) for the featurizers, while keeping character offsets into the original
text, so entity values still come out exactly as the citizen wrote them. The synonym mapper
then matches entity values accent-insensitively.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.entity_synonyms import EntitySynonymMapper
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.text import fold, fold_token


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(WhitespaceTokenizer):
    """Whitespace tokenizer whose token texts are accent-folded and teencode-expanded."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        folded: list[Token] = []
        for token in tokens:
            text = fold_token(token.text) or token.text
            folded.append(Token(text, token.start, token.end, token.data, lemma=text))
        return folded


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class FoldingSynonymMapper(EntitySynonymMapper):
    """Entity synonym mapper that ignores case, diacritics and spacing around hyphens."""

    @staticmethod
    def _key(value: str) -> str:
        return " ".join(fold(value).replace("-", " ").split())

    def _table(self) -> dict[str, Any]:
        cached = getattr(self, "_folded_synonyms", None)
        if cached is None or cached[0] != len(self.synonyms):
            table = {self._key(k): v for k, v in self.synonyms.items()}
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
