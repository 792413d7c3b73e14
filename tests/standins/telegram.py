"""A stand-in for the Telegram Bot API: records sent messages, serves files and queued
updates (getUpdates long polling), and answers with Bot API errors on demand."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.standins.server import ThreadServer

TOKEN = "123456:standin-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Hue Assist", "username": "hue_assist_bot"}
_update_ids = itertools.count(1000)
_message_ids = itertools.count(1)


def user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Dân", "language_code": "vi"}


def message_update(chat_id: int, **fields: Any) -> dict[str, Any]:
    message = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Dân"},
        "from": user(chat_id),
        **fields,
    }
    return {"update_id": next(_update_ids), "message": message}


def callback_update(chat_id: int, data: str) -> dict[str, Any]:
    message = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private"},
        "from": BOT_USER,
        "text": "…",
    }
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cb{next(_message_ids)}",
            "from": user(chat_id),
            "chat_instance": "ci",
            "message": message,
            "data": data,
        },
    }


@dataclass
class Sent:
    method: str
    chat_id: str
    params: dict[str, Any]
    at: float


@dataclass
class TelegramStandin:
    token: str = TOKEN
    sent: list[Sent] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadServer | None = None

    def fail_next(self, code: int, description: str, retry_after: int | None = None) -> None:
        answer: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            answer["parameters"] = {"retry_after": retry_after}
        with self.lock:
            self.failures.append(answer)

    def queue_update(self, update: dict[str, Any]) -> None:
        with self.lock:
            self.updates.append(update)

    def to(self, chat_id: int | str) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if s.chat_id == str(chat_id)]

    def texts_to(self, chat_id: int | str) -> list[str]:
        return [s.params.get("text", "") for s in self.to(chat_id) if s.method == "sendMessage"]

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            return await request.json()
        form = await request.form()
        params: dict[str, Any] = {}
        for key, value in form.items():
            text = value if isinstance(value, str) else (await value.read()).decode()
            try:
                params[key] = json.loads(text) if text[:1] in "{[" else text
            except json.JSONDecodeError:
                params[key] = text
        return params

    async def _method(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = request.path_params["method"]
        params = await self._params(request)
        with self.lock:
            self.calls.append(method)
            if method in ("sendMessage", "sendPhoto") and self.failures:
                answer = self.failures.pop(0)
                return JSONResponse(answer, status_code=answer["error_code"])
        if method == "getMe":
            return JSONResponse({"ok": True, "result": BOT_USER})
        if method in ("sendMessage", "sendPhoto"):
            chat_id = str(params["chat_id"])
            with self.lock:
                self.sent.append(Sent(method, chat_id, params, time.time()))
            result: dict[str, Any] = {
                "message_id": next(_message_ids),
                "date": int(time.time()),
                "chat": {"id": int(chat_id), "type": "private"},
                "from": BOT_USER,
            }
            if method == "sendMessage":
                result["text"] = params.get("text", "")
            else:
                result["photo"] = [
                    {"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}
                ]
            return JSONResponse({"ok": True, "result": result})
        if method == "getFile":
            file_id = str(params["file_id"])
            if file_id not in self.files:
                return JSONResponse(
                    {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
                    status_code=400,
                )
            return JSONResponse(
                {
                    "ok": True,
                    "result": {
                        "file_id": file_id,
                        "file_unique_id": f"u-{file_id}",
                        "file_size": len(self.files[file_id]),
                        "file_path": f"photos/{file_id}.jpg",
                    },
                }
            )
        if method == "getUpdates":
            return await self._get_updates(params)
        if method in ("answerCallbackQuery", "setWebhook", "deleteWebhook"):
            return JSONResponse({"ok": True, "result": True})
        return JSONResponse(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
        )

    async def _get_updates(self, params: dict[str, Any]) -> Response:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 5.0)
        while True:
            with self.lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                ready = list(self.updates)
            if ready or time.monotonic() >= deadline:
                return JSONResponse({"ok": True, "result": ready})
            await asyncio.sleep(0.05)

    async def _file(self, request: Request) -> Response:
        name = request.path_params["path"].rsplit("/", 1)[-1].removesuffix(".jpg")
        data = self.files.get(name)
        return Response(status_code=404) if data is None else Response(data)

    def start(self) -> TelegramStandin:
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._method, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file),
            ]
        )
        self.server = ThreadServer(app).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
