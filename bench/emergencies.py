"""Emergency detection: recall and precision on a hand-written set, against plain keywords.

``bench/data/emergencies.jsonl`` was written by hand for evaluation only (never mined for
the detector's phrase lists; see ``bench/data/EMERGENCIES.md``). The baseline is what a
keyword filter would do: any folded danger word ("chay", "cuu", "tai nan", "fire"…) alerts.

    .venv/bin/python bench/emergencies.py [--misses] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.base.text import fold_words  # noqa: E402
from bot.domain.emergency import detect  # noqa: E402

DATA = ROOT / "bench" / "data" / "emergencies.jsonl"
KEYWORDS = re.compile(
    r"\b(?:chay|lua|khoi|no|gas|dien giat|tai nan|mau|ngat|bat tinh|duoi|chim|ket|sap|"
    r"sat lo|danh|dam|chem|cuop|trom|dao|sung|cuu|cap cuu|fire|smoke|gas|explosion|"
    r"injured|bleeding|unconscious|drown\w*|trapped|stuck|collapsed|attack\w*|knife|gun|"
    r"rob\w*|help)\b"
)


def keyword_baseline(text: str) -> bool:
    return bool(KEYWORDS.search(" ".join(fold_words(text))))


def score(rows: list[dict], predict) -> dict:
    tp = fp = fn = tn = 0
    for row in rows:
        got = predict(row["text"])
        if row["emergency"]:
            tp, fn = (tp + 1, fn) if got else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if got else (fp, tn + 1)
    recall = tp / (tp + fn) if tp + fn else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    return {
        "recall": round(recall, 3),
        "precision": round(precision, 3),
        "false_alarm_rate": round(fp / (fp + tn), 3) if fp + tn else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print missed and false alerts")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]

    times: list[float] = []

    def ours(text: str) -> bool:
        started = time.perf_counter()
        alert = detect(text)
        times.append((time.perf_counter() - started) * 1000)
        return alert is not None

    result = {
        "n": len(rows),
        "emergencies": sum(r["emergency"] for r in rows),
        "ours": score(rows, ours),
        "keywords": score(rows, keyword_baseline),
        "by_style": {},
    }
    for style in sorted({r["style"] for r in rows}):
        subset = [r for r in rows if r["style"] == style]
        result["by_style"][style] = score(subset, lambda t: detect(t) is not None)
    # The first number said must be the one the label asks for.
    right_number = Counter()
    for row in rows:
        if row["emergency"] and (alert := detect(row["text"])):
            right_number[alert.numbers[0] == row["number"]] += 1
    detected = sum(right_number.values())
    result["first_number_right"] = round(right_number[True] / detected, 3) if detected else 0.0
    result["number_named_at_all"] = round(
        sum(
            1
            for r in rows
            if r["emergency"] and (a := detect(r["text"])) and r["number"] in a.numbers
        )
        / max(detected, 1),
        3,
    )
    result["ms_per_message"] = {
        "p50": round(statistics.median(times), 3),
        "p95": round(sorted(times)[int(len(times) * 0.95)], 3),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"{result['n']} messages, {result['emergencies']} emergencies")
        for name in ("ours", "keywords"):
            s = result[name]
            print(
                f"{name:9} recall {s['recall']:.3f}  precision {s['precision']:.3f}  "
                f"false alarms {s['false_alarm_rate']:.3f}  (fn {s['fn']}, fp {s['fp']})"
            )
        for style, s in result["by_style"].items():
            print(f"  {style:11} recall {s['recall']:.3f}  precision {s['precision']:.3f}")
        print(
            f"first number right {result['first_number_right']:.3f}; right number among "
            f"those said {result['number_named_at_all']:.3f}; {result['ms_per_message']} ms"
        )
    if args.misses:
        for row in rows:
            alert = detect(row["text"])
            if row["emergency"] and not alert:
                print("MISS", row["kind"], "|", row["text"])
            elif not row["emergency"] and alert:
                print("FALSE", alert.kind, alert.cue, "|", row["text"])
            elif alert and row["emergency"] and alert.numbers[0] != row["number"]:
                print("NUMBER", row["number"], alert.numbers, alert.kind, "|", row["text"])


if __name__ == "__main__":
    main()
