"""Redaction: recall of personal numbers and e-mails, false positives on ordinary text.

Reads ``bench/data/redact/{dev,probe}.jsonl`` (written before the rules, for evaluation only:
``bench/data/redact/README.md``) and scores, in the same run, the redactor of this tree and
the baseline: ``bot/domain/redact.py`` as it was at ``BASELINE`` (taken from git).

A personal substring counts as caught when every letter and digit of it is gone from the
output (placeholders are set aside before comparing; both sides are NFKC-normalised so that
a full-width digit left in place still counts as left). An ordinary line is a false positive
when any placeholder appears in it.

    .venv/bin/python bench/redact.py [--split dev|probe|all] [--misses] [--json]
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.base.text import clean  # noqa: E402
from bot.domain import redact as current  # noqa: E402

DATA = ROOT / "bench" / "data" / "redact"
BASELINE = "a9251a9"  # the redactor before issue 15
PLACEHOLDER = re.compile(r"\[(?:SĐT|CCCD|CMND|EMAIL|STK)\]")
HIDDEN_MARK = "\ue000"


def load_baseline() -> Callable[[str], str] | None:
    """The baseline redactor's ``redact_text``, or None outside a git checkout."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BASELINE}:bot/domain/redact.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "baseline_redact.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_redact", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_redact"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.redact_text


def normalised(text: str) -> tuple[str, list[int]]:
    """NFKC per character, with the index in ``text`` of every output character."""
    out, index = [], []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch)
        out.append(norm)
        index.extend([i] * len(norm))
    return "".join(out), index


def kept_positions(text: str, output: str) -> set[int]:
    """Positions of ``text`` whose character survives in ``output``."""
    source, index = normalised(text)
    target = PLACEHOLDER.sub(HIDDEN_MARK, unicodedata.normalize("NFKC", output))
    matcher = difflib.SequenceMatcher(None, source, target, autojunk=False)
    kept: set[int] = set()
    for block in matcher.get_matching_blocks():
        kept.update(index[block.a + k] for k in range(block.size))
    return kept


def anchored_kept(text: str, output: str) -> set[int] | None:
    """Positions of ``text`` kept in ``output``, reading the output as the text with some
    stretches replaced by placeholders (the first piece a prefix, the last a suffix, the
    others in order); None when it cannot be read so."""
    pieces = PLACEHOLDER.split(output)
    if len(pieces) == 1:
        return set(range(len(text))) if output == text else None
    first, last = pieces[0], pieces[-1]
    if not text.startswith(first) or not text.endswith(last):
        return None
    kept = set(range(len(first))) | set(range(len(text) - len(last), len(text)))
    pos = len(first) + 1
    for piece in pieces[1:-1]:
        at = text.find(piece, pos)
        if at < 0:
            return None
        kept.update(range(at, at + len(piece)))
        pos = at + len(piece) + 1
    return kept


def caught(text: str, output: str, item: str) -> bool:
    text, item = clean(text), clean(item)
    kept = anchored_kept(text, output)
    if kept is None:
        kept = kept_positions(text, output)
    start = text.index(item)
    return not any(
        (start + k) in kept
        for k, ch in enumerate(item)
        if unicodedata.normalize("NFKC", ch).isalnum()
    )


def score(rows: list[dict], redact_text: Callable[[str], str]) -> dict:
    per_kind: Counter[str] = Counter()
    per_kind_caught: Counter[str] = Counter()
    misses: list[dict] = []
    false_alarms: list[dict] = []
    items = caught_items = ordinary = flagged = 0
    elapsed = 0.0
    for row in rows:
        started = time.perf_counter()
        output = redact_text(row["text"])
        elapsed += time.perf_counter() - started
        if row["label"] == "ordinary":
            ordinary += 1
            if PLACEHOLDER.search(output):
                flagged += 1
                false_alarms.append({"text": row["text"], "out": output})
            continue
        for item in row["pii"]:
            items += 1
            per_kind[row["kind"]] += 1
            if caught(row["text"], output, item):
                caught_items += 1
                per_kind_caught[row["kind"]] += 1
            else:
                misses.append({"text": row["text"], "out": output, "style": row["style"]})
    return {
        "personal_items": items,
        "recall": round(caught_items / items, 4) if items else None,
        "ordinary_lines": ordinary,
        "false_positive_rate": round(flagged / ordinary, 4) if ordinary else None,
        "recall_by_kind": {
            k: round(per_kind_caught[k] / n, 3) for k, n in sorted(per_kind.items())
        },
        "us_per_line": round(elapsed / len(rows) * 1e6, 1),
        "misses": misses,
        "false_alarms": false_alarms,
    }


def rows_of(split: str) -> list[dict]:
    names = ["dev", "probe"] if split == "all" else [split]
    rows = []
    for name in names:
        with (DATA / f"{name}.jsonl").open(encoding="utf-8") as lines:
            rows += [json.loads(line) for line in lines if line.strip()]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "probe", "all"], default="all")
    parser.add_argument("--misses", action="store_true", help="print misses and false alarms")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    redactors: dict[str, Callable[[str], str]] = {"current": current.redact_text}
    baseline = load_baseline()
    if baseline is not None:
        redactors[f"baseline ({BASELINE})"] = baseline
    report = {}
    for split in ["dev", "probe", "all"] if args.split == "all" else [args.split]:
        rows = rows_of(split)
        report[split] = {name: score(rows, fn) for name, fn in redactors.items()}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    for split, results in report.items():
        for name, result in results.items():
            print(
                f"{split:5} {name:20} recall {result['recall']:.4f} of {result['personal_items']}"
                f"  false positives {result['false_positive_rate']:.4f} of"
                f" {result['ordinary_lines']}  {result['us_per_line']} µs/line"
            )
            print(f"      by kind {result['recall_by_kind']}")
    if args.misses:
        shown = report.get("dev") or next(iter(report.values()))
        for miss in shown["current"]["misses"]:
            print("MISS", miss["style"], "|", miss["text"], "→", miss["out"])
        for alarm in shown["current"]["false_alarms"]:
            print("FALSE", "|", alarm["text"], "→", alarm["out"])


if __name__ == "__main__":
    main()
