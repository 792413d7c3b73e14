"""Helpers for the desk's tests and benchmark: an operator's HTTP client, a Zalo citizen."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from bot.services import accounts
from bot.storage.store import Store
from tests.standins.gateway import Gateway
from tests.standins.server import settle, wait_for
from tests.standins.zalo import ZaloStandin, event, signed

PASSWORD = "mat-khau-tong-dai-2026"


def operator_name(prefix: str = "tdv") -> str:
    """A fresh account name (tests share one database per session)."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def add_operator(db_path: Any, name: str, role: str = "operator") -> str:
    with Store(db_path) as store:
        accounts.add(store, name, role, PASSWORD, by="test")
    return name


class DeskClient:
    """One operator's browser, as far as the desk's API sees it: a cookie jar and a token."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60)
        self.csrf: str | None = None

    def signin(self, name: str, password: str = PASSWORD) -> httpx.Response:
        response = self.http.post("/desk/api/signin", json={"name": name, "password": password})
        if response.status_code == 200:
            self.csrf = response.json()["csrf"]
        return response

    def get(self, name: str, **params: Any) -> httpx.Response:
        return self.http.get(f"/desk/api/{name}", params=params)

    def post(self, name: str, body: dict[str, Any] | None = None, csrf: bool = True):
        headers = {"X-CSRF-Token": self.csrf} if csrf and self.csrf else {}
        return self.http.post(f"/desk/api/{name}", json=body or {}, headers=headers)

    def close(self) -> None:
        self.http.close()


def zalo_user() -> str:
    return f"{uuid.uuid4().int % 10**18}"


def zalo_says(gateway: Gateway, zalo: ZaloStandin, uid: str, text: str, wait: bool = True):
    """A Zalo citizen's message through the signed webhook; the replies it got, once they
    stopped coming (``wait=False``: do not wait for any)."""
    before = len(zalo.to(uid))
    body, headers = signed(event(uid, text=text))
    response = httpx.post(f"{gateway.url}/webhooks/zalo", content=body, headers=headers)
    assert response.status_code == 200, response.text
    if wait:
        wait_for(lambda: len(zalo.to(uid)) > before, timeout=90)
    settle(lambda: len(zalo.to(uid)), quiet=1.5)
    return zalo.texts_to(uid)[before:]


def queue_senders(client: DeskClient) -> list[str]:
    return [item["sender_id"] for item in client.get("queue").json()["items"]]
