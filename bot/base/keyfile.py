"""Secret files of one installation (the reporter key, Rasa's token, the action secret).

Created once, atomically and readable by their owner only from the first byte: the secret
is written to a private temporary file (mode 0600 at ``open``), flushed to disk, then linked
to its name, which fails if another process was first, in which case its secret is used.
A reader never sees a half-written or world-readable file. Standard library only: the
leaves are imported by Rasa's environment too.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def read_or_create(path: Path, size: int = 32) -> bytes:
    """The secret in ``path``, made of ``size`` random bytes if there is none yet."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    if data:
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(size))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:  # another process made it first: use theirs,
            if not path.read_bytes():  # unless it is an empty left-over of a crash
                os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _sync_dir(path.parent)
    return path.read_bytes()


def read_or_create_token(path: Path) -> str:
    """A URL-safe text token kept in ``path`` (created as in :func:`read_or_create`)."""
    return read_or_create(path).hex()


def _sync_dir(folder: Path) -> None:
    """Make the new name durable (a crash right after must not lose the key)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
