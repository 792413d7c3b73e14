"""The action server: rasa_sdk running this package, with the project's JSON log lines.

``python -m actions -p 5055`` is what ``hue-assist up`` starts; rasa_sdk's own options pass
through.
"""

from __future__ import annotations

import sys

from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser

from bot.base import logs


def main(argv: list[str]) -> None:
    logs.configure()
    args = create_argument_parser().parse_args(["--actions", "actions", *argv])
    main_from_args(args)


if __name__ == "__main__":
    main(sys.argv[1:])
