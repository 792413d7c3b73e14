"""The desk's guard: the session cookie, the CSRF token, JSON bodies and error answers.

The cookie holds a random token (its hash is the server-side session's key), ``HttpOnly``
(no script reads it), ``SameSite=Strict`` (no other site's page sends it), ``Path=/desk`` and
``Secure`` when the desk is reached over https. Every change also carries the session's CSRF
token in ``X-CSRF-Token`` and a JSON body (which a form on another site cannot send).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from bot.storage.users import Session

COOKIE = "hue_desk"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 64 * 1024
NO_STORE = {"Cache-Control": "no-store"}


class DeskProblem(Exception):
    """An answer other than 200: ``status``, a machine ``code`` the page words, details."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def response(self) -> JSONResponse:
        body = {"error": self.message, "code": self.code, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=NO_STORE)


def answer(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def token_of(request: Request) -> str:
    return request.cookies.get(COOKIE, "")


def check_csrf(request: Request, session: Session) -> None:
    """A change must carry the session's own CSRF token (compared in constant time)."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise DeskProblem(403, "csrf", "missing or wrong X-CSRF-Token")


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (415 unless JSON, 413 over 64 KB, 400 when unreadable)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise DeskProblem(415, "bad_content_type", "Content-Type must be application/json")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise DeskProblem(413, "body_too_large", f"body over {MAX_BODY} bytes")
    try:
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY:
                raise DeskProblem(413, "body_too_large", f"body over {MAX_BODY} bytes")
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, ClientDisconnect):
        raise DeskProblem(400, "bad_json", "the body is not a JSON object") from None
    if not isinstance(data, dict):
        raise DeskProblem(400, "bad_json", "the body is not a JSON object")
    return data


def field(data: dict[str, Any], name: str, *, required: bool = True, limit: int = 4000) -> str:
    """A string field of a request (400 when missing, not a string or too long)."""
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise DeskProblem(400, "bad_field", f"{name}: a non-empty string is needed", field=name)
    if len(value) > limit:
        raise DeskProblem(400, "bad_field", f"{name}: over {limit} characters", field=name)
    return value


def https(request: Request, public_url: str) -> bool:
    """Whether the desk is reached over https (directly, behind a proxy, or by its URL)."""
    return (
        request.url.scheme == "https"
        or request.headers.get("x-forwarded-proto", "").lower() == "https"
        or public_url.startswith("https://")
    )


def set_session(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/desk"
    )


def clear_session(response: Response, secure: bool) -> None:
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=secure, path="/desk")
