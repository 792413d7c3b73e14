"""The citizen's language, followed message by message inside Rasa.

Replies come in Vietnamese or English after the ``language`` slot (responses have English
variations; actions read it). Setting it used to be ``action_validate_slot_mappings`` on the
action server: a round trip and a rebuilt tracker on every message, 4.6 ms of CPU per turn
of 24 measured under load. A policy may attach events to its prediction, which Rasa
applies whichever policy wins, so this one never predicts an action and only sets the slot.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.base.text import detect_language


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class LanguagePolicy(Policy):
    """Sets the ``language`` slot to "vi" or "en" when the latest message tells which.

    Short or neutral messages ("ok", "1", a button) keep the language already chosen.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 0, "slot": "language"}

    def train(self, *args: Any, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        slot = self.config.get("slot", "language")
        previous = tracker.get_slot(slot)
        text = (tracker.latest_message.text if tracker.latest_message else None) or ""
        detected = detect_language(text, previous)
        events = [SlotSet(slot, detected)] if detected != previous else []
        return self._prediction(self._default_predictions(domain), events=events)
