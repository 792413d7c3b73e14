"""Training the Rasa model only when its inputs changed (a hash stamp beside the model)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from bot.base.settings import project_root

MODEL_NAME = "hue-assist"
INPUTS = ("config.yml", "domain.yml", "nlu_data", "nlu_components", "bot/base/text.py")


def inputs_hash(root: Path) -> str:
    """SHA-256 over every training input's path and bytes."""
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix == ".pyc" or "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def model_path(root: Path) -> Path:
    return root / "models" / f"{MODEL_NAME}.tar.gz"


def is_current(root: Path) -> bool:
    stamp = root / "models" / f"{MODEL_NAME}.hash"
    return model_path(root).exists() and stamp.exists() and stamp.read_text() == inputs_hash(root)


def rasa_env(root: Path) -> dict[str, str]:
    """Environment for Rasa subprocesses: our components importable, no telemetry, offline."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


@contextlib.contextmanager
def _training_lock(root: Path) -> Iterator[None]:
    """One training at a time per checkout (test sessions and `up` may start together)."""
    (root / "models").mkdir(exist_ok=True)
    with open(root / "models" / ".train.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def train(rasa_bin: Path, force: bool = False) -> tuple[bool, Path]:
    """Train if the inputs changed (or ``force``); returns (trained, model path).

    The new model is written under a temporary name and renamed into place, so a Rasa
    server starting meanwhile never reads a half-written archive.
    """
    root = project_root()
    if not force and is_current(root):
        return False, model_path(root)
    if not rasa_bin.exists():
        raise FileNotFoundError(f"{rasa_bin} not found: run `make setup` first")
    with _training_lock(root):
        if not force and is_current(root):
            return False, model_path(root)  # another process trained it while we waited
        digest = inputs_hash(root)
        partial = f"{MODEL_NAME}-partial-{os.getpid()}"  # no dot: Rasa would drop the rest
        subprocess.run(
            [
                str(rasa_bin),
                "train",
                "--data",
                "nlu_data",
                "--config",
                "config.yml",
                "--domain",
                "domain.yml",
                "--out",
                "models",
                "--fixed-model-name",
                partial,
            ],
            cwd=root,
            env=rasa_env(root),
            check=True,
        )
        os.replace(root / "models" / f"{partial}.tar.gz", model_path(root))
        (root / "models" / f"{MODEL_NAME}.hash").write_text(digest)
    return True, model_path(root)
