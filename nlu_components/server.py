"""Start the Rasa server (``python -m nlu_components.server run …``) with the checked
patches of ``nlu_components.patches`` installed first."""

from __future__ import annotations

from rasa.__main__ import main as rasa_main

from nlu_components import patches


def main() -> None:
    patches.apply()
    rasa_main()


if __name__ == "__main__":
    main()
