"""Exports of reports and calls for a period, without personal data unless asked (audited).

Without ``--include-pii`` a report is its public face (``bot.domain.public.face``): the
description as the redactor leaves it, no house number, coordinates to 3 decimals."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from bot.domain.public import FACE_COLUMNS, PUBLIC_COLUMNS, face
from bot.storage import audit
from bot.storage.report_query import period
from bot.storage.store import Store

CALL_COLUMNS = (
    "call_id", "received_at", "duration", "status", "intent", "intent_confidence",
    "confidence", "summary", "draft_report_id", "language", "model", "operator",
)  # fmt: skip


def rows(
    store: Store,
    kind: str,
    *,
    since: str | None,
    until: str | None,
    include_pii: bool,
    actor: str,
) -> Iterator[dict[str, Any]]:
    """Rows of ``reports`` or ``calls``; personal data (phone, caller number, raw transcript)
    only with ``include_pii``, and then the export is written to the audit trail first."""
    if include_pii:
        with store.transaction() as db:
            audit.record(
                db, actor=actor, action="export_pii", subject=kind,
                detail={"since": since, "until": until},
            )  # fmt: skip
    if kind == "reports":
        where, params = period("r.requested_datetime", since, until)
        columns = ", ".join(f"r.{c}" for c in (PUBLIC_COLUMNS if include_pii else FACE_COLUMNS))
        extra = ", c.phone AS phone" if include_pii else ""
        sql = (
            f"SELECT {columns}{extra} FROM reports r "
            "LEFT JOIN report_contacts c USING (service_request_id) "
            f"WHERE {where} ORDER BY r.requested_datetime"
        )
    elif kind == "calls":
        where, params = period("k.received_at", since, until)
        columns = ", ".join(f"k.{c}" for c in CALL_COLUMNS)
        extra = ", c.caller_number AS caller_number" if include_pii else ""
        sql = (
            f"SELECT {columns}{extra} FROM calls k LEFT JOIN call_contacts c USING (call_id) "
            f"WHERE {where} ORDER BY k.received_at"
        )
    else:
        raise ValueError(f"unknown export {kind!r}: reports or calls")
    for row in store.db.query(sql, params):
        yield row if include_pii or kind != "reports" else face(row)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A spreadsheet-safe CSV cell: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write(records: Iterator[dict[str, Any]], fmt: str, out: io.TextIOBase) -> int:
    """CSV (a header, then rows; formula-like cells neutralised) or JSON (one array);
    returns how many rows."""
    count = 0
    if fmt == "csv":
        writer: csv.DictWriter | None = None
        for record in records:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(record))
                writer.writeheader()
            writer.writerow({key: _cell(value) for key, value in record.items()})
            count += 1
        return count
    out.write("[")
    for record in records:
        out.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
