"""Open311 GeoReport v2 documents: the same rows as JSON or XML, and the error shape."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from bot.base.text import sanitize, unsafe
from bot.domain.public import EXTRA_FIELDS, REQUEST_FIELDS

SERVICE_FIELDS = (
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
)


def request_document(row: dict[str, Any]) -> dict[str, Any]:
    """One report as Open311 shows it (never the phone or the reporter)."""
    document = {name: row.get(name) for name in REQUEST_FIELDS}
    document.update({name: row.get(name) for name in EXTRA_FIELDS})
    return document


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sanitized(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: sanitize(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


def _xml_text(root: str, item: str, rows: list[dict[str, Any]]) -> str:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            ET.SubElement(element, key).text = _text(value)
    return ET.tostring(top, encoding="unicode")


def _checked(render: Callable[[list[dict[str, Any]]], str], rows: list[dict[str, Any]]) -> str:
    """The document, written again from sanitised rows if it holds what XML 1.0 forbids or
    UTF-8 cannot encode (rows stored before input was cleaned): it always parses. One scan
    of the written document; the rows are rebuilt only then."""
    text = render(rows)
    return render(_sanitized(rows)) if unsafe(text) else text


def to_xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    """``<root><item><field>…</field></item></root>``; ElementTree escapes every value."""
    body = _checked(lambda safe: _xml_text(root, item, safe), rows)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body.encode("utf-8")


def respond(
    rows: list[dict[str, Any]], fmt: str, root: str, item: str, status: int = 200
) -> Response:
    if fmt == "xml":
        return Response(to_xml(root, item, rows), status, media_type="application/xml")
    body = _checked(lambda safe: json.dumps(safe, ensure_ascii=False), rows)
    return Response(body.encode("utf-8"), status, media_type="application/json")


def error(status: int, description: str, fmt: str) -> Response:
    """The spec's error list, ``[{"code", "description"}]``, with the matching HTTP status."""
    return respond([{"code": status, "description": description}], fmt, "errors", "error", status)
