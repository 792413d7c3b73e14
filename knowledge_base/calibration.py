"""Choosing the confidence threshold: answer what we know, admit what we do not.

The threshold is tuned on two sets: the development questions (each has a right document)
and questions the knowledge base cannot answer (``OFF_TOPIC``). Above the threshold the
assistant answers with its best document; below it, it says it is not sure and offers the
two closest topics, which is also the right move when the best document is the wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from knowledge_base.confidence import Calibration, Evidence
from knowledge_base.evaluate import Query

if TYPE_CHECKING:
    from knowledge_base.retriever import Retriever

# Questions no service document answers, Vietnamese (with and without accents) and English.
# Several share words with the documents ("Huế", "điện thoại", "đăng ký") on purpose.
OFF_TOPIC: tuple[str, ...] = (
    "Công thức nấu bún bò Huế chuẩn vị là gì?",
    "giá vàng hôm nay bao nhiêu",
    "Kết quả trận bóng đá tối qua thế nào?",
    "thoi tiet ha noi ngay mai",
    "Bạn có người yêu chưa?",
    "Kể cho tôi một câu chuyện cười đi",
    "Điện thoại iPhone mới nhất giá bao nhiêu?",
    "cach lam banh beo hue",
    "Tỷ giá đô la hôm nay là bao nhiêu?",
    "Học tiếng Anh ở đâu tốt?",
    "Làm sao để giảm cân nhanh?",
    "Bài hát nào đang nổi nhất tuần này?",
    "quán cà phê nào ở Sài Gòn view đẹp",
    "Mua vé máy bay đi Đà Lạt giá rẻ ở đâu?",
    "Con mèo nhà tôi bỏ ăn mấy hôm nay",
    "cho minh hoi cach cai win 10",
    "Đăng ký học lái xe ô tô hạng B mất bao nhiêu tiền?",
    "Ai là tổng thống Mỹ?",
    "Chứng khoán hôm nay tăng hay giảm?",
    "Mật khẩu wifi nhà tôi là gì?",
    "Lời bài hát Huế tình yêu của tôi",
    "Nên mua xe điện hay xe xăng?",
    "Tôi muốn đặt bánh sinh nhật",
    "viết giúp tôi bài văn tả mẹ",
    "Làm thế nào để trồng hoa hồng?",
    "What is the capital of Australia?",
    "Tell me a joke",
    "How do I cook pho at home?",
    "Who won the football match last night?",
    "What's the best laptop for programming?",
    "Can you recommend a good movie?",
    "How many calories are in a banana?",
    "What is the exchange rate of the dollar today?",
    "How do I learn to play guitar?",
    "Is it going to snow in London tomorrow?",
    "Translate 'good morning' into French",
    "asdfgh qwerty",
    "ok",
    "hihi",
    "123456",
)


# A confident wrong answer costs more than "not sure, is it one of these two?": the citizen
# reads a wrong procedure instead of clicking the right topic.
WRONG_COST = 2.0


@dataclass(frozen=True)
class ThresholdReport:
    """How a threshold splits answers: the share of each kind of question it handles well."""

    threshold: float
    answered_right: float  # dev questions answered, with the right document
    answered_wrong: float  # dev questions answered with a wrong document
    off_topic_rejected: float  # off-topic questions below the threshold

    @property
    def utility(self) -> float:
        """Right answers and rejected off-topic count for; wrong answers count against."""
        return self.answered_right + self.off_topic_rejected - WRONG_COST * self.answered_wrong


@dataclass(frozen=True)
class Sample:
    """The best candidate's evidence for one calibration question, and whether it is right."""

    evidence: Evidence
    right: bool
    on_topic: bool


def samples(
    retriever: Retriever, queries: Sequence[Query], off_topic: Sequence[str] = OFF_TOPIC
) -> list[Sample]:
    """Evidence of the best document for every dev and off-topic question."""
    out: list[Sample] = []
    empty = Evidence(0.0, 0.0, 0.0, 0)
    for query in queries:
        ranked = retriever.rank(query.question, top=2)
        top = ranked[0] if ranked else None
        out.append(
            Sample(top.evidence if top else empty, bool(top and top.doc_id == query.expected), True)
        )
    for question in off_topic:
        ranked = retriever.rank(question, top=2)
        out.append(Sample(ranked[0].evidence if ranked else empty, False, False))
    return out


def fit(data: Sequence[Sample], l2: float = 0.1, steps: int = 50) -> Calibration:
    """Logistic regression (Newton steps, L2 on the weights) of "right" on the evidence."""
    x = np.array([[1.0, *s.evidence.vector()] for s in data])
    y = np.array([1.0 if s.right else 0.0 for s in data])
    beta = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * l2
    penalty[0, 0] = 0.0  # no shrinkage on the bias
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -60, 60)))
        gradient = x.T @ (p - y) + penalty @ beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return Calibration(
        weights=tuple(round(float(b), 4) for b in beta[1:]), bias=round(float(beta[0]), 4)
    )


def report(
    threshold: float, probabilities: Sequence[float], data: Sequence[Sample]
) -> ThresholdReport:
    """The shares handled well at ``threshold`` given each sample's confidence."""
    dev = [(p, s.right) for p, s in zip(probabilities, data, strict=True) if s.on_topic]
    other = [p for p, s in zip(probabilities, data, strict=True) if not s.on_topic]
    n_dev, n_other = max(len(dev), 1), max(len(other), 1)
    return ThresholdReport(
        threshold=round(threshold, 3),
        answered_right=round(sum(p >= threshold and ok for p, ok in dev) / n_dev, 4),
        answered_wrong=round(sum(p >= threshold and not ok for p, ok in dev) / n_dev, 4),
        off_topic_rejected=round(sum(p < threshold for p in other) / n_other, 4),
    )


def best_threshold(probabilities: Sequence[float], data: Sequence[Sample]) -> ThresholdReport:
    """The threshold (on a 0.01 grid) with the best utility; the lower one on ties."""
    candidates = [report(step / 100, probabilities, data) for step in range(1, 100)]
    return max(candidates, key=lambda r: (r.utility, -r.threshold))


def cross_validated(data: Sequence[Sample], folds: int = 10, seed: int = 7) -> list[float]:
    """Out-of-fold probabilities: each sample scored by a calibration fitted without it."""
    order = np.random.default_rng(seed).permutation(len(data))
    probabilities = [0.0] * len(data)
    for fold in range(folds):
        held = set(order[fold::folds].tolist())
        calibration = fit([s for i, s in enumerate(data) if i not in held])
        for i in held:
            probabilities[i] = calibration.probability(data[i].evidence)
    return probabilities
