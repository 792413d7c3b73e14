"""``GET /media/<name>``: photos stored by content hash (see ``bot.storage.media``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.storage import media


async def serve_media(request: Request) -> Response:
    path = media.path_of(request.app.state.settings.home, request.path_params["name"])
    if path is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable"})


def routes() -> list[BaseRoute]:
    return [Route("/media/{name}", serve_media)]
