"""The operators' desk at ``/desk``: a page, and the JSON API it uses (``/desk/api/…``).

Nothing under ``/desk/api`` answers without a session (401), and nothing changes without
the session's CSRF token (403). ``GET /desk`` serves the page itself: a sign-in form and the
code, no conversation. What each call does is ``bot.services.desk``'s, the same library as
``hue-assist handover``; this module checks who asks and turns answers into JSON.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from bot.domain import accounts as account_rules
from bot.domain import categories
from bot.domain.accounts import AccountError
from bot.domain.handover import Refused
from bot.domain.redact import redact_text
from bot.gateway.desk_auth import (
    DeskProblem,
    answer,
    check_csrf,
    clear_session,
    field,
    https,
    json_body,
    set_session,
    token_of,
)
from bot.gateway.desk_runtime import DeskRuntime
from bot.gateway.web import page_response_factory
from bot.services import accounts, desk
from bot.services.desk import Actor
from bot.services.rasa_client import RasaUnavailable
from bot.storage.errors import NotFound, StoreError
from bot.storage.users import Session

log = logging.getLogger("hue_assist.gateway.desk")

PAGE_PATH = Path(__file__).with_name("static") / "desk.html"
KEEPALIVE_S = 15.0  # a comment line on a quiet stream this often
SESSION_RECHECK_S = 30.0  # an open stream checks its session this often (it carries no data)
Handler = Callable[[Request, Session, dict[str, Any]], Awaitable[Response]]


def runtime_of(request: Request) -> DeskRuntime:
    return request.app.state.desk


def _secure(request: Request) -> bool:
    return https(request, request.app.state.channels.config.public_url)


def _actor(session: Session) -> Actor:
    return Actor(session.name, session.role, "web")


def api(handler: Handler, *, change: bool) -> Callable[[Request], Awaitable[Response]]:
    """A desk endpoint: a live session first (401), for a change its CSRF token (403) and a
    JSON body; the rules' refusals as 409, unknown conversations as 404."""

    async def endpoint(request: Request) -> Response:
        runtime = runtime_of(request)
        try:
            token = token_of(request)
            session = await runtime.run(accounts.session, token) if token else None
            if session is None:
                raise DeskProblem(401, "no_session", "sign in first")
            if change:
                check_csrf(request, session)
                data = await json_body(request)
            else:
                data = dict(request.query_params)
            return await handler(request, session, data)
        except DeskProblem as problem:
            return problem.response()
        except Refused as refused:
            extra = {"holder": refused.holder} if refused.holder else {}
            return DeskProblem(409, refused.code, str(refused), **extra).response()
        except NotFound as error:
            return DeskProblem(404, "not_found", str(error)).response()
        except (StoreError, AccountError) as error:
            return DeskProblem(400, "refused", str(error)).response()
        except RasaUnavailable as error:
            log.warning("desk: rasa unavailable", extra={"event": "rasa_unavailable"})
            return DeskProblem(503, "rasa_unavailable", str(error)).response()

    return endpoint


# -- signing in and out ---------------------------------------------------------------------


async def signin(request: Request) -> Response:
    """``POST /desk/api/signin {"name", "password"}``: a session cookie and the CSRF token."""
    runtime = runtime_of(request)
    try:
        data = await json_body(request)
        name = field(data, "name", limit=64)
        password = field(data, "password", limit=account_rules.MAX_PASSWORD)
    except DeskProblem as problem:
        return problem.response()
    result = await runtime.sign_in(accounts.authenticate, name, password)
    if not result.ok:
        await asyncio.sleep(account_rules.FAILURE_DELAY_S)  # guessing is slow; the loop is not
        code = "locked" if result.why == "locked" else "refused"
        return DeskProblem(401, code, "sign-in refused").response()
    runtime.warm()
    response = answer({"name": result.name, "role": result.role, "csrf": result.csrf})
    assert result.session is not None
    set_session(response, result.session, _secure(request))
    return response


async def signout(request: Request, session: Session, data: dict[str, Any]) -> Response:
    await runtime_of(request).run(accounts.sign_out, token_of(request), session.name)
    response = answer({"signed_out": True})
    clear_session(response, _secure(request))
    return response


async def me(request: Request, session: Session, data: dict[str, Any]) -> Response:
    return answer({"name": session.name, "role": session.role, "csrf": session.csrf})


# -- reading --------------------------------------------------------------------------------


async def queue(request: Request, session: Session, data: dict[str, Any]) -> Response:
    """``GET /desk/api/queue?v=VERSION``: open conversations, or ``unchanged``."""
    runtime = runtime_of(request)
    snapshot = await runtime.run(runtime.queue)
    if data.get("v") and data["v"] == snapshot["version"]:
        return answer({"version": snapshot["version"], "unchanged": True})
    return answer(snapshot)


def _sender(data: dict[str, Any]) -> str:
    return field(data, "sender", limit=200).strip()


async def conversation(request: Request, session: Session, data: dict[str, Any]) -> Response:
    """``GET /desk/api/conversation?sender=…[&raw=1][&v=VERSION]``: the whole conversation
    (audited), or ``unchanged`` for a refresh when nothing moved."""
    sender, raw, since = _sender(data), data.get("raw") == "1", data.get("v") or None
    actor = _actor(session)
    view = await runtime_of(request).run(
        lambda store: desk.view(store, sender, actor, raw=raw, since_version=since)
    )
    return answer(view)


async def suggestions(request: Request, session: Session, data: dict[str, Any]) -> Response:
    """``GET /desk/api/suggestions?sender=…``: knowledge-base answers to the latest message."""
    runtime = runtime_of(request)
    question = await runtime.run(desk.latest_question, _sender(data), _actor(session))
    found = await runtime.suggest(question) if question else []
    shown = redact_text(question) if question else None
    return answer({"question": shown, "suggestions": found})


async def events(request: Request, session: Session, data: dict[str, Any]) -> Response:
    """``GET /desk/api/events[?sender=…]``: server-sent events telling the page what moved
    (``queue``, ``conversation``: a version, no content; the page then asks for it as
    usual), ``signedout`` when the session ends. Opened once per page and conversation."""
    runtime = runtime_of(request)
    sender = (data.get("sender") or "").strip()
    if sender:
        await runtime.run(desk.watch, sender, _actor(session))  # 404 / 409 before streaming
    stream = _events(request, runtime, sender, token_of(request))
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


def _stopping(request: Request) -> bool:
    """The server is shutting down: open streams end so that it does not wait on them."""
    server = getattr(request.app.state, "server", None)
    return bool(server is not None and server.should_exit)


async def _events(
    request: Request, runtime: DeskRuntime, sender: str, token: str
) -> AsyncIterator[str]:
    hub = runtime.hub
    hub.watch(sender)
    loop = asyncio.get_running_loop()
    sent_queue = sent_conversation = None
    checked = said = loop.time()
    try:
        yield "retry: 1000\n\n"
        while not _stopping(request):
            await hub.next_tick(timeout=KEEPALIVE_S)
            if hub.queue and hub.queue != sent_queue:
                sent_queue, said = hub.queue, loop.time()
                yield f"event: queue\ndata: {sent_queue}\n\n"
            version = hub.conversations.get(sender) if sender else None
            if version and version != sent_conversation:
                sent_conversation, said = version, loop.time()
                yield f"event: conversation\ndata: {version}\n\n"
            if loop.time() - checked >= SESSION_RECHECK_S:
                checked = loop.time()
                if await runtime.run(accounts.session, token) is None:
                    yield "event: signedout\ndata: \n\n"
                    return
            if loop.time() - said >= KEEPALIVE_S:
                said = loop.time()
                yield ": ping\n\n"  # keeps proxies from closing a quiet stream
    finally:
        hub.unwatch(sender)


async def operators(request: Request, session: Session, data: dict[str, Any]) -> Response:
    return answer({"operators": await runtime_of(request).run(desk.operators)})


async def category_list(request: Request, session: Session, data: dict[str, Any]) -> Response:
    return answer(
        {"categories": [{"code": c.code, "name": c.name_vi} for c in categories.CATEGORIES]}
    )


# -- changes --------------------------------------------------------------------------------


async def claim(request: Request, session: Session, data: dict[str, Any]) -> Response:
    case = await runtime_of(request).run(desk.claim, _sender(data), _actor(session))
    return answer({"handover": case.public()})


async def transfer(request: Request, session: Session, data: dict[str, Any]) -> Response:
    to = field(data, "to", limit=64)
    case = await runtime_of(request).run(desk.transfer, _sender(data), _actor(session), to)
    return answer({"handover": case.public()})


async def reply(request: Request, session: Session, data: dict[str, Any]) -> Response:
    runtime = runtime_of(request)
    text = field(data, "text", limit=desk.MAX_REPLY)
    outbox_id = await runtime.run(desk.reply, _sender(data), _actor(session), text)
    runtime.on_queued()
    return answer({"outbox_id": outbox_id, "delivery": "pending"})


async def _end(request: Request, session: Session, data: dict[str, Any], close: bool) -> Response:
    runtime = runtime_of(request)
    sender, actor = _sender(data), _actor(session)
    case = await runtime.run(
        lambda store: desk.end(store, sender, actor, runtime.resume, close=close)
    )
    runtime.on_queued()
    return answer({"handover": case.public()})


async def release(request: Request, session: Session, data: dict[str, Any]) -> Response:
    return await _end(request, session, data, close=False)


async def close(request: Request, session: Session, data: dict[str, Any]) -> Response:
    return await _end(request, session, data, close=True)


async def report(request: Request, session: Session, data: dict[str, Any]) -> Response:
    """``POST /desk/api/report``: a report for the citizen (``duplicate`` first, unless
    ``force``), through the chat's routing, duplicate check and history."""
    runtime = runtime_of(request)
    sender, actor = _sender(data), _actor(session)
    fields = {
        "category": field(data, "category", limit=40),
        "location": field(data, "location", limit=500),
        "description": field(data, "description"),
        "ward": field(data, "ward", required=False, limit=100) or None,
        "force": data.get("force") is True,
    }
    result = await runtime.run(
        lambda store: desk.file_report(store, sender, actor, **fields)  # type: ignore[arg-type]
    )
    runtime.on_queued()
    return answer(result)


async def follow(request: Request, session: Session, data: dict[str, Any]) -> Response:
    runtime = runtime_of(request)
    code = field(data, "code", limit=20)
    result = await runtime.run(desk.follow, _sender(data), _actor(session), code)
    return answer(result)


async def elsewhere(request: Request) -> Response:
    """Any other path under ``/desk``: 401 without a session (nothing is revealed), else 404."""
    runtime = runtime_of(request)
    token = token_of(request)
    session = await runtime.run(accounts.session, token) if token else None
    if session is None:
        return DeskProblem(401, "no_session", "sign in first").response()
    return DeskProblem(404, "not_found", "no such desk page").response()


def routes() -> list[BaseRoute]:
    """``GET /desk`` and ``/desk/api/…``; the page is read once, when the app is built."""
    page = page_response_factory(PAGE_PATH.read_text(encoding="utf-8"), framed=False)
    reads: dict[str, Handler] = {
        "me": me,
        "queue": queue,
        "conversation": conversation,
        "suggestions": suggestions,
        "events": events,
        "operators": operators,
        "categories": category_list,
    }
    changes: dict[str, Handler] = {
        "signout": signout,
        "claim": claim,
        "transfer": transfer,
        "reply": reply,
        "release": release,
        "close": close,
        "report": report,
        "follow": follow,
    }
    return [
        Route("/desk", page, methods=["GET", "HEAD"]),
        Route("/desk/", page, methods=["GET", "HEAD"]),
        Route("/desk/api/signin", signin, methods=["POST"]),
        *(Route(f"/desk/api/{n}", api(h, change=False), methods=["GET"]) for n, h in reads.items()),
        *(
            Route(f"/desk/api/{n}", api(h, change=True), methods=["POST"])
            for n, h in changes.items()
        ),
        Route("/desk/{rest:path}", elsewhere, methods=["GET", "HEAD", "POST", "PUT", "DELETE"]),
    ]
