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
# Several share words with the documents ("Huế", "điện thoại", "đăng ký") on purpose. The long,
# formal ones (from "Cho tôi hỏi thủ tục xin cấp hộ chiếu" on) keep the calibration from
# learning "a long question is an answerable one": fitted on short ones only, it answered 5 of
# 8 held-out long off-topic questions at 0.75 (docs/kb-benchmark.md).
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
    "Cho tôi hỏi thủ tục xin cấp hộ chiếu phổ thông lần đầu cho trẻ em dưới 14 tuổi ở Hà Nội cần những giấy tờ gì?",
    "Tôi muốn thành lập công ty trách nhiệm hữu hạn hai thành viên ở Thành phố Hồ Chí Minh thì vốn điều lệ tối thiểu là bao nhiêu?",
    "Xin hỏi người lao động nghỉ việc thì được hưởng trợ cấp thất nghiệp bao nhiêu tháng và nộp hồ sơ ở đâu?",
    "Em đang làm luận văn thạc sĩ về kinh tế, anh chị có thể gợi ý giúp em một đề tài nghiên cứu về thị trường chứng khoán không?",
    "Công ty tôi nhập khẩu máy móc đã qua sử dụng từ Nhật Bản thì có phải kiểm định chất lượng không, thuế nhập khẩu bao nhiêu?",
    "Tôi định mua một căn chung cư ở Đà Nẵng, xin tư vấn nên vay ngân hàng nào lãi suất thấp và thời hạn vay tối đa bao lâu?",
    "Chồng tôi là người Hàn Quốc, chúng tôi muốn làm thủ tục cho con nhập quốc tịch Hàn Quốc thì liên hệ đại sứ quán như thế nào?",
    "Cho hỏi điều kiện để được cấp chứng chỉ hành nghề kiến trúc sư và thời hạn của chứng chỉ là mấy năm?",
    "mình muốn hỏi cách tính thuế thu nhập cá nhân khi có hai nguồn lương từ hai công ty khác nhau thì quyết toán thế nào",
    "toi muon dang ky thi bang lai xe may A1 o Quang Tri thi nop ho so o dau va thi ly thuyet bao nhieu cau",
    "Xin hỏi thời hạn bảo hành xe ô tô mới mua là bao lâu và nếu đại lý từ chối bảo hành thì khiếu nại ở cơ quan nào?",
    "Tôi là giáo viên hợp đồng ở Nghệ An, muốn hỏi về chế độ nâng lương trước thời hạn khi có thành tích xuất sắc?",
    "Gia đình tôi muốn xin giấy phép khai thác cát trên sông để kinh doanh vật liệu xây dựng thì cần điều kiện gì?",
    "Cho hỏi thủ tục công nhận sáng kiến cấp tỉnh cho cán bộ ngành y tế gồm những bước nào và hội đồng xét duyệt khi nào?",
    "Doanh nghiệp chúng tôi muốn xin cấp phép quảng cáo thực phẩm chức năng trên truyền hình thì hồ sơ gồm những gì?",
    "What documents does a foreigner need to buy an apartment in Vietnam, and how long can they own it?",
    "How do I register a new company in Singapore as a Vietnamese citizen, and what are the annual fees?",
    "Can you explain how the Vietnamese stock market trading hours work and what the daily price limit is?",
    "Nhờ tư vấn giúp tôi chương trình học bổng du học Nhật Bản cho học sinh vừa tốt nghiệp trung học phổ thông năm nay?",
    "Cho tôi hỏi nuôi tôm thẻ chân trắng trong ao đất thì mật độ thả giống bao nhiêu con một mét vuông là hợp lý?",
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
