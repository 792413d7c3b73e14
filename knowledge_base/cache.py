"""Embeddings kept in SQLite, keyed by model name and content hash.

Embedding every passage takes seconds on a laptop CPU; with the cache a restart or a
``kb reindex`` only embeds passages whose text changed. Keys include the model name, so
switching ``EMBEDDING_MODEL`` never reuses another model's vectors.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sqlite_utils

TABLE = "embeddings"
_BATCH = 500


def content_hash(text: str) -> str:
    """A stable key for a passage's exact text (prefixes included by the caller)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors stored as float32 blobs in ``path`` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        self._db = sqlite_utils.Database(conn)
        if self._db.journal_mode != "wal":
            self._db.enable_wal()
        if TABLE not in self._db.table_names():
            self._db[TABLE].create(
                {"model": str, "hash": str, "dim": int, "vector": bytes, "created": str},
                pk=("model", "hash"),
                if_not_exists=True,
            )

    def get(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``hashes`` for ``model``."""
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(wanted), _BATCH):
                chunk = wanted[start : start + _BATCH]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"select hash, vector from {TABLE} where model = ? and hash in ({marks})",
                    [model, *chunk],
                ).fetchall()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Store new vectors for ``model`` (an existing key is replaced)."""
        if not vectors:
            return
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            {
                "model": model,
                "hash": key,
                "dim": int(vector.shape[0]),
                "vector": np.asarray(vector, dtype=np.float32).tobytes(),
                "created": now,
            }
            for key, vector in vectors.items()
        ]
        with self._lock, self._db.conn:
            self._db[TABLE].upsert_all(rows, pk=("model", "hash"))

    def count(self, model: str | None = None) -> int:
        """How many vectors are stored (for one model, or all)."""
        with self._lock:
            if model is None:
                return self._db[TABLE].count
            return self._db.execute(
                f"select count(*) from {TABLE} where model = ?", [model]
            ).fetchone()[0]

    def close(self) -> None:
        self._db.close()
