"""Start the Rasa server (``python -m nlu_components.server run …``) with one speed fix.

Rasa 3.6 checks every action-server response with ``jsonschema.validate``, which first
validates the response *schema* against its meta-schema, on every call: measured with
py-spy, 70% of the Rasa process's time in a turn. The schema never changes, so it is
checked once here and the compiled validator reused; responses are still validated.
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


def main() -> None:
    compile_action_result_validation()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
