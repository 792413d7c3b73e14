"""Channel access tokens kept in the database, so a refreshed pair survives restarts.

Zalo's refresh token is single-use: the new pair is committed before it is ever used, and
replaces the pair from the environment from then on. A refresh token the channel refused
is marked (``refuse``) and never posted again: only a new pair put in the environment (one
the database was not seeded from before) replaces it, when the gateway starts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.base.clock import iso, now
from bot.storage.store import Store


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime | None  # None: unknown (the first pair, from the environment)
    refused: str | None = None  # why the channel refused this refresh token, if it did


def _hash(refresh_token: str) -> str:
    """Which environment pair seeded the row, without keeping a second copy of it."""
    return hashlib.sha256(refresh_token.encode()).hexdigest()


def load(store: Store, channel: str) -> TokenPair | None:
    return _load(store, channel)[0]


def _load(store: Store, channel: str) -> tuple[TokenPair | None, str | None]:
    """The stored pair and the hash of the environment pair it was seeded from."""
    row = store.db.execute(
        "SELECT access_token, refresh_token, expires_at, refused_error, seed_hash"
        " FROM channel_tokens WHERE channel = ?",
        [channel],
    ).fetchone()
    if row is None:
        return None, None
    expires = datetime.fromisoformat(row[2]) if row[2] else None
    return TokenPair(row[0], row[1] or "", expires, row[3]), row[4]


def save(store: Store, channel: str, pair: TokenPair, durable: bool = False) -> None:
    """Store a working pair (a refusal mark is cleared); ``durable`` syncs it to disk first
    (a refresh token is single-use)."""
    if durable:
        store.db.execute("PRAGMA synchronous = FULL")
    try:
        _write(store, channel, pair)
    finally:
        if durable:
            store.db.execute("PRAGMA synchronous = NORMAL")


def _write(store: Store, channel: str, pair: TokenPair, seed_hash: str | None = None) -> None:
    with store.transaction() as db:
        db.execute(
            "INSERT INTO channel_tokens (channel, access_token, refresh_token, expires_at,"
            " updated_at, seed_hash) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel) DO UPDATE"
            " SET access_token = excluded.access_token, refresh_token = excluded.refresh_token,"
            " expires_at = excluded.expires_at, updated_at = excluded.updated_at,"
            " seed_hash = COALESCE(excluded.seed_hash, seed_hash),"
            " refused_at = NULL, refused_error = NULL",
            [
                channel,
                pair.access_token,
                pair.refresh_token,
                iso(pair.expires_at) if pair.expires_at else None,
                iso(now()),
                seed_hash,
            ],
        )


def refuse(store: Store, channel: str, refresh_token: str, error: str) -> None:
    """The channel refused ``refresh_token``: mark the stored pair (if it still holds that
    token), so it is not posted again, by this process or after a restart."""
    with store.transaction() as db:
        db.execute(
            "UPDATE channel_tokens SET refused_at = ?, refused_error = ?"
            " WHERE channel = ? AND refresh_token = ?",
            [iso(now()), error[:300], channel, refresh_token],
        )


def seed(store: Store, channel: str, access_token: str, refresh_token: str) -> TokenPair | None:
    """The stored pair, or the environment's pair when there is none or when it is new.

    New means other than the pair the row was first seeded from: an operator who
    re-authorised the OA puts the new pair in the environment and restarts; the same old
    pair in the environment (long since refreshed, single-use) never replaces a stored one.
    """
    pair, known = _load(store, channel)
    if not access_token:
        return pair
    seeded = _hash(refresh_token or access_token)
    if pair is None:
        fresh = TokenPair(access_token, refresh_token, None)
        _write(store, channel, fresh, seeded)
        return fresh
    if known is None:  # a row from before seed hashes: the environment is the old pair
        with store.transaction() as db:
            db.execute(
                "UPDATE channel_tokens SET seed_hash = ? WHERE channel = ?", [seeded, channel]
            )
        return pair
    if known != seeded and refresh_token != pair.refresh_token:
        fresh = TokenPair(access_token, refresh_token, None)
        _write(store, channel, fresh, seeded)
        return fresh
    return pair
