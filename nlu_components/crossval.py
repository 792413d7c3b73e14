"""Run Rasa's CLI with reproducible cross-validation folds (``python -m nlu_components.crossval
test nlu --cross-validation …``).

Rasa 3.6 splits folds with ``StratifiedKFold(shuffle=True)`` and no seed, so every run scores
a different split: measured here, macro F1 moved between 0.898 and 0.910 on the same data.
Seeding numpy's global generator (which that split draws from) makes a run repeatable; the
seed is fixed in advance (``CROSSVAL_SEED``, default 42, the seed DIET trains with).
"""

from __future__ import annotations

import os
import sys

import numpy
from rasa.__main__ import main as rasa_main

from nlu_components import patches


def main() -> None:
    patches.check()  # the folds come from numpy's global generator (see patches)
    numpy.random.seed(int(os.environ.get("CROSSVAL_SEED", "42")))
    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
