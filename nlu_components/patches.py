"""Every place hue-assist depends on Rasa's internals, checked at start, in one module.

Rasa is pinned (3.6.21), but a pin is only a promise: on any other version, or if one of the
private names below is gone, ``check()`` stops the server with a message naming what
changed, instead of a patch quietly not applying. The Rasa server is started through
``nlu_components.server``, which calls ``apply()``; the tracker store and the
cross-validation runner call ``check()``.

The two speed patches (found with py-spy on the Rasa process under load; neither changes an
answer):

- **validation compiled once**: Rasa 3.6 checks every action-server response with
  ``jsonschema.validate``, which first validates the response *schema* against its
  meta-schema, on every call (70% of a turn). The schema never changes: it is checked once
  and the compiled validator reused; responses are still validated.
- **buttons skip the NLU pipeline**: a button press (``/affirm``, ``/report_incident{"lat":
  …}``) ran the whole pipeline, DIET included, and then Rasa's ``RegexMessageHandler``
  replaced everything the pipeline had found. Such a message now goes to that handler
  alone; a slash message it does not recognise still goes through the pipeline.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rasa
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.policies import ensemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore, TrackerEventDiffEngine, TrackerStore
from rasa.nlu import test as nlu_test
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

RASA_VERSION = "3.6.21"
# The columns of Rasa's SQL tracker store: ``tracker_store.SQLiteTrackerStore`` writes the
# same table so that Rasa's own ``type: SQL`` store reads it back.
EVENT_COLUMNS = ("id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")


class PatchError(RuntimeError):
    """Rasa is not the version these patches were written and tested for."""


@dataclass(frozen=True)
class Dependency:
    owner: Any  # the class or module
    name: str  # the attribute we replace or rely on
    why: str  # who depends on it


DEPENDENCIES = (
    Dependency(RemoteAction, "_validate_action_result", "validation compiled once (patch)"),
    Dependency(RemoteAction, "action_response_format_spec", "validation compiled once"),
    Dependency(MessageProcessor, "_parse_message_with_graph", "buttons skip the NLU (patch)"),
    Dependency(TrackerStore, "_stream_new_events", "tracker_store.SQLiteTrackerStore"),
    Dependency(TrackerEventDiffEngine, "event_difference", "tracker_store.SQLiteTrackerStore"),
    Dependency(nlu_test, "generate_folds", "crossval: seeded folds"),
    Dependency(ensemble.DefaultPolicyPredictionEnsemble, "_pick_best_policy", "EmergencyPolicy"),
)


def check() -> None:
    """Stop loudly if Rasa is not the version, or lacks a name, that we depend on."""
    problems = []
    if rasa.__version__ != RASA_VERSION:
        problems.append(
            f"Rasa {rasa.__version__} is installed; these patches are for {RASA_VERSION}"
        )
    for dep in DEPENDENCIES:
        if not hasattr(dep.owner, dep.name):
            owner = getattr(dep.owner, "__name__", str(dep.owner))
            problems.append(f"{owner}.{dep.name} is gone (needed by {dep.why})")
    if "is_no_user_prediction" not in inspect.signature(PolicyPrediction).parameters:
        problems.append("PolicyPrediction lost is_no_user_prediction (EmergencyPolicy)")
    columns = tuple(column.name for column in SQLTrackerStore.SQLEvent.__table__.columns)
    if columns != EVENT_COLUMNS:
        problems.append(
            f"Rasa's events table is now {columns}; tracker_store writes {EVENT_COLUMNS}"
        )
    if hasattr(nlu_test, "generate_folds"):
        source = inspect.getsource(nlu_test.generate_folds)
        if "StratifiedKFold(n_splits=n, shuffle=True)" not in source:
            problems.append("generate_folds no longer splits with numpy's global generator")
    if problems:
        raise PatchError(
            "hue-assist depends on Rasa internals that changed: "
            + "; ".join(problems)
            + ". Check nlu_components/patches.py before upgrading."
        )


def compiled_validation() -> Callable[[RemoteAction, dict[str, Any]], bool]:
    """``RemoteAction._validate_action_result`` with a validator built once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                f"response from the Action endpoint is valid. See {DOCS_BASE_URL}/custom-actions"
            )
            raise
        return True

    return _validate_action_result


def buttons_by_regex(through_pipeline: Callable[..., dict[str, Any]]) -> Callable[..., dict]:
    """``MessageProcessor._parse_message_with_graph`` that parses ``/intent{…}`` messages
    with Rasa's regex handler alone."""
    handler = RegexMessageHandler()

    def _parse_message_with_graph(
        self: MessageProcessor,
        message: Any,
        tracker: Any,
        only_output_properties: bool = True,
    ) -> dict[str, Any]:
        text = message.text or ""
        if only_output_properties and text.startswith("/"):
            parsed = handler.process([Message({TEXT: text})], self.domain)[0]
            if (parsed.get(INTENT) or {}).get(INTENT_NAME_KEY):
                parse_data = {TEXT: "", INTENT: {}, ENTITIES: []}
                parse_data.update(parsed.as_dict(only_output_properties=True))
                return parse_data
        return through_pipeline(self, message, tracker, only_output_properties)

    return _parse_message_with_graph


def apply() -> None:
    """Check, then install both speed patches (once per process)."""
    check()
    if getattr(MessageProcessor._parse_message_with_graph, "_hue_assist", False):
        return
    RemoteAction._validate_action_result = compiled_validation()
    patched = buttons_by_regex(MessageProcessor._parse_message_with_graph)
    patched._hue_assist = True  # type: ignore[attr-defined]
    MessageProcessor._parse_message_with_graph = patched
