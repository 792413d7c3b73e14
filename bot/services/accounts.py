"""Desk accounts: passwords hashed with argon2id, sign-in with lock-out, server-side sessions.

Used by ``hue-assist users`` (accounts) and the gateway's desk (sign-in, sessions). Every
function takes the store, so the gateway runs them on its desk threads and the CLI directly.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.base.clock import iso, now
from bot.domain import accounts
from bot.domain.accounts import AccountError
from bot.storage import audit, users
from bot.storage.store import Store

log = logging.getLogger("hue_assist.services.accounts")

# argon2id with OWASP's recommended minimum (19 MiB, t=2, p=1): about 30 ms of one core per
# check here. argon2-cffi's defaults (64 MiB, t=3, p=4) took 190-330 ms of both cores of this
# 2-core machine, which Rasa shares: 20 operators signing in at the start of a shift held up
# citizens' replies by seconds, and every guess at the unauthenticated sign-in cost that much.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Checked when the name is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_hex(16))

__all__ = ["AccountError", "SignIn", "add", "authenticate", "disable", "passwd"]


@dataclass(frozen=True)
class SignIn:
    """A sign-in's outcome: ``session`` (the cookie's token) and ``csrf`` when it succeeded;
    ``why`` (wrong, locked, disabled) when it did not."""

    name: str
    role: str | None = None
    session: str | None = None
    csrf: str | None = None
    why: str | None = None

    @property
    def ok(self) -> bool:
        return self.session is not None


def add(store: Store, name: str, role: str, password: str, *, by: str) -> users.User:
    """A new account (``AccountError`` for a bad name, role or password, or a taken name)."""
    name = accounts.check_name(name)
    accounts.check_role(role)
    accounts.check_password(password, name)
    hashed = HASHER.hash(password)
    with store.transaction() as db:
        if not users.add(db, name, role, hashed, by, iso(now())):
            raise AccountError(f"the name {name!r} is taken")
        audit.record(db, actor=by, action="user_add", subject=name, detail={"role": role})
        user = users.get(db, name)
    assert user is not None
    return user


def passwd(store: Store, name: str, password: str, *, by: str) -> None:
    """A new password for an account; its sessions end and a lock is lifted."""
    name = accounts.check_name(name)
    accounts.check_password(password, name)
    hashed = HASHER.hash(password)
    with store.transaction() as db:
        if not users.set_password(db, name, hashed, iso(now())):
            raise AccountError(f"no account {name!r}")
        audit.record(db, actor=by, action="user_passwd", subject=name)


def disable(store: Store, name: str, *, by: str) -> None:
    """Disable an account: it cannot sign in, and its open sessions end now."""
    name = accounts.check_name(name)
    with store.transaction() as db:
        if not users.disable(db, name, iso(now())):
            raise AccountError(f"no account {name!r}")
        audit.record(db, actor=by, action="user_disable", subject=name)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(store: Store, name: str, password: str, at: datetime | None = None) -> SignIn:
    """Check a password and open a session; lock the account after too many failures.

    A locked or disabled account is refused even with the right password, and a wrong name
    costs as much time as a wrong password (no way to learn which names exist).
    """
    at = at or now()
    try:
        name = accounts.check_name(name)
    except AccountError:
        name = ""
    user = users.get(store.db, name) if name else None
    if user is None:
        _verify(_DUMMY_HASH, password or "")
        _signin_failed(store, name or "?", "wrong", at)
        return SignIn(name, why="wrong")
    if not user.active:
        _signin_failed(store, name, "disabled", at)
        return SignIn(name, why="disabled")
    if accounts.locked(user.locked_until, at):
        _signin_failed(store, name, "locked", at)
        return SignIn(name, why="locked")
    if not _verify(user.password_hash, password or ""):
        return _wrong_password(store, user, at)
    rehash = HASHER.hash(password) if HASHER.check_needs_rehash(user.password_hash) else None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with store.transaction() as db:
        users.signed_in(db, name, rehash, iso(at))
        users.open_session(db, token, name, csrf, iso(at))
        audit.record(db, actor=name, action="desk_signin", detail={"role": user.role})
    log.info("desk sign-in", extra={"operator": name, "event": "signin"})
    return SignIn(name, user.role, token, csrf)


def _wrong_password(store: Store, user: users.User, at: datetime) -> SignIn:
    with store.transaction() as db:
        current = users.get(db, user.name)
        count = (current.failures if current else user.failures) + 1
        lock = iso(at + accounts.LOCK_FOR) if count >= accounts.MAX_FAILURES else None
        users.failed(db, user.name, lock)
        audit.record(
            db,
            actor=user.name,
            action="desk_signin_failed",
            detail={"why": "wrong", "count": count},
        )
    locked = count >= accounts.MAX_FAILURES
    log.warning(
        "desk sign-in refused",
        extra={
            "operator": user.name,
            "event": "signin_failed",
            "failures": count,
            "locked": locked,
        },
    )
    return SignIn(user.name, why="locked" if locked else "wrong")


def _signin_failed(store: Store, name: str, why: str, at: datetime) -> None:
    with store.transaction() as db:
        audit.record(db, actor=name, action="desk_signin_failed", detail={"why": why})
    log.warning(
        "desk sign-in refused", extra={"operator": name, "event": "signin_failed", "why": why}
    )


def session(store: Store, token: str, at: datetime | None = None) -> users.Session | None:
    """The live session behind a cookie's token, or None (unknown, idle, too old, disabled).

    Its last use is written at most once a minute: a desk polling every two seconds does
    not turn into a stream of writes."""
    if not token:
        return None
    at = at or now()
    found = users.session(store.db, token)
    if found is None:
        return None
    if found.disabled_at is not None or not accounts.session_alive(
        found.created_at, found.seen_at, at
    ):
        with store.transaction() as db:
            users.end_session(db, token)
        return None
    if at - datetime.fromisoformat(found.seen_at) >= accounts.TOUCH_EVERY:
        with store.transaction() as db:
            users.touch(db, token, iso(at))
    return found


def sign_out(store: Store, token: str, name: str) -> None:
    with store.transaction() as db:
        if users.end_session(db, token):
            audit.record(db, actor=name, action="desk_signout")
    log.info("desk sign-out", extra={"operator": name, "event": "signout"})
