"""Photos and other media, stored once under ``HUE_ASSIST_HOME/media/`` by content hash.

The gateway serves them at ``/media/<name>``; reports keep that URL as ``media_url``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024
NAME_RE = re.compile(r"^[0-9a-f]{64}\.(jpg|png|gif|webp|amr|ogg|m4a|mp3|wav|bin)$")
SIGNATURES = (
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF8", "gif"),
    (b"#!AMR", "amr"),
    (b"OggS", "ogg"),
    (b"ID3", "mp3"),
)


class MediaError(ValueError):
    """Media we refuse (too big, empty), with a message fit to show."""


def kind_of(data: bytes) -> str:
    """A file extension from the content's magic bytes (never from a name we were sent)."""
    for magic, ext in SIGNATURES:
        if data.startswith(magic):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[4:8] == b"ftyp":
        return "m4a"
    return "bin"


def media_dir(home: Path) -> Path:
    return home / "media"


def save(home: Path, data: bytes) -> str:
    """Store ``data`` (atomically, once) and return its file name ``<sha256>.<ext>``."""
    if not data:
        raise MediaError("empty file")
    if len(data) > MAX_BYTES:
        raise MediaError(f"file over {MAX_BYTES // (1024 * 1024)} MB")
    name = f"{hashlib.sha256(data).hexdigest()}.{kind_of(data)}"
    folder = media_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())  # on disk before its name: a crash leaves no
        except BaseException:  # empty or torn photo under a report's media_url
            os.unlink(tmp)
            raise
        os.replace(tmp, target)
        _sync_dir(folder)
    return name


def _sync_dir(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def path_of(home: Path, name: str) -> Path | None:
    """The stored file for a served name, or None (also for any name that is not ours)."""
    if not NAME_RE.match(name):
        return None
    path = media_dir(home) / name
    return path if path.is_file() else None


def url_for(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}/media/{name}"
