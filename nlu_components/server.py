"""Start the Rasa server (``python -m nlu_components.server run …``) with two speed fixes.

Both were found with py-spy on the Rasa process under load; neither changes an answer.

- Rasa 3.6 checks every action-server response with ``jsonschema.validate``, which first
  validates the response *schema* against its meta-schema, on every call (70% of a turn).
  The schema never changes, so it is checked once and the compiled validator reused;
  responses are still validated.
- A button press (``/affirm``, ``/report_incident{"lat": …}``) ran the whole NLU pipeline,
  DIET included, and then Rasa's ``RegexMessageHandler`` replaced everything the pipeline
  had found. Such a message now goes to that handler alone. A slash message it does not
  recognise (an intent not in the domain) still goes through the pipeline, as before.
"""

from __future__ import annotations

from typing import Any


def compile_action_result_validation() -> None:
    """Make RemoteAction validate responses with a validator built once."""
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

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

    RemoteAction._validate_action_result = _validate_action_result


def buttons_skip_the_nlu_pipeline() -> None:
    """Parse messages in Rasa's slash syntax with its regex handler alone."""
    from rasa.core.processor import MessageProcessor
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    handler = RegexMessageHandler()
    through_pipeline = MessageProcessor._parse_message_with_graph

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

    MessageProcessor._parse_message_with_graph = _parse_message_with_graph


def main() -> None:
    compile_action_result_validation()
    buttons_skip_the_nlu_pipeline()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
