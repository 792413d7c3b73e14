"""One SQLite database (WAL, busy timeout, foreign keys), its migrations, and transactions.

Shared by the action server, the gateway and the CLI. Every write runs in one
``BEGIN IMMEDIATE`` transaction, so a change and its history row are written together or
not at all, and concurrent writers queue instead of failing.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from bot.base.keyfile import read_or_create
from bot.storage import schema


def pseudonym(secret: bytes, sender_id: str) -> str:
    """A keyed hash of ``channel:user_id``: recognises a citizen without storing who they are."""
    return hmac.new(secret, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


class Connection:
    """An open database file with every migration applied."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._key: bytes | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = ON")
        self.db = sqlite_utils.Database(conn)
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        self._migrate()

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One immediate (write-locking) transaction; rolled back on any error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        schema.migrate(self.db, self.transaction)

    def _secret(self) -> bytes:
        """The key for reporter pseudonyms, created once beside the database (atomically,
        0600 from its first byte: see ``bot.base.keyfile``)."""
        if self._key is None:
            self._key = read_or_create(self.path.parent / "reporter.key")
        return self._key

    def reporter_for(self, sender_id: str) -> str:
        return pseudonym(self._secret(), sender_id)
