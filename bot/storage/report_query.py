"""Finding reports: filters shared by ``reports list``, the Open311 API and statistics.

Every filter maps to an indexed column. Supervisors see overdue reports first: open reports
past ``expected_datetime`` (a partial index), then the rest, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from bot.domain.public import PUBLIC_COLUMNS


@dataclass
class ReportFilter:
    codes: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    status: str | None = None  # open | closed
    service_codes: list[str] = field(default_factory=list)
    wards: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    since: str | None = None  # ISO 8601, inclusive
    until: str | None = None  # ISO 8601, exclusive
    overdue_at: str | None = None  # only reports overdue at this moment

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []

        def among(column: str, values: list[str]) -> None:
            if values:
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)

        among("service_request_id", [c.strip().upper() for c in self.codes])
        among("state", self.states)
        among("service_code", self.service_codes)
        among("ward", self.wards)
        among("channel", self.channels)
        if self.status:
            clauses.append("status = ?")
            params.append(self.status)
        if self.since or self.until:
            clause, values = period("requested_datetime", self.since, self.until)
            clauses.append(clause)
            params.extend(values)
        if self.overdue_at:
            clauses.append("status = 'open' AND expected_datetime < ?")
            params.append(self.overdue_at)
        return (" AND ".join(clauses) or "1"), params


def period(column: str, since: str | None, until: str | None) -> tuple[str, list[str]]:
    """``column`` within [since, until) as an SQL condition and its parameters."""
    clauses, params = ["1"], []
    if since:
        clauses.append(f"{column} >= ?")
        params.append(since)
    if until:
        clauses.append(f"{column} < ?")
        params.append(until)
    return " AND ".join(clauses), params


def _select(columns: tuple[str, ...]) -> str:
    return ", ".join(columns)


def count(db: sqlite_utils.Database, filters: ReportFilter) -> int:
    where, params = filters.where()
    return db.execute(f"SELECT count(*) FROM reports WHERE {where}", params).fetchone()[0]


def newest_first(
    db: sqlite_utils.Database,
    filters: ReportFilter,
    *,
    limit: int,
    offset: int = 0,
    columns: tuple[str, ...] = PUBLIC_COLUMNS,
) -> list[dict[str, Any]]:
    where, params = filters.where()
    sql = (
        f"SELECT {_select(columns)} FROM reports WHERE {where} "
        "ORDER BY requested_datetime DESC, seq DESC LIMIT ? OFFSET ?"
    )
    return list(db.query(sql, [*params, limit, offset]))


def overdue_first(
    db: sqlite_utils.Database,
    filters: ReportFilter,
    *,
    at: str,
    limit: int,
    offset: int = 0,
    columns: tuple[str, ...] = PUBLIC_COLUMNS,
) -> list[dict[str, Any]]:
    """Open urgent reports (oldest first: the longest waiting), then overdue reports (most
    overdue first), then the others newest first, paged as one list."""
    where, params = filters.where()
    urgent = "status = 'open' AND emergency IS NOT NULL"
    overdue = "status = 'open' AND expected_datetime IS NOT NULL AND expected_datetime < ?"
    buckets = (
        (f"({where}) AND {urgent}", [*params], "requested_datetime, seq"),
        (f"({where}) AND {overdue} AND NOT ({urgent})", [*params, at], "expected_datetime"),
        (
            f"({where}) AND NOT ({urgent}) AND NOT ({overdue})",
            [*params, at],
            "requested_datetime DESC, seq DESC",
        ),
    )
    rows: list[dict[str, Any]] = []
    skip = offset
    for condition, values, order in buckets:
        remaining = limit - len(rows)
        if remaining <= 0:
            break
        size = db.execute(f"SELECT count(*) FROM reports WHERE {condition}", values).fetchone()[0]
        if skip >= size:
            skip -= size
            continue
        rows += db.query(
            f"SELECT {_select(columns)} FROM reports WHERE {condition} ORDER BY {order} "
            "LIMIT ? OFFSET ?",
            [*values, remaining, skip],
        )
        skip = 0
    for row in rows:
        row["overdue"] = bool(
            row.get("status") == "open"
            and row.get("expected_datetime")
            and row["expected_datetime"] < at
        )
        row["urgent"] = bool(row.get("emergency"))
    return rows
