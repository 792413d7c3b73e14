"""A small client for the Zalo Official Account API (like an SDK), and the Zalo adapter.

- Webhook signature: ``X-ZEvent-Signature: mac=<sha256_hex(app_id + body + timestamp +
  OA secret key)>``, with app_id and timestamp taken from the event body.
- Send: ``POST {api}/v3.0/oa/message/cs`` with header ``access_token``. Errors come back
  as HTTP 200 with ``error`` ≠ 0; what each means is ``zalo_errors``.
- Templates (ZNS): ``POST {zns}/message/template`` with the same token, for a citizen the
  OA may no longer write to (``bot.domain.messaging_window``).
- Tokens: ``POST {oauth}/v4/oa/access_token`` (form ``refresh_token, app_id,
  grant_type=refresh_token``, header ``secret_key``); the refresh token is single-use, and
  one Zalo refused is never posted again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.base.clock import iso, now
from bot.domain import messaging_window
from bot.services.channels import zalo_errors
from bot.services.channels.base import (
    Delivery,
    MediaUnavailable,
    Outgoing,
    PartSent,
    split_text,
)
from bot.services.channels.config import ChannelConfig
from bot.storage import media, tokens
from bot.storage.database import Database

log = logging.getLogger("hue_assist.channels.zalo")

CHANNEL = "zalo"
MAX_TEXT = 2000
MAX_BUTTONS = 4
BUTTON = "oa.query.hide"  # a tap sends the payload as the citizen's message, not shown
REFRESH_AHEAD = timedelta(hours=1)
RATE_LIMIT_WAIT = 30.0  # seconds after -32 (Zalo counts calls per minute)
PROBE_EVERY = 600.0  # seconds between tries of a channel stopped by its configuration
MAX_REDIRECTS = 3
FIX_TOKENS = (
    "re-authorise the OA, set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN to the new pair and "
    "restart the gateway; waiting messages are kept"
)
FIX_ACCOUNT = (
    "fix it in the OA's Zalo account (package, verification, quota, app permissions); "
    "sending is tried again every {minutes} min; waiting messages are kept"
)


class ZaloError(RuntimeError):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"zalo error {code}: {message}")
        self.code = code


class TokenRefused(RuntimeError):
    """No working token and no way to get one: the refresh token is missing or Zalo refused
    it. Sending stops on the channel until a new pair is configured (``FIX_TOKENS``)."""


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256(
        app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    ).hexdigest()
    return f"mac={digest}"


def verify_signature(body: bytes, event: dict[str, Any], header: str, oa_secret_key: str) -> bool:
    """True when ``header`` is the event's signature; constant-time comparison."""
    if not header or not oa_secret_key:
        return False
    expected = signature(
        str(event.get("app_id", "")), body, str(event.get("timestamp", "")), oa_secret_key
    )
    return hmac.compare_digest(expected.encode(), header.strip().encode())


class ZaloClient:
    """Sends OA messages with a token that is refreshed ahead of expiry or when refused."""

    def __init__(
        self, config: ChannelConfig, database: Database, http: httpx.AsyncClient | None = None
    ) -> None:
        self.config = config
        self.database = database
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0))
        self._refreshing = asyncio.Lock()
        self.refused: str | None = None  # why Zalo refused our refresh token, if it did

    async def aclose(self) -> None:
        await self.http.aclose()

    async def pair(self) -> tokens.TokenPair | None:
        """The pair in use: the stored one, or a new one from the environment."""
        pair = await self.database.call(
            tokens.seed,
            self.database.store,
            CHANNEL,
            self.config.zalo_access_token,
            self.config.zalo_refresh_token,
        )
        self.refused = pair.refused if pair is not None else None
        return pair

    async def access_token(self) -> str:
        pair = await self.pair()
        if pair is None:
            raise TokenRefused("no access token configured (ZALO_ACCESS_TOKEN)")
        if pair.expires_at is not None and pair.expires_at - now() < REFRESH_AHEAD:
            try:
                pair = await self.refresh(stale=pair.access_token)
            except TokenRefused:
                if pair.expires_at <= now():
                    raise
                # Still valid for a while: it is used; /healthz says the refresh failed.
        return pair.access_token

    async def refresh(self, stale: str) -> tokens.TokenPair:
        """Exchange the refresh token for a new pair, once even when many sends ask; a
        refresh token Zalo refused is never posted again (it is single-use: dead)."""
        async with self._refreshing:
            pair = await self.pair()
            if pair is not None and pair.access_token != stale:
                return pair  # someone refreshed while we waited
            if pair is None or not pair.refresh_token:
                raise TokenRefused("access token refused and no refresh token (ZALO_REFRESH_TOKEN)")
            if pair.refused:
                raise TokenRefused(f"token refresh refused: {pair.refused}")
            response = await self.http.post(
                f"{self.config.zalo_oauth_base}/v4/oa/access_token",
                data={
                    "refresh_token": pair.refresh_token,
                    "app_id": self.config.zalo_app_id,
                    "grant_type": "refresh_token",
                },
                headers={"secret_key": self.config.zalo_app_secret},
            )
            data = _json(response)
            if not data.get("access_token") or not data.get("refresh_token"):
                why = " ".join(
                    str(part)
                    for part in (data.get("error"), data.get("error_name") or data.get("message"))
                    if part
                )
                await self.database.call(
                    tokens.refuse, self.database.store, CHANNEL, pair.refresh_token, why
                )
                self.refused = why
                raise TokenRefused(f"token refresh refused: {why}")
            seconds = int(str(data.get("expires_in") or "3600"))
            fresh = tokens.TokenPair(
                data["access_token"], data["refresh_token"], now() + timedelta(seconds=seconds)
            )
            # Committed (fsync'd) before the new token is used: the old refresh token is dead.
            await self.database.call(tokens.save, self.database.store, CHANNEL, fresh, True)
            self.refused = None
            log.info("token refreshed", extra={"channel": CHANNEL, "event": "token_refreshed"})
            return fresh

    async def call(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST to an OA API; on a token error, refresh and try once more."""
        token = await self.access_token()
        data = await self._post(url, body, token)
        if int(data.get("error") or 0) in zalo_errors.TOKEN_ERRORS:
            token = (await self.refresh(stale=token)).access_token
            data = await self._post(url, body, token)
        code = int(data.get("error") or 0)
        if code:
            raise ZaloError(code, str(data.get("message") or ""))
        return data

    async def _post(self, url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        response = await self.http.post(url, json=body, headers={"access_token": token})
        return _json(response)

    async def send_message(self, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """A consultation message ("tin tư vấn"): inside the messaging window only."""
        return await self.call(
            f"{self.config.zalo_api_base}/v3.0/oa/message/cs",
            {"recipient": {"user_id": user_id}, "message": message},
        )

    async def send_template(
        self, user_id: str, template_id: str, values: dict[str, Any], tracking_id: str
    ) -> dict[str, Any]:
        """A template message (ZNS) to a Zalo user id, outside the messaging window too."""
        return await self.call(
            f"{self.config.zalo_zns_api_base}/message/template",
            {
                "user_id": user_id,
                "template_id": template_id,
                "template_data": values,
                "tracking_id": tracking_id,
            },
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 500:
        raise httpx.HTTPStatusError(
            f"http {response.status_code}", request=response.request, response=response
        )
    try:
        data = response.json()
    except json.JSONDecodeError:
        raise httpx.HTTPStatusError(
            f"http {response.status_code}: not JSON", request=response.request, response=response
        ) from None
    return data if isinstance(data, dict) else {"error": -1, "message": "unexpected answer"}


def _message_id(data: dict[str, Any]) -> str | None:
    found = (data.get("data") or {}).get("message_id") or (data.get("data") or {}).get("msg_id")
    return str(found) if found else None


def messages_for(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """One outbox payload as Zalo messages: text parts, buttons on the last, then an image.

    Buttons are ``oa.query.hide``: a tap sends the payload to the OA as the citizen's
    message without showing it in their chat (``oa.query.show`` would print
    ``/report_incident{…}`` there as if they had typed it).
    """
    out: list[dict[str, Any]] = []
    text = str(payload.get("text") or "")
    buttons = payload.get("buttons") or []
    if text or buttons:
        parts = split_text(text or "…", MAX_TEXT)
        out += [{"text": part} for part in parts]
        if buttons:
            out[-1]["attachment"] = {
                "type": "template",
                "payload": {
                    "buttons": [
                        {
                            "title": str(b["title"])[:100],
                            "payload": str(b["payload"]),
                            "type": BUTTON,
                        }
                        for b in buttons[:MAX_BUTTONS]
                    ]
                },
            }
    if payload.get("image"):
        out.append(
            {
                "attachment": {
                    "type": "template",
                    "payload": {
                        "template_type": "media",
                        "elements": [{"media_type": "image", "url": str(payload["image"])}],
                    },
                }
            }
        )
    return out


@dataclass
class Halt:
    """Sending on the channel is stopped: why, what a person must do, since when, and when
    one message may probe again (never, for a dead token: a restart with new ones)."""

    why: str
    fix: str
    since: str
    started: float  # monotonic
    probe_at: float | None  # monotonic


class ZaloAdapter:
    """Delivers outbox payloads to Zalo users and fetches the photos they send."""

    name = CHANNEL

    def __init__(self, client: ZaloClient, probe_every: float = PROBE_EVERY) -> None:
        self.client = client
        self.probe_every = probe_every
        self.last_error: str | None = None
        self.template_problem: str | None = None
        self.halt: Halt | None = None

    def state(self) -> str:
        if self.halt is not None:
            return f"stopped since {self.halt.since}: {self.halt.why}; {self.halt.fix}"
        if self.client.refused:
            return f"token refresh refused: {self.client.refused}; {FIX_TOKENS}"
        if self.template_problem:
            return f"degraded: template messages failing: {self.template_problem}"
        return f"degraded: {self.last_error}" if self.last_error else "ok"

    async def aclose(self) -> None:
        await self.client.aclose()

    def parts(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        return messages_for(payload)

    def admits(self, free: int) -> int:
        """All free slots normally; none while stopped, except one probe now and then (the
        next one is due a period later, whether a row was waiting for this one or not)."""
        halt = self.halt
        if halt is None:
            return free
        moment = time.monotonic()
        if halt.probe_at is None or moment < halt.probe_at:
            return 0
        halt.probe_at = moment + self.probe_every
        return min(free, 1)

    async def prepare(self) -> None:
        """A token pair Zalo refused before a restart stops the channel at once, without
        posting the dead refresh token again (unless the environment brought a new pair)."""
        pair = await self.client.pair()
        expired = pair is not None and (pair.expires_at is None or pair.expires_at <= now())
        if pair is not None and pair.refused and expired:
            self._stop(f"token refresh refused: {pair.refused}", FIX_TOKENS, probe=False)

    async def deliver(self, outgoing: Outgoing, sent: PartSent) -> Delivery:
        began = time.monotonic()
        try:
            result = await self._deliver(outgoing, sent)
        except TokenRefused as error:
            result = self._stop(str(error), FIX_TOKENS, probe=False)
        self._settle(result, began)
        return result

    async def _deliver(self, outgoing: Outgoing, sent: PartSent) -> Delivery:
        window = messaging_window.window(outgoing.last_inbound_at, now())
        if window == "closed":
            return await self._outside_window(outgoing, "silent for over 7 days")
        try:
            for part in outgoing.parts:
                answer = await self.client.send_message(outgoing.user_id, part.body)
                await sent(part.index, _message_id(answer))
        except ZaloError as error:
            return await self._refused(outgoing, error)
        except httpx.HTTPError as error:
            self.last_error = type(error).__name__
            return Delivery(
                "retry", f"zalo unreachable: {type(error).__name__}", reason="unreachable"
            )
        self.last_error = None
        return Delivery.sent(window)

    async def _refused(self, outgoing: Outgoing, error: ZaloError) -> Delivery:
        """What Zalo's refusal means for this row (``zalo_errors``)."""
        meaning = zalo_errors.oa(error.code)
        if meaning.action == "citizen":
            if meaning.reason == "window":
                return await self._outside_window(outgoing, str(error))
            return Delivery("undeliverable", str(error), reason=meaning.reason)
        if meaning.action == "message":
            self.last_error = str(error)
            return Delivery("failed", str(error), reason=meaning.reason)
        if meaning.action == "config":
            fix = FIX_ACCOUNT.format(minutes=round(self.probe_every / 60))
            return self._stop(f"{error} ({meaning.text})", fix, probe=True)
        if meaning.reason == "unknown":
            log.warning(
                "unknown zalo error code %s: retried",
                error.code,
                extra={"channel": CHANNEL, "event": "unknown_error", "id": outgoing.outbox_id},
            )
        self.last_error = str(error)
        wait = RATE_LIMIT_WAIT if meaning.reason == "rate_limited" else None
        return Delivery("retry", str(error), retry_after=wait, reason=meaning.reason)

    async def _outside_window(self, outgoing: Outgoing, why: str) -> Delivery:
        """Zalo no longer lets the OA write to this citizen: a status notification goes as a
        template message when one is configured; anything else waits for a person."""
        template = outgoing.payload.get("template") if outgoing.kind == "notification" else None
        template_id = (
            self.client.config.zalo_templates.get(str(template.get("name")))
            if isinstance(template, dict)
            else None
        )
        if not template_id:
            return Delivery(
                "undeliverable",
                f"outside Zalo's messaging window ({why}); no template message for it: "
                "an operator should call",
                reason="window",
            )
        try:
            await self.client.send_template(
                outgoing.user_id,
                template_id,
                dict(template.get("data") or {}),
                f"outbox-{outgoing.outbox_id}",
            )
        except ZaloError as error:
            return self._template_refused(error)
        except httpx.HTTPError as error:
            return Delivery(
                "retry", f"zalo templates unreachable: {type(error).__name__}", reason="unreachable"
            )
        self.template_problem = None
        return Delivery.sent("template")

    def _template_refused(self, error: ZaloError) -> Delivery:
        meaning = zalo_errors.zns(error.code)
        if meaning.action in ("retry", "refresh"):
            wait = RATE_LIMIT_WAIT if meaning.reason == "rate_limited" else None
            return Delivery("retry", f"template: {error}", retry_after=wait, reason=meaning.reason)
        if meaning.action == "config":
            self.template_problem = f"{error} ({meaning.text})"
            log.error(
                "template messages refused: %s",
                self.template_problem,
                extra={"channel": CHANNEL, "event": "template_refused"},
            )
        return Delivery(
            "undeliverable",
            f"outside Zalo's messaging window; template refused: {error}: an operator should call",
            reason="window",
        )

    def _stop(self, why: str, fix: str, probe: bool) -> Delivery:
        """Stop sending on the channel (the row waits, its attempt not counted); said
        once, loudly, in the log, and in ``/healthz`` until it works again."""
        moment = time.monotonic()
        probe_at = moment + self.probe_every if probe else None
        if self.halt is None:
            self.halt = Halt(why, fix, iso(now()), moment, probe_at)
            log.error(
                "zalo channel stopped: %s; %s",
                why,
                fix,
                extra={"channel": CHANNEL, "event": "channel_stopped"},
            )
        else:
            self.halt.why, self.halt.fix, self.halt.probe_at = why, fix, probe_at
        return Delivery("halted", why, reason="channel_stopped")

    def _settle(self, result: Delivery, began: float) -> None:
        """After an attempt: anything but a stop, by an attempt begun after the channel
        stopped (a probe), means it works again."""
        halt = self.halt
        if halt is None:
            return
        if result.outcome != "halted" and began >= halt.started:
            self.halt = None
            log.warning(
                "zalo channel sending again", extra={"channel": CHANNEL, "event": "channel_resumed"}
            )

    async def fetch_media(self, reference: str) -> bytes:
        """A photo or voice note from Zalo's CDN (the event's ``payload.url``).

        Only public https addresses are fetched (or the configured API host: a stand-in in
        tests), each redirect checked again, and at most ``media.MAX_BYTES``: a leaked OA key
        must not turn the gateway into a way into the city's network or its memory. The
        connection goes to the very address that was checked (see :func:`pinned`), so a
        name that resolves again to a private address (DNS rebinding) gains nothing.
        """
        url = reference
        for _ in range(MAX_REDIRECTS + 1):
            target, options = pinned(url, await self._checked_address(url))
            try:
                async with self.client.http.stream("GET", target, **options) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = str(httpx.URL(url).join(response.headers["location"]))
                        continue
                    if response.status_code >= 500:
                        raise MediaUnavailable(f"http {response.status_code}")
                    if response.status_code != 200:
                        raise MediaUnavailable(f"http {response.status_code}", permanent=True)
                    return await _read_capped(response, media.MAX_BYTES)
            except httpx.HTTPError as error:
                raise MediaUnavailable(type(error).__name__) from None
        raise MediaUnavailable("too many redirects", permanent=True)

    async def _checked_address(self, url: str) -> str:
        reason, address = await media_address(url, self.client.config.zalo_api_base)
        if address is None:
            log.warning(
                "media address refused: %s",
                reason,
                extra={"channel": CHANNEL, "event": "media_refused"},
            )
            raise MediaUnavailable(f"address refused: {reason}", permanent=True)
        return address


async def media_address(url: str, api_base: str) -> tuple[str | None, str | None]:
    """(why the gateway must not fetch ``url``, None) or (None, the address to connect to).

    Public https addresses only, or the configured Zalo API host itself."""
    parts, base = urlsplit(url), urlsplit(api_base)
    trusted = (parts.scheme, parts.netloc) == (base.scheme, base.netloc)
    if not trusted and parts.scheme != "https":
        return "not an https address", None
    if not parts.hostname:
        return "no host", None
    default_port = 443 if parts.scheme == "https" else 80
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, parts.port or default_port, type=socket.SOCK_STREAM
        )
    except OSError:
        return "host not found", None
    addresses = [info[4][0].split("%", 1)[0] for info in infos]
    if not addresses:
        return "host not found", None
    if not trusted and not all(ipaddress.ip_address(a).is_global for a in addresses):
        return "not a public address", None
    return None, addresses[0]


async def media_url_refused(url: str, api_base: str) -> str | None:
    """Why the gateway must not fetch ``url``, or None when it may."""
    return (await media_address(url, api_base))[0]


def pinned(url: str, address: str) -> tuple[str, dict[str, Any]]:
    """``url`` with its host replaced by ``address``, and the request options that keep the
    name for the server: the Host header, and for https the TLS server name (SNI), against
    which the certificate is still verified."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    name = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
    options: dict[str, Any] = {"headers": {"Host": name}}
    if parts.scheme == "https":
        options["extensions"] = {"sni_hostname": parts.hostname}
    return parts._replace(netloc=netloc).geturl(), options


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise MediaUnavailable(f"file over {limit // (1024 * 1024)} MB", permanent=True)
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise MediaUnavailable(f"file over {limit // (1024 * 1024)} MB", permanent=True)
        chunks.append(chunk)
    return b"".join(chunks)
