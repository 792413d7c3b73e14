"""Desk accounts: names, roles, what a password must be, lock-out and session lifetimes.

Rules only; hashing is ``bot.services.accounts`` (argon2), the tables ``bot.storage.users``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.domain.handover import ROLES

NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD = 10  # NIST SP 800-63B asks for at least 8; a shared office asks a little more
MAX_PASSWORD = 256  # argon2 takes any length; a limit keeps a megabyte "password" out
MAX_FAILURES = 5  # consecutive wrong passwords before the account is locked …
LOCK_FOR = timedelta(minutes=15)  # … for this long (a correct password does not unlock it)
FAILURE_DELAY_S = 0.5  # every wrong password answers this much later: guessing is slow
SESSION_IDLE = timedelta(minutes=30)  # no request for this long ends a session
SESSION_MAX = timedelta(hours=12)  # a shift; then sign in again
TOUCH_EVERY = timedelta(minutes=1)  # a session's last use is written at most this often


class AccountError(ValueError):
    """A name, role or password the rules refuse, with the reason."""


def check_name(name: str) -> str:
    """The account name as stored (lower case), or ``AccountError``."""
    name = (name or "").strip().lower()
    if not NAME_RE.fullmatch(name):
        raise AccountError("a name is 2-64 of a-z 0-9 . _ - (starting with a letter or digit)")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    return role


def check_password(password: str, name: str = "") -> str:
    """A password the desk accepts: long enough, not the account's own name."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")
    if name and name.lower() in password.lower():
        raise AccountError("a password must not contain the account name")
    return password


def locked(locked_until: str | None, at: datetime) -> bool:
    """True while a lock set after too many failures lasts."""
    return bool(locked_until) and datetime.fromisoformat(locked_until) > at  # type: ignore[arg-type]


def session_alive(created_at: str, seen_at: str, at: datetime) -> bool:
    """A session lives while used within ``SESSION_IDLE`` and for at most ``SESSION_MAX``."""
    created = datetime.fromisoformat(created_at)
    seen = datetime.fromisoformat(seen_at)
    return at - seen < SESSION_IDLE and at - created < SESSION_MAX
