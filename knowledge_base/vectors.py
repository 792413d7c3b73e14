"""Small vector arithmetic shared by the classifiers over e5 embeddings.

numpy only: the Rasa environment (intent from meaning, ``nlu_components.meaning``) imports
it as well as the app's services (report category from meaning, ``category_meaning``).
"""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities along the last axis, shifted by the maximum so that nothing overflows."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def centre(vectors: np.ndarray, mean: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``vectors`` less the training mean, back at length ``scale``.

    e5 puts every text in a narrow cone (cosines 0.78–0.93); what tells texts apart is how
    they differ from the mean, so classifiers read these rather than the raw vectors.
    """
    moved = vectors - mean
    return scale * moved / np.maximum(np.linalg.norm(moved, axis=-1, keepdims=True), 1e-6)
