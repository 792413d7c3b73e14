"""How sure the retriever is that a document answers the question: a probability in 0..1.

The fused score ranks documents well but says little about *whether anything* answers: a
short chatty question ("bạn có người yêu chưa?") covers a large share of its few terms with
common words. What separates answerable questions is the absolute lexical evidence of the
best document (its BM25 score), how far it leads the next one, and how long the question is.
A logistic model over those features, fitted on the development questions plus off-topic
questions (``knowledge_base.calibration``), turns them into the probability that the
document is the right answer, so ``CONFIDENCE_THRESHOLD`` reads as a probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FEATURES = ("fused", "margin", "log_bm25", "log_terms")


@dataclass(frozen=True)
class Evidence:
    """What the retriever knows about one candidate document for one question."""

    fused: float  # the fused score, 0..1
    margin: float  # fused score minus the best other document's (negative below the top)
    bm25: float  # raw BM25 score of the document for the expanded question
    terms: int  # distinct lexical terms of the expanded question

    def vector(self) -> tuple[float, ...]:
        return (self.fused, self.margin, math.log1p(self.bm25), math.log1p(self.terms))


@dataclass(frozen=True)
class Calibration:
    """Logistic weights over ``FEATURES`` and a bias."""

    weights: tuple[float, ...]
    bias: float

    def probability(self, evidence: Evidence) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, evidence.vector(), strict=True))
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))


# Fitted by bench/kb.py (knowledge_base.calibration.fit) on tests/data/kb_dev.jsonl and
# calibration.OFF_TOPIC, one per way of ranking: the fused score's spread depends on the
# model and its weight. Re-fit after changing a profile or the retrieval parameters.
E5_CALIBRATION = Calibration(weights=(7.5626, 6.8183, 2.0549, -0.1668), bias=-6.1302)
MINILM_CALIBRATION = Calibration(weights=(0.3942, 3.2571, 4.036, -1.586), bias=-7.1266)
LEXICAL_CALIBRATION = Calibration(weights=(0.1779, 3.4699, 4.0464, -1.7526), bias=-6.7169)
DEFAULT_CALIBRATION = E5_CALIBRATION
