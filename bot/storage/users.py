"""Desk accounts and their server-side sessions (the tables; hashing is the services').

A session is known by the SHA-256 of its token: the cookie's value is never stored, so a
copy of the database does not let anyone sign in as an operator.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlite_utils


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE desk_users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,               -- operator | supervisor
            password_hash TEXT NOT NULL,      -- argon2id, with its parameters and salt
            disabled_at TEXT,
            failures INTEGER NOT NULL DEFAULT 0,   -- wrong passwords in a row
            locked_until TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT,
            password_changed_at TEXT,
            last_signin_at TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE desk_sessions (
            token_hash TEXT PRIMARY KEY,      -- sha256 of the cookie's token
            name TEXT NOT NULL REFERENCES desk_users(name),
            csrf TEXT NOT NULL,               -- sent back in X-CSRF-Token on every change
            created_at TEXT NOT NULL,
            seen_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX desk_sessions_name ON desk_sessions (name)")


MIGRATIONS = (("users-1", _migration_1),)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str
    disabled_at: str | None
    failures: int
    locked_until: str | None
    created_at: str
    last_signin_at: str | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def public(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "disabled": self.disabled_at is not None,
            "locked_until": self.locked_until,
            "created_at": self.created_at,
            "last_signin_at": self.last_signin_at,
        }


@dataclass(frozen=True)
class Session:
    name: str
    role: str
    csrf: str
    created_at: str
    seen_at: str
    disabled_at: str | None


_USER = (
    "SELECT name, role, password_hash, disabled_at, failures, locked_until, created_at,"
    " last_signin_at FROM desk_users"
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get(db: sqlite_utils.Database, name: str) -> User | None:
    row = db.execute(f"{_USER} WHERE name = ?", [name]).fetchone()
    return User(*row) if row else None


def all_users(db: sqlite_utils.Database) -> list[User]:
    return [User(*row) for row in db.execute(f"{_USER} ORDER BY name").fetchall()]


def add(
    db: sqlite_utils.Database, name: str, role: str, password_hash: str, by: str, at: str
) -> bool:
    """A new account; False when the name is taken."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO desk_users (name, role, password_hash, created_at, created_by,"
        " password_changed_at) VALUES (?, ?, ?, ?, ?, ?)",
        [name, role, password_hash, at, by, at],
    )
    return cursor.rowcount > 0


def set_password(db: sqlite_utils.Database, name: str, password_hash: str, at: str) -> bool:
    """A new password also clears a lock and ends every session of the account."""
    changed = db.execute(
        "UPDATE desk_users SET password_hash = ?, password_changed_at = ?, failures = 0,"
        " locked_until = NULL WHERE name = ?",
        [password_hash, at, name],
    ).rowcount
    db.execute("DELETE FROM desk_sessions WHERE name = ?", [name])
    return changed > 0


def disable(db: sqlite_utils.Database, name: str, at: str) -> bool:
    """Disable an account and end its sessions at once; False for an unknown name."""
    changed = db.execute(
        "UPDATE desk_users SET disabled_at = coalesce(disabled_at, ?) WHERE name = ?", [at, name]
    ).rowcount
    db.execute("DELETE FROM desk_sessions WHERE name = ?", [name])
    return changed > 0


def failed(db: sqlite_utils.Database, name: str, locked_until: str | None) -> None:
    """Count a wrong password, and lock the account until ``locked_until`` when given."""
    db.execute(
        "UPDATE desk_users SET failures = failures + 1,"
        " locked_until = coalesce(?, locked_until) WHERE name = ?",
        [locked_until, name],
    )


def signed_in(db: sqlite_utils.Database, name: str, password_hash: str | None, at: str) -> None:
    """A correct password: failures forgotten; the hash upgraded when its parameters aged."""
    db.execute(
        "UPDATE desk_users SET failures = 0, locked_until = NULL, last_signin_at = ?,"
        " password_hash = coalesce(?, password_hash) WHERE name = ?",
        [at, password_hash, name],
    )


def open_session(db: sqlite_utils.Database, token: str, name: str, csrf: str, at: str) -> None:
    db.execute(
        "INSERT INTO desk_sessions (token_hash, name, csrf, created_at, seen_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [token_hash(token), name, csrf, at, at],
    )


def session(db: sqlite_utils.Database, token: str) -> Session | None:
    """The session behind a cookie's token, with its account's role and state."""
    row = db.execute(
        "SELECT s.name, u.role, s.csrf, s.created_at, s.seen_at, u.disabled_at"
        " FROM desk_sessions s JOIN desk_users u ON u.name = s.name WHERE s.token_hash = ?",
        [token_hash(token)],
    ).fetchone()
    return Session(*row) if row else None


def touch(db: sqlite_utils.Database, token: str, at: str) -> None:
    db.execute("UPDATE desk_sessions SET seen_at = ? WHERE token_hash = ?", [at, token_hash(token)])


def end_session(db: sqlite_utils.Database, token: str) -> bool:
    return (
        db.execute("DELETE FROM desk_sessions WHERE token_hash = ?", [token_hash(token)]).rowcount
        > 0
    )


def end_stale_sessions(db: sqlite_utils.Database, seen_before: str, created_before: str) -> int:
    """Forget sessions that can no longer be used (idle or too old)."""
    return db.execute(
        "DELETE FROM desk_sessions WHERE seen_at < ? OR created_at < ?",
        [seen_before, created_before],
    ).rowcount
