"""A YAML configuration file named by an argument, else an environment variable, else the
shipped sample: read and parsed once, again only when the file changes.

Routing, office hours and retention are each one such file; what differs is the parser and
the error raised, which name the file and the reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")
Parse = Callable[[Any, str], T]


def chosen(path: Path | str | None, variable: str, default: Path) -> Path:
    """``path``, else the file ``variable`` names, else ``default``."""
    return Path(path or os.environ.get(variable) or default)


def load(
    path: Path | str | None,
    variable: str,
    default: Path,
    parse: Parse[T],
    error: type[Exception],
) -> T:
    """``parse(data, path)`` of the chosen file, cached until its modification time changes;
    ``error("FILE: why")`` when it cannot be read or is not YAML."""
    file = chosen(path, variable, default)
    try:
        mtime = file.stat().st_mtime
    except OSError as failure:
        raise error(f"{file}: {failure.strerror}") from None
    return _parsed(str(file), mtime, parse, error)


@lru_cache(maxsize=16)
def _parsed(path: str, mtime: float, parse: Parse[T], error: type[Exception]) -> T:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as failure:
        raise error(f"{path}: {failure}") from None
    return parse(data, path)
