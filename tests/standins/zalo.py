"""A stand-in for Zalo's OA OpenAPI, template (ZNS) and OAuth servers: records what it is
sent, keeps one valid token pair (refresh tokens single-use, a refused one stays dead),
serves photos, and answers with Zalo's error codes on demand. Also signs webhook events the
way Zalo does, and builds the event a button tap sends.

Taught Zalo's behaviour (docs/channels.md, "Zalo's rules"): a consultation message to a
citizen silent for over 7 days is refused with -230 (``silent``); buttons must be one of
the documented types with a string payload for the query ones (else -201); a tap on an
``oa.query.*`` button arrives as the citizen's ``user_send_text`` carrying the payload."""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.standins.server import ThreadServer

APP_ID = "4143150811281021515"
APP_SECRET = "standin-app-secret"
OA_SECRET_KEY = "standin-oa-secret-key"


def sign(body: bytes, app_id: str, timestamp: str, key: str = OA_SECRET_KEY) -> str:
    return (
        "mac="
        + hashlib.sha256(app_id.encode() + body + timestamp.encode() + key.encode()).hexdigest()
    )


_ids = itertools.count(1)


def gateway_env(standin: ZaloStandin | str) -> dict[str, str]:
    """The gateway's Zalo settings for an OA whose API is this stand-in (its own token
    pair), or only a URL (a pair nothing will accept)."""
    if isinstance(standin, str):
        standin_url, access, refresh = standin, "access-0", "refresh-0"
    else:
        assert standin.url, "start the stand-in first"
        standin_url, (access, refresh) = standin.url, standin.first_pair
    return {
        "ZALO_APP_ID": APP_ID,
        "ZALO_APP_SECRET": APP_SECRET,
        "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ZALO_ACCESS_TOKEN": access,
        "ZALO_REFRESH_TOKEN": refresh,
        "ZALO_API_BASE": standin_url,
        "ZALO_OAUTH_BASE": standin_url,
        "ZALO_ZNS_API_BASE": standin_url,
    }


def event(user_id: str, event_name: str = "user_send_text", **message: Any) -> dict[str, Any]:
    """A Zalo webhook event (string ids, ms timestamp) with a fresh msg_id unless given."""
    message.setdefault("msg_id", f"msg{time.time_ns()}{next(_ids)}")
    return {
        "app_id": APP_ID,
        "user_id_by_app": f"app-{user_id}",
        "event_name": event_name,
        "sender": {"id": user_id},
        "recipient": {"id": "oa-579745863508352884"},
        "message": message,
        "timestamp": str(int(time.time() * 1000)),
    }


def signed(evt: dict[str, Any], key: str = OA_SECRET_KEY) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(evt, ensure_ascii=False).encode()
    header = sign(body, str(evt["app_id"]), str(evt["timestamp"]), key)
    return body, {"X-ZEvent-Signature": header, "Content-Type": "application/json"}


BUTTON_TYPES = {"oa.open.url", "oa.query.show", "oa.query.hide", "oa.open.sms", "oa.open.phone"}
WINDOW_DAYS = 7
FREE_HOURS = 48


def tap(user_id: str, button: dict[str, Any]) -> dict[str, Any]:
    """The webhook event Zalo sends when the citizen taps an ``oa.query.*`` button: their
    own text message carrying the payload (shown in their chat only for ``query.show``)."""
    assert button["type"] in ("oa.query.show", "oa.query.hide"), button
    return event(user_id, text=str(button["payload"]))


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return ((message.get("attachment") or {}).get("payload") or {}).get("buttons") or []


def shape_error(message: dict[str, Any]) -> str | None:
    """Why Zalo would refuse this consultation message's shape (-201), or None."""
    if len(str(message.get("text") or "")) > 2000:
        return "text is over 2000 characters"
    for button in buttons_of(message):
        if button.get("type") not in BUTTON_TYPES:
            return f"button type {button.get('type')!r} is invalid"
        if button["type"].startswith("oa.query.") and not isinstance(button.get("payload"), str):
            return "a query button's payload must be a string"
    return None


@dataclass
class Sent:
    user_id: str
    message: dict[str, Any]
    token: str
    at: float


def _first(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(4)}-0"


@dataclass
class ZaloStandin:
    # A pair of its own per stand-in: gateways of one test stack share a database, where a
    # pair rotated by an earlier stand-in would otherwise win over this one's (same seed).
    access_token: str = field(default_factory=lambda: _first("access"))
    refresh_token: str = field(default_factory=lambda: _first("refresh"))
    expires_in: str = "90000"
    sent: list[Sent] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # deliveries per user, cheap to poll
    on_send: Callable[[str], None] | None = None  # called with the user id after each delivery
    refused: list[dict[str, Any]] = field(default_factory=list)
    refreshes: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any] | None] = field(default_factory=list)  # next sends' answers
    refuse: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id → error answer
    silent: dict[str, float] = field(default_factory=dict)  # user id → days since they wrote
    billable: list[str] = field(default_factory=list)  # users written to 48 h–7 days after
    templates: list[dict[str, Any]] = field(default_factory=list)  # template messages sent
    template_failures: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    generation: int = 0
    server: ThreadServer | None = None

    def __post_init__(self) -> None:
        self.first_pair = (self.access_token, self.refresh_token)  # what the OA was set up with

    # -- control -----------------------------------------------------------------------

    def fail_next(self, error: int, message: str = "error", times: int = 1, after: int = 0) -> None:
        """The next ``times`` sends, after ``after`` that go through, get ``error``."""
        with self.lock:
            self.failures += [None] * after + [{"error": error, "message": message}] * times

    def refuse_user(self, user_id: str, error: int, message: str = "error") -> None:
        """Every send to this user gets ``error`` (blocked, banned, restricted…)."""
        with self.lock:
            self.refuse[user_id] = {"error": error, "message": message}

    def revoke_refresh(self) -> None:
        """The refresh token dies (expired after 3 months, or revoked): refused for ever."""
        with self.lock:
            self.refresh_token = f"revoked-{self.generation}"

    def authorise_again(self) -> tuple[str, str]:
        """A new token pair, as the OA's admin gets by authorising the app again."""
        with self.lock:
            self.generation += 1
            self.access_token = f"access-{self.generation}"
            self.refresh_token = f"refresh-{self.generation}"
            return self.access_token, self.refresh_token

    def expire_token(self) -> None:
        """The current access token stops working (Zalo then answers -216)."""
        with self.lock:
            self.access_token = f"expired-{self.generation}"

    def to(self, user_id: str) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if s.user_id == user_id]

    def texts_to(self, user_id: str) -> list[str]:
        return [s.message.get("text", "") for s in self.to(user_id)]

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    # -- API ---------------------------------------------------------------------------

    def _refusal(self, body: dict[str, Any], token: str) -> dict[str, Any] | None:
        """Zalo's error answer to this consultation message, if any (under the lock)."""
        scripted = self.failures.pop(0) if self.failures else None
        if scripted is not None:
            return scripted
        if token != self.access_token:
            return {"error": -216, "message": "Access token is invalid"}
        user_id = str(body["recipient"]["user_id"])
        if user_id in self.refuse:
            return self.refuse[user_id]
        days = self.silent.get(user_id, 0.0)
        if days > WINDOW_DAYS:
            return {"error": -230, "message": "User has not interacted with OA in 7 days"}
        wrong = shape_error(body["message"])
        if wrong:
            return {"error": -201, "message": wrong}
        if days * 24 > FREE_HOURS:
            self.billable.append(user_id)
        return None

    async def _send(self, request: Request) -> Response:
        token = request.headers.get("access_token", "")
        body = await request.json()
        with self.lock:
            answer = self._refusal(body, token)
            if answer is not None:
                self.refused.append({"body": body, "answer": answer})
                return JSONResponse(answer)
            user_id = str(body["recipient"]["user_id"])
            self.sent.append(Sent(user_id, body["message"], token, time.time()))
            self.counts[user_id] = self.counts.get(user_id, 0) + 1
            count = len(self.sent)
        if self.on_send is not None:
            self.on_send(user_id)
        return JSONResponse(
            {
                "error": 0,
                "message": "Success",
                "data": {"message_id": f"m{count}", "user_id": user_id},
            }
        )

    async def _template(self, request: Request) -> Response:
        """ZNS: a registered template with its values, to a Zalo user id."""
        token = request.headers.get("access_token", "")
        body = await request.json()
        with self.lock:
            if self.template_failures:
                return JSONResponse(self.template_failures.pop(0))
            if token != self.access_token:
                return JSONResponse({"error": -124, "message": "Access token is invalid"})
            if not body.get("template_id") or not isinstance(body.get("template_data"), dict):
                return JSONResponse({"error": -109, "message": "template id is invalid"})
            self.templates.append({**body, "token": token})
            count = len(self.templates)
        return JSONResponse(
            {"error": 0, "message": "Success", "data": {"msg_id": f"t{count}", "sent_time": "0"}}
        )

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        with self.lock:
            self.refreshes.append(
                {"form": dict(form), "secret_key": request.headers.get("secret_key")}
            )
            if (
                request.headers.get("secret_key") != APP_SECRET
                or form.get("app_id") != APP_ID
                or form.get("grant_type") != "refresh_token"
                or form.get("refresh_token") != self.refresh_token
            ):
                return JSONResponse(
                    {"error": -14014, "error_name": "Invalid refresh token", "error_reason": ""}
                )
            self.generation += 1
            self.access_token = f"access-{self.generation}"
            self.refresh_token = f"refresh-{self.generation}"  # single-use: the old one dies
            return JSONResponse(
                {
                    "access_token": self.access_token,
                    "refresh_token": self.refresh_token,
                    "expires_in": self.expires_in,
                }
            )

    async def _file(self, request: Request) -> Response:
        data = self.files.get(request.path_params["name"])
        if data is None:
            return Response(status_code=404)
        return Response(data, media_type="image/jpeg")

    def start(self) -> ZaloStandin:
        app = Starlette(
            routes=[
                Route("/v3.0/oa/message/cs", self._send, methods=["POST"]),
                Route("/message/template", self._template, methods=["POST"]),
                Route("/v4/oa/access_token", self._token, methods=["POST"]),
                Route("/files/{name}", self._file),
            ]
        )
        self.server = ThreadServer(app).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
