"""Open311 GeoReport v2 under ``/open311/v2/`` (filled in by the reports backend)."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
