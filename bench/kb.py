"""Knowledge-base retrieval: plain BM25 against dense, our lexical index and the hybrid.

    .venv/bin/python bench/kb.py [--doc docs/kb-benchmark.md]

On tests/data/kb_dev.jsonl: recall@1, recall@5 and MRR of a plain BM25 baseline
(``rank_bm25`` over the same folded syllables and syllable pairs), dense only (the configured
``EMBEDDING_MODEL``), our lexical index alone (field weights and glossary), and the hybrid;
then the dense-weight sweep, weighted-sum against reciprocal-rank fusion, and the confidence
calibration (fitted in-sample and cross-validated, with the threshold's effect).
On the real public-service FAQ in ../shared/testdata/kb_real/ (when present): each answer a
document without sample questions, each question asked for its own answer.
On a 1,000-document corpus made by varying the real documents: index build time from an
empty cache and from a full one, and query latency (p50/p95 of the median of 3 rounds over
the dev and off-topic questions) once indexed.
Prints one JSON object; ``--doc`` also writes it, with the command, at the end of a Markdown
file (replacing an earlier "## Latest run" section).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rank_bm25 import BM25Okapi  # noqa: E402

from bench.common import summary  # noqa: E402
from knowledge_base import calibration  # noqa: E402
from knowledge_base.documents import Document, load_folder  # noqa: E402
from knowledge_base.evaluate import MRR_DEPTH, Query, load_queries, metrics, ranks  # noqa: E402
from knowledge_base.lexical import terms  # noqa: E402
from knowledge_base.retriever import CONFIDENCE_THRESHOLD, Retriever  # noqa: E402

SERVICES = ROOT / "knowledge_base" / "services"
DEV = ROOT / "tests" / "data" / "kb_dev.jsonl"
REAL_FAQ = ROOT.parent / "shared" / "testdata" / "kb_real" / "dvc_faq_dev.jsonl"
SECTION = "## Latest run"
RRF_K = 60
ROUNDS = 3
WARDS = (
    "Phú Hội", "Phú Nhuận", "Vĩnh Ninh", "Thuận Hòa", "Tây Lộc", "Đông Ba", "Gia Hội",
    "Kim Long", "Vỹ Dạ", "Phường Đúc", "An Cựu", "Xuân Phú", "Thủy Xuân", "Hương Sơ",
    "An Hòa", "Hương Long", "Thủy Biều", "Phú Bài", "Hương Thủy", "Hương Trà",
)  # fmt: skip


def plain_bm25(documents: Sequence[Document]) -> Callable[[str], list[str]]:
    """The baseline: Okapi BM25 (rank_bm25 defaults) over one text per document."""
    texts = [f"{d.title} {' '.join(d.questions)} {d.body}" for d in documents]
    index = BM25Okapi([terms(t) or ["_"] for t in texts])
    ids = [d.id for d in documents]

    def ranked(question: str) -> list[str]:
        scores = index.get_scores(terms(question))
        order = sorted(range(len(ids)), key=lambda i: (-scores[i], ids[i]))
        return [ids[i] for i in order[:MRR_DEPTH] if scores[i] > 0]

    return ranked


def faq_folder(pairs: Path, folder: Path) -> list[Query]:
    """Write each FAQ answer as a document of ``folder``; its question asks for it.

    The document holds no sample question (``questions: []``): its own question must not be
    in it. Its title is the answer's first sentence (up to 100 characters), so nothing is
    added that the answer does not say.
    """
    folder.mkdir(parents=True, exist_ok=True)
    queries = []
    for number, line in enumerate(pairs.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        answer = row["answer"].strip()
        first = re.split(r"(?<=[.!?:;])\s+|\n+", answer, maxsplit=1)[0]
        title = (first if len(first) <= 100 else first[:100].rsplit(" ", 1)[0]).rstrip(" ,:;-")
        doc_id = f"faq-{number}"
        (folder / f"{doc_id}.md").write_text(
            f"---\nid: {doc_id}\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
            f"questions: []\nsource: {json.dumps(row.get('url') or str(pairs))}\n---\n{answer}\n",
            encoding="utf-8",
        )
        queries.append(Query(row["question"], doc_id))
    return queries


def real_faq(home: Path) -> dict | None:
    """Plain BM25, our lexical index, dense only and the hybrid on the real FAQ, if present."""
    if not REAL_FAQ.exists():
        return None
    folder = home / "real-faq"
    queries = faq_folder(REAL_FAQ, folder)
    documents, errors = load_folder(folder)
    assert not errors, errors[:3]
    cache = home / "kb-cache.db"
    hybrid = Retriever(folder, cache_path=cache)
    hybrid.warm()
    return {
        "questions": len(queries),
        "bm25_plain": metrics(ranks(plain_bm25(documents), queries)),
        "dense_only": metrics(
            ranks(ranked_ids(Retriever(folder, cache_path=cache, dense_weight=1.0)), queries)
        ),
        "lexical_ours": metrics(ranks(ranked_ids(Retriever(folder, model=None)), queries)),
        "hybrid": metrics(ranks(ranked_ids(hybrid), queries)),
    }


def ranked_ids(retriever: Retriever) -> Callable[[str], list[str]]:
    return lambda question: [c.doc_id for c in retriever.rank(question, top=MRR_DEPTH)]


def rrf(
    lexical: Callable[[str], list[str]], dense: Callable[[str], list[str]], weight: float
) -> Callable[[str], list[str]]:
    """Weighted reciprocal-rank fusion of two rankings, for comparison with the weighted sum."""

    def ranked(question: str) -> list[str]:
        scores: dict[str, float] = {}
        for share, ids in ((1 - weight, lexical(question)), (weight, dense(question))):
            for rank, doc_id in enumerate(ids, 1):
                scores[doc_id] = scores.get(doc_id, 0.0) + share / (RRF_K + rank)
        return sorted(scores, key=lambda d: (-scores[d], d))[:MRR_DEPTH]

    return ranked


def memo(ranked: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    seen: dict[str, list[str]] = {}
    return lambda q: seen[q] if q in seen else seen.setdefault(q, ranked(q))


def quality(home: Path, queries: list[Query]) -> dict:
    """Dev-set metrics of each method, the weight sweep, fusion methods and calibration."""
    documents, _ = load_folder(SERVICES)
    cache = home / "kb-cache.db"
    hybrid = Retriever(SERVICES, cache_path=cache)
    hybrid.warm()
    lexical = Retriever(SERVICES, model=None)
    dense = Retriever(SERVICES, cache_path=cache, dense_weight=1.0)
    lexical_ids, dense_ids = memo(ranked_ids(lexical)), memo(ranked_ids(dense))
    no_glossary = {
        "lexical_ours_no_glossary": Retriever(SERVICES, model=None, glossary=False),
        "hybrid_no_glossary": Retriever(SERVICES, cache_path=cache, glossary=False),
    }
    methods = {
        "bm25_plain": metrics(ranks(plain_bm25(documents), queries)),
        "dense_only": metrics(ranks(dense_ids, queries)),
        "lexical_ours": metrics(ranks(lexical_ids, queries)),
        "hybrid": metrics(ranks(ranked_ids(hybrid), queries)),
        **{name: metrics(ranks(ranked_ids(r), queries)) for name, r in no_glossary.items()},
    }
    sweep, rrf_sweep = {}, {}
    for weight in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7):
        weighted = Retriever(SERVICES, cache_path=cache, dense_weight=weight)
        sweep[str(weight)] = metrics(ranks(ranked_ids(weighted), queries))
        rrf_sweep[str(weight)] = metrics(ranks(rrf(lexical_ids, dense_ids, weight), queries))
    data = calibration.samples(hybrid, queries)
    fitted = calibration.fit(data)
    in_sample = [hybrid.calibration.probability(s.evidence) for s in data]
    held_out = calibration.cross_validated(data)
    return {
        "model": hybrid.embedder.name if hybrid.embedder else None,
        "dense_weight": hybrid.dense_weight,
        "methods": methods,
        "dense_weight_sweep": sweep,
        "rrf_weight_sweep": rrf_sweep,
        "confidence": {
            "threshold": CONFIDENCE_THRESHOLD,
            "off_topic_questions": len(calibration.OFF_TOPIC),
            "at_threshold": calibration.report(CONFIDENCE_THRESHOLD, in_sample, data).__dict__,
            "at_threshold_cross_validated": calibration.report(
                CONFIDENCE_THRESHOLD, held_out, data
            ).__dict__,
            "best_threshold_cross_validated": calibration.best_threshold(held_out, data).__dict__,
            "refit": {"weights": fitted.weights, "bias": fitted.bias},
        },
    }


def variant(doc: Document, number: int) -> str:
    """Document ``number`` of the synthetic corpus: a real one, reworded for one ward."""
    ward = WARDS[number % len(WARDS)]
    tag = f"{ward}, mã {number}"
    body = re.sub(r"([.!?])(\s|$)", rf" ({tag})\1\2", doc.body)
    questions = "\n".join(
        f"  - {json.dumps(f'{q} ({tag})', ensure_ascii=False)}" for q in doc.questions
    )
    return (
        f"---\nid: {doc.id}-{number}\ntitle: {json.dumps(f'{doc.title} – {tag}', ensure_ascii=False)}\n"
        f"questions:\n{questions}\nsource: {doc.source}\n---\n{body}\n"
    )


def scale(home: Path, queries: list[Query], size: int) -> dict:
    """Build times and query latency on ``size`` documents varied from the real ones."""
    documents, _ = load_folder(SERVICES)
    folder = home / "corpus"
    folder.mkdir()
    for number in range(size):
        doc = documents[number % len(documents)]
        (folder / f"{doc.id}-{number}.md").write_text(variant(doc, number), encoding="utf-8")
    cache = home / "scale-cache.db"
    started = time.perf_counter()
    cold = Retriever(folder, cache_path=cache)
    cold_stats = cold.warm()
    cold_seconds = time.perf_counter() - started
    started = time.perf_counter()
    warm = Retriever(folder, cache_path=cache)
    warm_stats = warm.warm()
    warm_seconds = time.perf_counter() - started
    lexical = Retriever(folder, model=None)
    lexical.refresh()
    questions = [q.question for q in queries] + list(calibration.OFF_TOPIC)
    latency = {}
    for name, retriever in (("hybrid", warm), ("lexical_only", lexical)):
        for question in questions[:20]:  # warm-up: first calls pay for lazy set-up
            retriever.search(question)
        rounds = []
        for _ in range(ROUNDS):
            timings = []
            for question in questions:
                started = time.perf_counter()
                retriever.search(question)
                timings.append((time.perf_counter() - started) * 1000)
            rounds.append(summary(timings))
        # The median round: other work on a shared machine shows up as one slow round.
        latency[name] = sorted(rounds, key=lambda r: r["p95_ms"])[len(rounds) // 2]
        latency[name]["p95_ms_each_round"] = [r["p95_ms"] for r in rounds]
    return {
        "documents": len(warm.documents),
        "passages": warm_stats.passages if warm_stats else 0,
        "build_empty_cache_s": round(cold_seconds, 1),
        "embedded_empty_cache": cold_stats.embedded if cold_stats else 0,
        "build_full_cache_s": round(warm_seconds, 2),
        "embedded_full_cache": warm_stats.embedded if warm_stats else 0,
        "query_latency_ms": latency,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def table(result: dict) -> str:
    """The headline figures as a Markdown table, ready for the README."""
    scale = result["scale"]
    latency = scale["query_latency_ms"]["hybrid"]
    rows = ["| retrieval (dev set, n = {}) | R@1 | R@5 | MRR |".format(result["dev_questions"])]
    rows.append("| --- | --- | --- | --- |")
    for name in ("bm25_plain", "dense_only", "lexical_ours", "hybrid"):
        m = result["methods"][name]
        rows.append(f"| {name} | {m['recall_at_1']} | {m['recall_at_5']} | {m['mrr']} |")
    if result.get("real_faq"):
        rows.append(f"| **real FAQ (n = {result['real_faq']['questions']})** | | | |")
        for name in ("bm25_plain", "dense_only", "lexical_ours", "hybrid"):
            m = result["real_faq"][name]
            rows.append(f"| {name} | {m['recall_at_1']} | {m['recall_at_5']} | {m['mrr']} |")
    confidence = result["confidence"]["at_threshold"]
    return "\n".join(rows) + (
        f"\n\nThreshold {result['confidence']['threshold']}: {confidence['answered_right']:.0%} of"
        f" dev questions answered right, {confidence['answered_wrong']:.1%} wrong,"
        f" {confidence['off_topic_rejected']:.1%} of off-topic questions rejected."
        f" {scale['documents']} documents: query p50 {latency['p50_ms']} ms,"
        f" p95 {latency['p95_ms']} ms; index build {scale['build_empty_cache_s']} s from an"
        f" empty cache, {scale['build_full_cache_s']} s from a full one ({result['machine']},"
        f" load {scale['load_average_1min']}).\n"
    )


def write_doc(path: Path, command: str, result: dict) -> None:
    """Replace (or add) the "Latest run" section at the end of ``path``."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Knowledge-base benchmark\n"
    text = text.split(f"\n{SECTION}\n")[0].rstrip() + "\n"
    text += (
        f"\n{SECTION}\n\n```\n{command}\n```\n\n{table(result)}\n```json\n"
        f"{json.dumps(result, indent=2, ensure_ascii=False)}\n```\n"
    )
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="Documents in the scale test.")
    parser.add_argument("--doc", type=Path, help="Also write the result into this Markdown file.")
    args = parser.parse_args()
    queries = load_queries(DEV)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        result = {
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "dev_questions": len(queries),
            **quality(home, queries),
            "real_faq": real_faq(home),
            "scale": scale(home, queries, args.size),
        }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.doc:
        command = ".venv/bin/python bench/kb.py" + (
            f" --size {args.size}" if args.size != 1000 else ""
        )
        write_doc(args.doc, command + f" --doc {args.doc}", result)


if __name__ == "__main__":
    main()
