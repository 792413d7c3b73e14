"""Start the Rasa server (``python -m nlu_components.server run …``) with the checked
patches of ``nlu_components.patches`` installed first.

The API's token comes from the environment (``HUE_ASSIST_RASA_TOKEN``, set by ``up``) and is
handed to Rasa as ``--auth-token`` here, inside the process: on the command line any local
user could read it in ``ps``."""

from __future__ import annotations

import os
import sys

from rasa.__main__ import main as rasa_main

from nlu_components import patches

TOKEN_VARIABLE = "HUE_ASSIST_RASA_TOKEN"


def with_token(argv: list[str], token: str | None) -> list[str]:
    """``argv`` with ``--auth-token`` added to a ``run`` command when a token is set."""
    if not token or "run" not in argv[1:2] or "--auth-token" in argv:
        return argv
    return [*argv, "--auth-token", token]


def main() -> None:
    patches.apply()
    sys.argv = with_token(sys.argv, os.environ.pop(TOKEN_VARIABLE, None))
    rasa_main()


if __name__ == "__main__":
    main()
