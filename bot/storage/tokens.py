"""Channel access tokens kept in the database, so a refreshed pair survives restarts.

Zalo's refresh token is single-use: the new pair is committed before it is ever used, and
replaces the pair from the environment from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.base.clock import iso, now
from bot.storage.store import Store


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime | None  # None: unknown (the first pair, from the environment)


def load(store: Store, channel: str) -> TokenPair | None:
    row = store.db.execute(
        "SELECT access_token, refresh_token, expires_at FROM channel_tokens WHERE channel = ?",
        [channel],
    ).fetchone()
    if row is None:
        return None
    expires = datetime.fromisoformat(row[2]) if row[2] else None
    return TokenPair(row[0], row[1] or "", expires)


def save(store: Store, channel: str, pair: TokenPair, durable: bool = False) -> None:
    """Store the pair; ``durable`` syncs it to disk first (a refresh token is single-use)."""
    if durable:
        store.db.execute("PRAGMA synchronous = FULL")
    try:
        _write(store, channel, pair)
    finally:
        if durable:
            store.db.execute("PRAGMA synchronous = NORMAL")


def _write(store: Store, channel: str, pair: TokenPair) -> None:
    with store.transaction() as db:
        db.execute(
            "INSERT INTO channel_tokens (channel, access_token, refresh_token, expires_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel) DO UPDATE SET"
            " access_token = excluded.access_token, refresh_token = excluded.refresh_token,"
            " expires_at = excluded.expires_at, updated_at = excluded.updated_at",
            [
                channel,
                pair.access_token,
                pair.refresh_token,
                iso(pair.expires_at) if pair.expires_at else None,
                iso(now()),
            ],
        )


def seed(store: Store, channel: str, access_token: str, refresh_token: str) -> TokenPair | None:
    """The stored pair, or the environment's first pair (stored now) when there is none."""
    pair = load(store, channel)
    if pair is None and access_token:
        pair = TokenPair(access_token, refresh_token, None)
        save(store, channel, pair)
    return pair
