"""Open311 GeoReport v2 under ``/open311/v2/``: services, and reading and filing requests.

Reports filed here take the same path as chat reports (validation, routing, duplicate check,
history) with channel ``open311``. Filing needs a key from ``OPEN311_API_KEYS``, in the form
or the query string (where the ``open311`` Python client puts it, with ``jurisdiction_id``,
which is accepted: one jurisdiction is served). Reading is public and shows each report's
public face (``bot.domain.public.face``). Listing defaults to the last 90 days, at most 1,000
rows; dates outside 1970–2100 are refused. SQLite runs off the event loop
(``bot.gateway.db``); bodies are bounded before anything reads them (``bot.gateway.limits``).
Unknown paths under ``/open311/`` get the spec's error list.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.base.clock import HUE_TZ, iso, now
from bot.base.text import sanitize
from bot.domain import categories, gazetteer
from bot.domain.public import FACE_COLUMNS, face
from bot.gateway import open311_format as fmt
from bot.gateway.db import DatabaseThreads
from bot.storage import report_query
from bot.storage.store import NotFound, Store, StoreError

log = logging.getLogger("hue_assist.gateway.open311")

MAX_ROWS = 1000
DEFAULT_DAYS = 90
MAX_BODY = 64 * 1024
EARLIEST = datetime(1970, 1, 1, tzinfo=HUE_TZ)  # dates outside are a client's mistake (400),
LATEST = datetime(2100, 1, 1, tzinfo=HUE_TZ)  # not an overflow (500)
URL_RE = re.compile(r"^https?://[^\s<>\"']{1,2000}$")
PHONE_RE = re.compile(r"^\+?[0-9 .()-]{6,20}$")
SENDER_RE = re.compile(r"^[A-Za-z0-9_.@:-]{1,128}$")


class BadRequest(ValueError):
    """A 400 with a description for the client."""


class TooLarge(BadRequest):
    """A body over the limit: 413."""


def _format(request: Request) -> str:
    return request.path_params.get("format", "json")


def _db(request: Request) -> DatabaseThreads:
    return request.app.state.db


async def services(request: Request) -> Response:
    rows = [
        {
            "service_code": c.code,
            "service_name": c.name_vi,
            "description": f"{c.name_vi} ({c.name_en})",
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join(c.phrases[:5]),
            "group": "phan-anh-hien-truong",
        }
        for c in categories.CATEGORIES
    ]
    return fmt.respond(rows, _format(request), "services", "service")


def _when(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 date or time; naive values are Huế time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=HUE_TZ)
        sane = EARLIEST <= moment <= LATEST
    except (ValueError, OverflowError):
        raise BadRequest(
            f"{name} must be an ISO 8601 date or time, e.g. 2026-11-01T00:00:00+07:00"
        ) from None
    if not sane:
        raise BadRequest(f"{name} must be between 1970 and 2100")
    return moment


def _list_filter(params: dict[str, str]) -> report_query.ReportFilter:
    """The spec's query: ids (then nothing else applies), or codes, status and a date range."""
    ids = [c for c in (params.get("service_request_id") or "").split(",") if c.strip()]
    if ids:
        if len(ids) > MAX_ROWS:
            raise BadRequest(f"at most {MAX_ROWS} service_request_id values")
        return report_query.ReportFilter(codes=ids)
    codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
    unknown = [c for c in codes if c not in categories.BY_CODE]
    if unknown:
        raise BadRequest(f"unknown service_code {unknown[0]!r}")
    statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise BadRequest("status must be open or closed")
    start, end = (
        _when(params.get("start_date"), "start_date"),
        _when(params.get("end_date"), "end_date"),
    )
    if start and end and end < start:
        raise BadRequest("end_date is before start_date")
    if start is None and end is None:
        end = now()
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS)  # type: ignore[operator]
    if end is None:
        end = start + timedelta(days=DEFAULT_DAYS)
    return report_query.ReportFilter(
        service_codes=codes,
        status=statuses.pop() if len(statuses) == 1 else None,
        since=iso(start),
        until=iso(end + timedelta(seconds=1)),
    )


async def list_requests(request: Request) -> Response:
    params = dict(request.query_params)
    try:
        filters = _list_filter(params)
    except BadRequest as error:
        return fmt.error(400, str(error), _format(request))
    rows = await _db(request).read(_newest, filters)
    documents = [fmt.request_document(face(row)) for row in rows]
    return fmt.respond(documents, _format(request), "service_requests", "request")


def _newest(store: Store, filters: report_query.ReportFilter) -> list[dict[str, Any]]:
    return report_query.newest_first(store.db, filters, limit=MAX_ROWS, columns=FACE_COLUMNS)


async def get_request(request: Request) -> Response:
    code = request.path_params["id"]
    report = await _db(request).read(Store.get_report, code) if len(code) <= 32 else None
    if report is None:
        return fmt.error(404, f"no service request {sanitize(code[:32])!r}", _format(request))
    return fmt.respond(
        [fmt.request_document(face(report))], _format(request), "service_requests", "request"
    )


def _key_ok(request: Request, key: str | None) -> bool:
    keys = request.app.state.settings.open311_api_keys
    return bool(key) and any(hmac.compare_digest(key.encode(), k.encode()) for k in keys)  # type: ignore[union-attr]


def _field(form: FormData, name: str) -> str:
    """A form field as text that may be stored (see ``bot.base.text.sanitize``)."""
    return sanitize(str(form.get(name) or "")).strip()


def _float(form: FormData, name: str) -> float | None:
    value = (form.get(name) or "").strip()  # type: ignore[union-attr]
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise BadRequest(f"{name} must be a number")
    return number


def _new_report(form: FormData) -> dict[str, Any]:
    """The store's arguments from the spec's form fields, or BadRequest."""
    code = str(form.get("service_code") or "").strip()
    if not code:
        raise BadRequest("service_code is required")
    if code not in categories.BY_CODE:
        raise BadRequest(f"unknown service_code {code[:40]!r}; see services.json")
    lat, long = _float(form, "lat"), _float(form, "long")
    if (lat is None) != (long is None):
        raise BadRequest("give both lat and long")
    if lat is not None and not -90 <= lat <= 90:
        raise BadRequest("lat must be between -90 and 90")
    if long is not None and not -180 <= long <= 180:
        raise BadRequest("long must be between -180 and 180")
    address = _field(form, "address_string") or None
    if lat is None and not address:
        raise BadRequest("a location is required: lat and long, or address_string")
    description = _field(form, "description")
    if not description:
        raise BadRequest("description is required")
    media_url = _field(form, "media_url") or None
    if media_url and not URL_RE.match(media_url):
        raise BadRequest("media_url must be an http or https URL")
    phone = _field(form, "phone") or None
    if phone and not PHONE_RE.match(phone):
        raise BadRequest("phone is not a phone number")
    account = _field(form, "account_id") or _field(form, "device_id")
    if account and not SENDER_RE.match(account):
        raise BadRequest("account_id or device_id has characters that are not allowed")
    return {
        "service_code": code,
        "description": description,
        "address": address,
        "ward": gazetteer.find_in(address),
        "lat": lat,
        "long": long,
        "media_url": media_url,
        "phone": phone,
        "sender_id": f"open311:{account}" if account else None,
    }


async def _form(request: Request) -> FormData:
    """The form, from a body read with its limit first (then parsed from memory)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY:
        raise TooLarge("request body over 64 KB")
    body = await request.body()  # streamed under bot.gateway.limits' 64 KB
    if len(body) > MAX_BODY:
        raise TooLarge("request body over 64 KB")
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/"):
        return await request.form(max_files=0, max_fields=100)  # reads the cached body
    text = body.decode("utf-8")  # the spec's forms are UTF-8, whatever the header omits
    if kind.startswith("application/json"):
        data = json.loads(text)
        if not isinstance(data, dict):
            raise BadRequest("expected a JSON object")
        return FormData([(k, "" if v is None else str(v)) for k, v in data.items()])
    return FormData(parse_qsl(text, keep_blank_values=True, max_num_fields=100))


async def post_request(request: Request) -> Response:
    out = _format(request)
    query_key = request.query_params.get("api_key")
    if query_key is not None and not _key_ok(request, query_key):
        return fmt.error(403, "api_key missing or not valid", out)  # before reading the body
    try:
        form = await _form(request)
    except BadRequest as error:
        return fmt.error(413 if isinstance(error, TooLarge) else 400, str(error), out)
    except Exception:  # noqa: BLE001 - any unparsable body is the client's error
        return fmt.error(400, "the body must be form fields (or a JSON object)", out)
    if query_key is None and not _key_ok(request, str(form.get("api_key") or "")):
        return fmt.error(403, "api_key missing or not valid", out)
    try:
        fields = _new_report(form)
    except BadRequest as error:
        return fmt.error(400, str(error), out)
    try:
        report, notice = await _db(request).write(_file, fields)
    except StoreError as error:
        return fmt.error(400, str(error), out)
    log.info("open311 request filed", extra={"report": report["service_request_id"]})
    row = {
        "service_request_id": report["service_request_id"],
        "service_notice": notice,
        "account_id": None,
    }
    return fmt.respond([row], out, "service_requests", "request")


def _file(store: Store, fields: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """File the request (noting a possible duplicate), on the writer thread."""
    candidate = store.find_duplicate(
        service_code=fields["service_code"],
        address=fields["address"],
        ward=fields["ward"],
        lat=fields["lat"],
        long=fields["long"],
    )
    notice = None
    note = "filed via open311"
    if candidate:
        notice = f"possible duplicate of {candidate['service_request_id']}"
        note = f"filed via open311; {notice}"
    report = store.file_report(channel="open311", actor="open311", note=note, **fields)
    return report, notice


async def unknown(request: Request) -> Response:
    """Any other path under ``/open311/``: the spec's error list, not the framework's page."""
    out = "xml" if request.url.path.endswith(".xml") else "json"
    return fmt.error(404, "no such Open311 resource; see /open311/v2/services.json", out)


def routes() -> list[BaseRoute]:
    base = "/open311/v2"
    return [
        Route(base + "/services.{format:str}", _formats(services), methods=["GET"]),
        Route(base + "/requests.{format:str}", _formats(list_requests), methods=["GET"]),
        Route(base + "/requests.{format:str}", _formats(post_request), methods=["POST"]),
        Route(base + "/requests/{id:str}.{format:str}", _formats(get_request), methods=["GET"]),
        Route("/open311/{rest:path}", unknown, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
    ]


def _formats(endpoint):  # type: ignore[no-untyped-def]
    """Only ``.json`` and ``.xml``: anything else is a 404 in JSON."""

    async def wrapped(request: Request) -> Response:
        if request.path_params.get("format") not in ("json", "xml"):
            return fmt.error(404, "use .json or .xml", "json")
        try:
            return await endpoint(request)
        except NotFound as error:
            return fmt.error(404, str(error), _format(request))

    return wrapped
