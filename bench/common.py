"""Shared pieces of the benchmarks: NLU examples, percentiles, a throwaway stack."""

from __future__ import annotations

import contextlib
import re
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml

from bot.base import settings as settings_mod
from bot.services.processes import Supervisor, action_service, free_port, rasa_service

ROOT = Path(__file__).resolve().parents[1]
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain(example: str) -> str:
    """An annotated training example as the citizen typed it."""
    return ANNOTATION.sub(r"\1", example)


def nlu_examples(folder: Path = ROOT / "nlu_data" / "nlu") -> list[tuple[str, str]]:
    """(text, intent) for every training example."""
    out = []
    for path in sorted(folder.glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    out.append((plain(line[2:]), block["intent"]))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(values_ms),
        "p50_ms": round(percentile(values_ms, 50), 1),
        "p95_ms": round(percentile(values_ms, 95), 1),
        "mean_ms": round(statistics.fmean(values_ms), 1),
    }


@contextlib.contextmanager
def stack() -> Iterator[settings_mod.Settings]:
    """Rasa and the action server on free ports with an empty data folder."""
    with tempfile.TemporaryDirectory() as home:
        env = {
            "HUE_ASSIST_HOME": home,
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
        }
        settings = settings_mod.load(env)
        supervisor = Supervisor(Path(home) / "logs")
        try:
            for service in (action_service(settings), rasa_service(settings, settings.rasa_port)):
                supervisor.start(service)
                supervisor.wait_ready(service, 300)
            yield settings
        finally:
            supervisor.stop_all()
