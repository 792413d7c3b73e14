"""How well is Vietnamese typed without diacritics understood? Ours against a plain pipeline.

    .venv/bin/python bench/accents.py

Splits the NLU examples 80/20 (stratified, fixed seed), trains two NLU models on the 80%:
``config.yml`` (the folding tokenizer and synonym mapper) and the same pipeline with Rasa's
plain WhitespaceTokenizer and EntitySynonymMapper. Both are tested on the held-out 20% as
written, and on the same messages with every diacritic removed (how many people type).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import plain  # noqa: E402
from bot.base import settings as settings_mod  # noqa: E402
from bot.base.text import fold, has_vietnamese_marks  # noqa: E402
from bot.services.training import rasa_env  # noqa: E402

JSON_ANNOTATION = re.compile(r"\{[^}]*\}")


def fold_example(example: str) -> str:
    """Remove diacritics from the text of an annotated example, not from its annotations."""
    parts, last = [], 0
    for match in JSON_ANNOTATION.finditer(example):
        parts.append(fold(example[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(fold(example[last:]))
    return "".join(parts)


def load() -> tuple[list[tuple[str, str]], list[dict]]:
    examples, other = [], []
    for path in sorted((ROOT / "nlu_data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" in block:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        examples.append((block["intent"], line.strip()[2:]))
            else:
                other.append(block)
    return examples, other


def write_nlu(path: Path, examples: list[tuple[str, str]], other: list[dict]) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for intent, example in examples:
        by_intent[intent].append(example)
    blocks = [
        {"intent": i, "examples": "".join(f"- {e}\n" for e in exs)} for i, exs in by_intent.items()
    ]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks + other}, allow_unicode=True))


def rasa(*args: str) -> None:
    binary = str(settings_mod.load().rasa_bin)
    subprocess.run([binary, *args], cwd=ROOT, env=rasa_env(ROOT), check=True, capture_output=True)


def scores(out: Path) -> dict[str, float]:
    intents = json.loads((out / "intent_report.json").read_text())
    result = {
        "intent_accuracy": round(intents["accuracy"], 3),
        "intent_macro_f1": round(intents["macro avg"]["f1-score"], 3),
    }
    # Categories come from the phrase extractor where the pipeline has one, else from DIET.
    for name in ("PhraseEntityExtractor", "DIETClassifier"):
        report = out / f"{name}_report.json"
        if report.exists():
            category = json.loads(report.read_text()).get("category", {})
            result["category_f1"] = round(category.get("f1-score", 0.0), 3)
            result["category_from"] = name
            break
    return result


def main() -> None:
    examples, other = load()
    rng = random.Random(7)
    train, test = [], []
    by_intent: dict[str, list] = defaultdict(list)
    for item in examples:
        by_intent[item[0]].append(item)
    for items in by_intent.values():
        rng.shuffle(items)
        cut = max(1, len(items) // 5)
        test += items[:cut]
        train += items[cut:]
    accented = [(i, e) for i, e in test if has_vietnamese_marks(plain(e))]
    folded = [(i, fold_example(e)) for i, e in accented]
    baseline_config = (ROOT / "config.yml").read_text()
    baseline_config = baseline_config.replace(
        "nlu_components.vietnamese.VietnameseTokenizer", "WhitespaceTokenizer"
    ).replace("nlu_components.vietnamese.FoldingSynonymMapper", "EntitySynonymMapper")
    # No phrase extractor in the plain pipeline: categories come from DIET alone.
    baseline_config = re.sub(
        r"  - name: nlu_components\.vietnamese\.PhraseEntityExtractor\n    entities: \[category\]\n",
        "",
        baseline_config,
    )
    # Nor intent from meaning: the plain pipeline is Rasa's own components.
    baseline_config = baseline_config.replace(
        "  - name: nlu_components.meaning.MeaningIntentClassifier\n", ""
    )
    # (the policies, EmergencyPolicy among them, play no part in an NLU test)
    assert "- name: nlu_components" not in baseline_config.split("policies:")[0]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_nlu(work / "train.yml", train, other)
        write_nlu(work / "accented.yml", accented, [])
        write_nlu(work / "folded.yml", folded, [])
        (work / "baseline.yml").write_text(baseline_config)
        configs = {"hue-assist (folding)": ROOT / "config.yml", "plain Rasa": work / "baseline.yml"}
        for name, config in configs.items():
            model = work / f"{abs(hash(name))}.tar.gz"
            rasa(
                "train",
                "nlu",
                "--nlu",
                str(work / "train.yml"),
                "--config",
                str(config),
                "--out",
                str(work),
                "--fixed-model-name",
                model.name[:-7],
            )
            for split in ("accented", "folded"):
                out = work / f"out-{abs(hash(name))}-{split}"
                rasa(
                    "test",
                    "nlu",
                    "--nlu",
                    str(work / f"{split}.yml"),
                    "--model",
                    str(model),
                    "--out",
                    str(out),
                )
                results[f"{name} / {split}"] = scores(out)
    print(
        json.dumps(
            {"test_messages": len(accented), "results": results}, indent=2, ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
