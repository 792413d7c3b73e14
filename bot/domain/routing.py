"""Routing: which department handles a report, and by when (from a YAML table).

The shipped table (``bot/domain/data/routing.yml``) is sample configuration to be confirmed by the
city; ``HUE_ASSIST_ROUTING`` points at the real one. Expected times are calendar hours from
filing: the city's published targets are not per-working-day here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain import categories, config_file, gazetteer

DEFAULT_TABLE = Path(__file__).parent / "data" / "routing.yml"


class RoutingError(ValueError):
    """A routing table we cannot use, with the file and the reason."""


@dataclass(frozen=True)
class Route:
    agency: str
    target_hours: float

    def expected(self, filed: datetime) -> datetime:
        return filed + timedelta(hours=self.target_hours)


@dataclass(frozen=True)
class RoutingTable:
    default: Route
    by_category: dict[str, Route]
    by_category_ward: dict[tuple[str, str], Route]
    sample: bool
    urgent: Route | None = None  # reports filed from an emergency, whatever their category

    def route(self, service_code: str, ward: str | None = None, urgent: bool = False) -> Route:
        """The urgent route for an emergency; else the ward-specific route when there is one,
        else the category's, else the default."""
        if urgent and self.urgent is not None:
            return self.urgent
        ward_name = gazetteer.lookup(ward) if ward else None
        if ward_name and (service_code, ward_name) in self.by_category_ward:
            return self.by_category_ward[(service_code, ward_name)]
        return self.by_category.get(service_code, self.default)

    def agencies(self) -> list[str]:
        names = {self.default.agency, *(r.agency for r in self.by_category.values())}
        if self.urgent is not None:
            names.add(self.urgent.agency)
        names |= {r.agency for r in self.by_category_ward.values()}
        return sorted(names)


def _route(data: Any, where: str, fallback: Route | None = None) -> Route:
    if not isinstance(data, dict):
        raise RoutingError(f"{where}: expected a mapping")
    agency = data.get("agency", fallback.agency if fallback else None)
    hours = data.get("target_hours", fallback.target_hours if fallback else None)
    if not isinstance(agency, str) or not agency.strip():
        raise RoutingError(f"{where}: missing agency")
    if not isinstance(hours, (int, float)) or hours <= 0:
        raise RoutingError(f"{where}: target_hours must be a positive number")
    return Route(agency.strip(), float(hours))


def parse(data: Any, source: str = "routing table") -> RoutingTable:
    """Validate a loaded YAML document: unknown categories or wards are errors, not typos."""
    if not isinstance(data, dict) or "default" not in data:
        raise RoutingError(f"{source}: needs a `default` route")
    default = _route(data["default"], f"{source}: default")
    by_category: dict[str, Route] = {}
    by_ward: dict[tuple[str, str], Route] = {}
    for code, entry in (data.get("categories") or {}).items():
        if code not in categories.BY_CODE:
            raise RoutingError(f"{source}: unknown category {code!r}")
        route = _route(entry, f"{source}: {code}", default)
        by_category[code] = route
        for ward, override in (entry.get("wards") or {}).items():
            name = gazetteer.lookup(str(ward))
            if name is None:
                raise RoutingError(f"{source}: {code}: unknown ward {ward!r}")
            by_ward[(code, name)] = _route(override, f"{source}: {code}/{ward}", route)
    urgent = _route(data["urgent"], f"{source}: urgent") if data.get("urgent") else None
    return RoutingTable(default, by_category, by_ward, bool(data.get("sample")), urgent)


def load(path: Path | str | None = None) -> RoutingTable:
    """The routing table (cached until the file changes)."""
    return config_file.load(path, "HUE_ASSIST_ROUTING", DEFAULT_TABLE, parse, RoutingError)
