"""A person in danger comes first: an emergency message wins over any form or rule.

Rasa picks the prediction with the highest confidence, then the highest priority. This
policy predicts ``action_emergency`` with confidence 1 and a priority above RulePolicy's
whenever the message just received describes a person in danger (``bot.domain.emergency``), so a
form waiting for a photo, a fallback or a status question never hears it as an answer.
Otherwise it predicts nothing. Inside Rasa, so a paused conversation (handed to a person)
is covered by the gateway instead (``bot/gateway``).
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.domain.emergency import detect

ACTION = "action_emergency"
# An urgent report is filed straight after the form (no read-back); no rule knows that turn,
# so this policy says to listen afterwards.
URGENT_FILING = ("action_confirm_report", "action_file_report")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class EmergencyPolicy(Policy):
    """Predicts ``action_emergency`` for a message about fire, injury, people trapped or
    violence, before any other policy is heard."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 7}  # RulePolicy is 6: a tie at confidence 1 goes to us

    def train(self, *args: Any, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if _last_two_actions(tracker) == URGENT_FILING:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities)
        if tracker.latest_action_name != ACTION_LISTEN_NAME:
            return self._prediction(probabilities)
        text = (tracker.latest_message.text if tracker.latest_message else None) or ""
        if detect(text) is None:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(ACTION)] = 1.0
        # An active form's next step is a "no user" prediction, which Rasa lets overrule
        # every other kind: this one must be of the same kind to be weighed against it.
        return self._prediction(probabilities, is_no_user_prediction=True)


def _last_two_actions(tracker: DialogueStateTracker) -> tuple[str | None, ...]:
    """The names of the last two actions of this turn (no user message between them)."""
    names: list[str | None] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted):
            names.append(event.action_name)
            if len(names) == 2:
                break
    return tuple(reversed(names))
