"""Every area's migrations, applied in order at start-up, each once, each in one transaction.

Migrations are named (``reports-1``, ``channels-1``, ``calls-1`` …) and recorded in
``schema_migrations``, so areas add theirs independently; ``PRAGMA user_version`` holds how
many are applied, which lets the frequent "is the schema current?" check skip the write lock.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import sqlite_utils

from bot.storage import (
    audit,
    call_schema,
    channel_schema,
    conversations,
    handover_schema,
    outbox,
    reports_schema,
    review_schema,
    users,
)

Migration = tuple[str, Callable[[sqlite_utils.Database], None]]


def all_migrations() -> tuple[Migration, ...]:
    """The project's migrations in the order they apply."""
    areas: list[tuple[Migration, ...]] = [
        reports_schema.MIGRATIONS,
        outbox.MIGRATIONS,
        audit.MIGRATIONS,
        channel_schema.MIGRATIONS,
        call_schema.MIGRATIONS,
        review_schema.MIGRATIONS,  # after the voice tables it extends
        conversations.MIGRATIONS,
        handover_schema.MIGRATIONS,  # replaces reports-1's table: one row per handover
        users.MIGRATIONS,
    ]
    return tuple(migration for area in areas for migration in area)


def migrate(
    db: sqlite_utils.Database,
    transaction: Callable[[], AbstractContextManager[sqlite_utils.Database]],
) -> None:
    """Apply the migrations not applied yet; cheap (no write lock) when all are."""
    migrations = all_migrations()
    if db.execute("PRAGMA user_version").fetchone()[0] == len(migrations):
        return
    with transaction() as tx:
        tx.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, at TEXT)")
        done = {row[0] for row in tx.execute("SELECT name FROM schema_migrations")}
        if not done and tx.execute("PRAGMA user_version").fetchone()[0] >= 1:
            done.add("reports-1")  # databases from before named migrations
        for name, migration in migrations:
            if name not in done:
                migration(tx)
                tx.execute(
                    "INSERT OR IGNORE INTO schema_migrations VALUES (?, datetime('now'))", [name]
                )
        tx.execute(f"PRAGMA user_version = {len(migrations)}")


def applied(db: sqlite_utils.Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
