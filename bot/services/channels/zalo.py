"""A small client for the Zalo Official Account API (like an SDK), and the Zalo adapter.

- Webhook signature: ``X-ZEvent-Signature: mac=<sha256_hex(app_id + body + timestamp +
  OA secret key)>``, with app_id and timestamp taken from the event body.
- Send: ``POST {api}/v3.0/oa/message/cs`` with header ``access_token``. Errors come back
  as HTTP 200 with ``error`` ≠ 0.
- Tokens: ``POST {oauth}/v4/oa/access_token`` (form ``refresh_token, app_id,
  grant_type=refresh_token``, header ``secret_key``); the refresh token is single-use.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.base.clock import now
from bot.services.channels.base import Delivery, MediaUnavailable, split_text
from bot.services.channels.config import ChannelConfig
from bot.storage import media, tokens
from bot.storage.database import Database

log = logging.getLogger("hue_assist.channels.zalo")

CHANNEL = "zalo"
MAX_TEXT = 2000
MAX_BUTTONS = 4
REFRESH_AHEAD = timedelta(hours=1)
TOKEN_ERRORS = {-216, -220}  # access token invalid / expired: refresh, then retry once
RATE_LIMITED = {-32}
NO_INTERACTION = {-230, -232, -213}  # no interaction in 7 days / not a follower: keep, stop
PERMANENT = {-201}  # invalid parameters: retrying the same request cannot help
MAX_REDIRECTS = 3


class ZaloError(RuntimeError):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"zalo error {code}: {message}")
        self.code = code


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
        self.last_refresh_error: str | None = None

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _pair(self) -> tokens.TokenPair | None:
        return await self.database.call(
            tokens.seed,
            self.database.store,
            CHANNEL,
            self.config.zalo_access_token,
            self.config.zalo_refresh_token,
        )

    async def access_token(self) -> str:
        pair = await self._pair()
        if pair is None:
            raise ZaloError(-216, "no access token configured (ZALO_ACCESS_TOKEN)")
        if pair.expires_at is not None and pair.expires_at - now() < REFRESH_AHEAD:
            pair = await self.refresh(stale=pair.access_token)
        return pair.access_token

    async def refresh(self, stale: str) -> tokens.TokenPair:
        """Exchange the refresh token for a new pair, once even when many sends ask."""
        async with self._refreshing:
            pair = await self._pair()
            if pair is not None and pair.access_token != stale:
                return pair  # someone refreshed while we waited
            if pair is None or not pair.refresh_token:
                raise ZaloError(-216, "access token refused and no refresh token to renew it")
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
                self.last_refresh_error = str(data.get("error_name") or data.get("error"))
                raise ZaloError(
                    int(data.get("error") or -1),
                    f"token refresh refused: {data.get('error_name') or data.get('message')}",
                )
            seconds = int(str(data.get("expires_in") or "3600"))
            fresh = tokens.TokenPair(
                data["access_token"], data["refresh_token"], now() + timedelta(seconds=seconds)
            )
            # Committed (fsync'd) before the new token is used: the old refresh token is dead.
            await self.database.call(tokens.save, self.database.store, CHANNEL, fresh, True)
            self.last_refresh_error = None
            log.info("token refreshed", extra={"channel": CHANNEL, "event": "token_refreshed"})
            return fresh

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST to the OA API; on a token error, refresh and try once more."""
        token = await self.access_token()
        data = await self._post(path, body, token)
        if int(data.get("error") or 0) in TOKEN_ERRORS:
            token = (await self.refresh(stale=token)).access_token
            data = await self._post(path, body, token)
        code = int(data.get("error") or 0)
        if code:
            raise ZaloError(code, str(data.get("message") or ""))
        return data

    async def _post(self, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.config.zalo_api_base}{path}", json=body, headers={"access_token": token}
        )
        return _json(response)

    async def send_message(self, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        return await self.call(
            "/v3.0/oa/message/cs", {"recipient": {"user_id": user_id}, "message": message}
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


def messages_for(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """One outbox payload as Zalo messages: text parts, buttons on the last, then an image."""
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
                            "type": "oa.query.show",
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


class ZaloAdapter:
    """Delivers outbox payloads to Zalo users and fetches the photos they send."""

    name = CHANNEL

    def __init__(self, client: ZaloClient) -> None:
        self.client = client
        self.last_error: str | None = None

    def state(self) -> str:
        if self.client.last_refresh_error:
            return f"token refresh failing: {self.client.last_refresh_error}"
        return f"degraded: {self.last_error}" if self.last_error else "ok"

    async def aclose(self) -> None:
        await self.client.aclose()

    async def deliver(self, user_id: str, payload: dict[str, Any]) -> Delivery:
        try:
            for message in messages_for(payload):
                await self.client.send_message(user_id, message)
        except ZaloError as error:
            self.last_error = str(error) if error.code not in NO_INTERACTION else None
            if error.code in NO_INTERACTION:
                return Delivery("undeliverable", str(error))
            if error.code in RATE_LIMITED:
                return Delivery("retry", str(error), retry_after=30.0)
            if error.code in PERMANENT:
                return Delivery("failed", str(error))
            return Delivery("retry", str(error))
        except httpx.HTTPError as error:
            self.last_error = f"{type(error).__name__}"
            return Delivery("retry", f"zalo unreachable: {type(error).__name__}")
        self.last_error = None
        return Delivery.sent()

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
