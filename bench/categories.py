"""Report categories from phrases and from meaning, on 1022-style reports held out.

``bench/data/reports_1022.jsonl`` was written blind to the phrase lists and the NLU data
(``bench/data/REPORTS_1022.md``). Three ways of naming a report's category are compared:
(a) phrases only (``categories.match``), (b) meaning only (``bot/services/category_meaning``,
multilingual-e5-small), (c) phrases, then meaning when no phrase names one (what the report
form does), and for comparison (d) meaning first, phrases when it does not know. "don't know" counts as wrong in the accuracy and is also counted on its own.

``--choose`` picks the classifier's settings by 5-fold cross-validation on the TRAINING
examples (the NLU report examples; names, phrases and synonyms always stay in training):
the 1022 set plays no part in it.

    .venv/bin/python bench/categories.py [--misses] [--json]
    .venv/bin/python bench/categories.py --choose
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.common import summary  # noqa: E402
from bot.domain import categories  # noqa: E402
from bot.services import category_meaning as meaning  # noqa: E402
from knowledge_base.cache import EmbeddingCache  # noqa: E402
from knowledge_base.embeddings import DEFAULT_MODEL, configured_model, get_embedder  # noqa: E402
from knowledge_base.retriever import default_cache_path  # noqa: E402

DATA = ROOT / "bench" / "data" / "reports_1022.jsonl"
SETTINGS = (
    *({"method": "nearest", "top": top} for top in (0, 1, 3, 5)),  # top 0: centroids
    *({"method": "linear", "scale": scale} for scale in (1.0, 10.0, 30.0)),
)
THRESHOLDS = {
    "nearest": (0.0, 0.0025, 0.005, 0.0065, 0.01, 0.015, 0.02, 0.03),
    "linear": (0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6),
}


def embedder_and_cache():
    embedder = get_embedder(configured_model() or DEFAULT_MODEL)
    return embedder, EmbeddingCache(default_cache_path())


def choose(folds: int = 5, seed: int = 13) -> dict:
    """Cross-validated figures of each setting on the training examples."""
    embedder, cache = embedder_and_cache()
    examples = meaning.training_examples(ROOT)
    sentences = set(meaning.nlu_examples(ROOT / meaning.NLU_FOLDER, synonyms=False))
    # the report sentences rotate through the folds; names, phrases and synonyms stay in
    rotating = [e for e in examples if e in sentences]
    fixed = [e for e in examples if e not in sentences]
    random.Random(seed).shuffle(rotating)
    by_class: dict[str, list] = defaultdict(list)
    for e in rotating:
        by_class[e.code].append(e)
    fold_of = {e: i % folds for members in by_class.values() for i, e in enumerate(members)}
    vectors = dict(
        zip(examples, meaning.embed(embedder, [e.text for e in examples], cache), strict=True)
    )
    results = {}
    for setting in SETTINGS:
        thresholds = THRESHOLDS[setting["method"]]
        tally = {t: Counter() for t in thresholds}
        for fold in range(folds):
            train = fixed + [e for e in rotating if fold_of[e] != fold]
            test = [e for e in rotating if fold_of[e] == fold]
            model = meaning.CategoryMeaning(
                embedder, train, np.stack([vectors[e] for e in train]), **setting
            )
            rows = model.scores(np.stack([vectors[e] for e in test]))
            for e, row in zip(test, rows, strict=True):
                for t in thresholds:
                    answer = model.decide(row, t).code
                    if e.code == meaning.VAGUE:
                        tally[t]["vague_kept" if answer is None else "vague_named"] += 1
                    elif answer is None:
                        tally[t]["dont_know"] += 1
                    else:
                        tally[t]["right" if answer == e.code else "wrong"] += 1
        for t, c in tally.items():
            named = c["right"] + c["wrong"] + c["dont_know"]
            name = " ".join(f"{k}={v}" for k, v in setting.items())
            results[f"{name} threshold={t}"] = {
                "accuracy": round(c["right"] / named, 3),
                "precision": round(c["right"] / max(1, c["right"] + c["wrong"]), 3),
                "dont_know": c["dont_know"],
                "vague_named": c["vague_named"],
                "utility": c["right"] - c["wrong"] - c["vague_named"],
                "n": named + c["vague_kept"] + c["vague_named"],
            }
    return results


def evaluate(rows: list[dict], misses: bool = False) -> dict:
    model = meaning.classifier()
    if model is None:
        raise SystemExit("EMBEDDING_MODEL is off: nothing to measure for meaning")
    texts = [r["text"] for r in rows]
    phrase = [categories.match(t) for t in texts]
    latencies = []
    guesses = []
    model.guess("khởi động")  # the first call loads the engine; not a message's latency
    for text in texts:
        started = time.perf_counter()
        guesses.append(model.guess(text).code)
        latencies.append((time.perf_counter() - started) * 1000)
    both = [p or g for p, g in zip(phrase, guesses, strict=True)]
    reverse = [g or p for p, g in zip(phrase, guesses, strict=True)]
    out: dict = {"n": len(rows), "model": model.embedder.name}
    per: dict = defaultdict(dict)
    for label, answers in (
        ("phrases", phrase),
        ("meaning", guesses),
        ("phrases_then_meaning", both),
        ("meaning_then_phrases", reverse),
    ):
        right = sum(a == r["category"] for a, r in zip(answers, rows, strict=True))
        out[label] = {
            "accuracy": round(right / len(rows), 3),
            "right": right,
            "dont_know": sum(a is None for a in answers),
            "wrong": sum(
                a is not None and a != r["category"] for a, r in zip(answers, rows, strict=True)
            ),
        }
        for code in categories.BY_CODE:
            idx = [i for i, r in enumerate(rows) if r["category"] == code]
            per[code][label] = round(sum(answers[i] == code for i in idx) / len(idx), 2)
    out["per_category"] = dict(per)
    out["latency_ms"] = summary(latencies)
    out["settings"] = {"method": model.method, "threshold": model.threshold}
    if misses:
        out["misses"] = [
            {"text": r["text"], "expected": r["category"], "phrase": p, "meaning": g}
            for r, p, g in zip(rows, phrase, guesses, strict=True)
            if (p or g) != r["category"]
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--choose", action="store_true", help="cross-validate the settings")
    parser.add_argument("--misses", action="store_true", help="list what (c) got wrong")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.choose:
        results = choose()
        if args.json:
            print(json.dumps(results, indent=1))
            return
        for name, r in sorted(results.items(), key=lambda kv: -kv[1]["utility"]):
            print(f"{name:42} {json.dumps(r)}")
        return
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    out = evaluate(rows, args.misses)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    print(
        f"{out['n']} reports held out ({DATA.relative_to(ROOT)}), model {out['model']}, "
        f"settings {out['settings']}"
    )
    for label in ("phrases", "meaning", "phrases_then_meaning", "meaning_then_phrases"):
        r = out[label]
        print(
            f"  {label:22} accuracy {r['accuracy']:.3f}  right {r['right']:3}  "
            f"wrong {r['wrong']:3}  don't know {r['dont_know']:3}"
        )
    print("  per category (phrases / meaning / phrases then meaning / meaning then phrases):")
    for code, r in out["per_category"].items():
        print(
            f"    {code:13} {r['phrases']:.2f} / {r['meaning']:.2f} / "
            f"{r['phrases_then_meaning']:.2f} / {r['meaning_then_phrases']:.2f}"
        )
    print(f"  meaning latency per message: {json.dumps(out['latency_ms'])}")
    for m in out.get("misses", []):
        print(f"  MISS {m['expected']:13} phrase={m['phrase']} meaning={m['meaning']}: {m['text']}")


if __name__ == "__main__":
    main()
