"""``GET /healthz``: is the gateway up, and which of its dependencies are degraded."""

from __future__ import annotations

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.storage.store import Store


def _ping(store: Store) -> None:
    store.db.execute("SELECT 1").fetchone()


async def healthz(request: Request) -> JSONResponse:
    """200 with ``status: ok`` or ``degraded`` and one entry per dependency."""
    settings = request.app.state.settings
    checks: dict[str, str] = {}
    try:
        await request.app.state.db.read(_ping)
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - report any database failure as degraded
        checks["database"] = f"error: {type(error).__name__}"
    rasa = settings.rasa_servers
    token = {"token": settings.rasa_token}  # Rasa's /status is behind its API token
    targets = [
        ("rasa" if index == 0 else f"rasa-{index + 1}", f"{url}/status", token)
        for index, url in enumerate(rasa)
    ]
    actions = settings.action_server_url.rsplit("/webhook", 1)[0] + "/health"
    targets.append(("actions", actions, {}))
    async with httpx.AsyncClient(timeout=1.5) as client:
        for name, url, params in targets:
            try:
                response = await client.get(url, params=params)
                checks[name] = (
                    "ok" if response.status_code == 200 else f"http {response.status_code}"
                )
            except httpx.HTTPError as error:
                checks[name] = f"unreachable: {type(error).__name__}"
    body: dict = {"checks": checks}
    channels = getattr(request.app.state, "channels", None)
    if channels is not None:  # inbox/outbox backlogs and each channel's state
        db = request.app.state.db

        async def read(fn):  # type: ignore[no-untyped-def]
            return await db.read(lambda store: fn(store.db))  # never behind a write

        body.update(await channels.health(read))
        checks["worker"] = body["worker"]
        checks.update({f"channel:{name}": state for name, state in body["channels"].items()})
        states = body.pop("webhook_states")
        checks.update({f"webhook:{name}": state for name, state in states.items()})
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return JSONResponse({"status": status, **body})
