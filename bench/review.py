"""Supervisor commands at Huế's scale (issue 7's figures).

    .venv/bin/python bench/review.py [--reports 183000] [--calls 40000] [--json]

Loads 183,000 synthetic reports (bench/reports_data.py) and 40,000 synthetic hotline calls
(six segments each, a draft for each reported incident, 3% still waiting for review), then
times ``review queue``, ``reports list`` and ``stats``: in-process through typer's runner
(the command's own work) and as whole processes (what a supervisor waits for, Python's
start-up included).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import summary  # noqa: E402
from bench.reports_data import CATEGORY_WEIGHTS, DESCRIPTIONS, generate  # noqa: E402
from bot.base.clock import iso, now  # noqa: E402
from bot.domain import gazetteer  # noqa: E402
from bot.storage.store import Store

HUE_ASSIST = str(Path(sys.executable).parent / "hue-assist")
COMMANDS = {
    "review queue": ["review", "queue"],
    "reports list": ["reports", "list"],
    "reports list --overdue": ["reports", "list", "--overdue"],
    "stats": ["stats"],
}


def load_calls(store: Store, n: int, seed: int = 5) -> None:
    """``n`` calls over three years, written in the voice tables' shape in one transaction."""
    rng = random.Random(seed)
    end = now()
    codes = list(CATEGORY_WEIGHTS)
    calls, segments, raws, drafts = [], [], [], []
    for i in range(n):
        received = end - timedelta(days=365 * 3 * rng.random())
        call_id = f"C-{i:012x}"
        incident = rng.random() < 0.6
        pending = rng.random() < 0.03
        code = rng.choices(codes, list(CATEGORY_WEIGHTS.values()))[0]
        draft_id = f"D-{i + 1}" if incident else None
        calls.append((call_id, f"{i:064x}", iso(received), iso(received), rng.uniform(20, 400),
                      "pending" if pending else "reviewed",
                      "report_incident" if incident else "ask_info", rng.uniform(0.2, 0.99),
                      DESCRIPTIONS[code], draft_id, "vi", "tiny.en", 2))  # fmt: skip
        for idx in range(6):
            role = "caller" if idx % 2 == 0 else "agent"
            text = DESCRIPTIONS[code] if role == "caller" else "Dạ, tổng đài ghi nhận ạ."
            segments.append((call_id, idx, "left" if role == "caller" else "right", role,
                             idx * 6.0, idx * 6.0 + 5.0, text, rng.uniform(0.2, 0.99), "[]"))  # fmt: skip
            raws.append((call_id, idx, text))
        if incident:
            drafts.append((i + 1, draft_id, call_id, "draft" if pending else "filed", code,
                           "12 Lê Lợi", rng.choice(gazetteer.WARDS), DESCRIPTIONS[code], "[]",
                           iso(received), iso(received)))  # fmt: skip
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO calls (call_id, audio_sha256, received_at, processed_at, duration, "
            "status, intent, confidence, summary, draft_report_id, language, model, channels) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            calls,
        )
        db.conn.executemany(
            'INSERT INTO call_segments (call_id, idx, channel, role, start, "end", '
            "text_redacted, confidence, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            segments,
        )
        db.conn.executemany("INSERT INTO call_segments_raw VALUES (?, ?, ?)", raws)
        db.conn.executemany(
            "INSERT INTO draft_reports (id, draft_id, call_id, state, category, location, ward, "
            "description, missing, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            drafts,
        )


def in_process(home: Path, args: list[str], runs: int = 20) -> dict[str, float]:
    from typer.testing import CliRunner

    from bot.cli import app

    runner = CliRunner()
    env = {"HUE_ASSIST_HOME": str(home)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = runner.invoke(app, args, env=env)
        times.append((time.perf_counter() - start) * 1000)
        assert result.exit_code == 0, result.output
    return summary(times)


def whole_process(home: Path, args: list[str], runs: int = 5) -> dict[str, float]:
    env = {**os.environ, "HUE_ASSIST_HOME": str(home)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([HUE_ASSIST, *args], env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return summary(times)


def startup_floor(runs: int = 5) -> dict[str, float]:
    """Python starting and importing what ``reports list`` imports, nothing run."""
    code = "import sys; sys.modules['numpy'] = None; from bot.cli import build; build('reports')"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return summary(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=183_000)
    parser.add_argument("--calls", type=int, default=40_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        with Store(home / "hue-assist.db") as store:
            start = time.perf_counter()
            store.import_reports(generate(args.reports))
            load_calls(store, args.calls)
            results["load_s"] = round(time.perf_counter() - start, 1)
            results["pending_calls"] = store.db.execute(
                "SELECT count(*) FROM calls WHERE status = 'pending'"
            ).fetchone()[0]
        results["startup_floor"] = startup_floor()
        for name, command in COMMANDS.items():
            results[name] = {
                "in_process": in_process(home, command),
                "whole_process": whole_process(home, command),
            }
    print(json.dumps(results, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
