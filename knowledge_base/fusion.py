"""Combining lexical and dense scores into one ranking score in 0..1.

A weighted sum of scores that are already on an absolute 0–1 scale (BM25 coverage of the
query, rescaled cosine) was measured against reciprocal-rank fusion on the development set
(docs/kb-benchmark.md): it ranks better at every weight, and unlike rank-based fusion it keeps
"how well does anything match", which the confidence needs.
"""

from __future__ import annotations

import numpy as np


def rescale_cosines(cosines: np.ndarray, floor: float) -> np.ndarray:
    """Cosines mapped from [floor, 1] to [0, 1]: at or below ``floor`` means unrelated."""
    if floor >= 1:
        return np.zeros_like(cosines)
    return np.clip((cosines - floor) / (1 - floor), 0.0, 1.0)


def fuse(
    coverage: np.ndarray, cosines: np.ndarray | None, dense_weight: float, floor: float
) -> np.ndarray:
    """``(1 - w) * coverage + w * rescaled cosine`` per document (coverage alone without dense).

    ``coverage`` holds BM25 scores divided by the best possible score (0..1), ``cosines``
    each document's best passage cosine, both in the same document order.
    """
    if cosines is None:
        return np.clip(coverage, 0.0, 1.0)
    weight = min(1.0, max(0.0, dense_weight))
    fused = (1 - weight) * coverage + weight * rescale_cosines(cosines, floor)
    return np.clip(fused, 0.0, 1.0)
