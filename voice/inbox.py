"""Batches of recordings: which files to take, and where they go once handled.

Handled files move to ``processed/`` or ``failed/`` (with ``<name>.error.txt`` saying why)
beside them; a file is moved only after its call record is committed, so a crash mid-batch
leaves the rest in place and the next run resumes there (already-stored files are
recognised by their hash and just moved).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from voice.calls import CallProcessor, Outcome
from voice.metadata import sidecar

AUDIO_SUFFIXES = frozenset(
    ".wav .mp3 .flac .ogg .oga .opus .m4a .aac .amr .gsm .wma .webm .mp4 .3gp .au .aiff".split()
)
PROCESSED, FAILED = "processed", "failed"


def recordings(folder: Path, settle_s: float = 0.0) -> list[Path]:
    """The folder's recordings, oldest name first; files modified within ``settle_s`` seconds
    are still being written and wait for the next scan."""
    cutoff = time.time() - settle_s
    found = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix.lower() not in AUDIO_SUFFIXES:
            continue
        if settle_s and path.stat().st_mtime > cutoff:
            continue
        found.append(path)
    return found


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    n = 1
    while target.exists():
        target = folder / f"{Path(name).stem}.{n}{Path(name).suffix}"
        n += 1
    return target


def move(outcome: Outcome) -> Path:
    """Put a handled recording (and its sidecar) in processed/ or failed/; where it went."""
    path = outcome.path
    folder = path.parent / (FAILED if outcome.status == "failed" else PROCESSED)
    folder.mkdir(exist_ok=True)
    side = sidecar(path)
    target = _free_name(folder, path.name)
    shutil.move(str(path), target)
    if side is not None:
        shutil.move(str(side), _free_name(folder, target.name + ".json"))
    if outcome.status == "failed":
        note = f"{outcome.error or 'failed'}\ncall_id: {outcome.call_id}\n"
        (folder / f"{target.name}.error.txt").write_text(note, encoding="utf-8")
    return target


def process_paths(
    processor: CallProcessor,
    paths: list[Path],
    move_files: bool = False,
    stereo: bool | None = None,
) -> Iterator[Outcome]:
    """Each file's outcome in turn; one file's failure never stops the batch."""
    for path in paths:
        outcome = processor.process(path, stereo)
        if move_files and path.exists():
            move(outcome)
        yield outcome
