"""Open311 GeoReport v2 over real HTTP: a gateway process on 127.0.0.1 and a real SQLite file."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.base import settings as settings_mod
from bot.base.clock import iso, now
from bot.domain import categories
from bot.services.processes import Supervisor, free_port, gateway_service
from bot.storage.store import Store

KEY = "test-key-311"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("open311")
    env = {
        "HUE_ASSIST_HOME": str(home),
        "GATEWAY_PORT": str(free_port()),
        "OPEN311_API_KEYS": f"other-key, {KEY}",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",  # Open311 needs no Rasa
    }
    settings = settings_mod.load({**os.environ, **env})
    supervisor = Supervisor(home / "logs")
    service = gateway_service(settings, env)
    try:
        supervisor.start(service)
        supervisor.wait_ready(service, 60)
        yield f"{service.url}/open311/v2", settings.db_path
    finally:
        supervisor.stop_all()


@pytest.fixture
def api(gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway[0], timeout=10) as client:
        yield client


def post(api: httpx.Client, fmt: str = "json", **fields) -> httpx.Response:
    form = {
        "api_key": KEY,
        "service_code": "road_damage",
        "address_string": "27 Hùng Vương, phường Thuận Hóa",
        "description": "Ổ gà lớn giữa đường",
    }
    form.update({k: v for k, v in fields.items() if v is not None})
    for key in [k for k, v in fields.items() if v is None]:
        form.pop(key, None)
    return api.post(f"/requests.{fmt}", data=form)


def reports_in(db_path: Path) -> int:
    store = Store(db_path)
    try:
        return store.db["reports"].count
    finally:
        store.close()


def test_services_list_every_category_in_json_and_xml(api):
    services = api.get("/services.json").json()
    assert [s["service_code"] for s in services] == list(categories.BY_CODE)
    assert {"service_name", "metadata", "type", "keywords", "group"} <= set(services[0])
    root = ET.fromstring(api.get("/services.xml").content)
    assert root.tag == "services" and len(root.findall("service")) == len(services)


def test_a_filed_request_can_be_read_back_with_routing_and_history(api, gateway):
    response = post(api, phone="0905 123 456", account_id="city-app-42")
    assert response.status_code == 200, response.text
    [created] = response.json()
    code = created["service_request_id"]
    assert code.startswith("PA-")
    [request] = api.get(f"/requests/{code}.json").json()
    assert request["status"] == "open" and request["service_code"] == "road_damage"
    assert request["ward"] == "Thuận Hóa" and request["channel"] == "open311"
    assert request["agency_responsible"] and request["expected_datetime"].endswith("+07:00")
    assert "phone" not in request and "0905" not in response.text + str(request)
    store = Store(gateway[1])
    try:
        report = store.get_report(code)
        assert report["history"][0]["actor"] == "open311"
        assert store.phone_of(code) == "0905 123 456"
    finally:
        store.close()


def test_xml_filing_and_reading(api):
    response = post(api, "xml", lat="16.4700", long="107.6000", address_string=None)
    root = ET.fromstring(response.content)
    code = root.find("request/service_request_id").text
    request = ET.fromstring(api.get(f"/requests/{code}.xml").content).find("request")
    assert request.find("lat").text == "16.47" and request.find("status").text == "open"


def test_a_second_report_at_the_same_place_is_flagged_as_a_possible_duplicate(api):
    first = post(api, service_code="tree", description="Cây đổ").json()[0]
    second = post(api, service_code="tree", description="cay do chan duong").json()[0]
    assert second["service_notice"] == f"possible duplicate of {first['service_request_id']}"
    [request] = api.get(f"/requests/{second['service_request_id']}.json").json()
    assert request["state"] == "received"  # a supervisor decides; nothing is lost


def test_listing_filters_by_ids_code_status_and_dates(api):
    codes = [post(api, service_code="noise").json()[0]["service_request_id"] for _ in range(2)]
    listed = api.get("/requests.json", params={"service_request_id": ",".join(codes)}).json()
    assert sorted(r["service_request_id"] for r in listed) == sorted(codes)
    noise = api.get("/requests.json", params={"service_code": "noise", "status": "open"}).json()
    assert {r["service_request_id"] for r in noise} >= set(codes)
    assert all(r["service_code"] == "noise" for r in noise)
    start = iso(now() - timedelta(hours=1))
    end = iso(now() + timedelta(hours=1))
    window = api.get(
        "/requests.json", params={"service_code": "noise", "start_date": start, "end_date": end}
    ).json()
    assert {r["service_request_id"] for r in window} >= set(codes)
    past = api.get(
        "/requests.json",
        params={"start_date": "2020-01-01T00:00:00+07:00", "end_date": "2020-02-01"},
    ).json()
    assert past == []
    closed = api.get("/requests.json", params={"status": "closed"}).json()
    assert not {r["service_request_id"] for r in closed} & set(codes)


def expect_error(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    [error] = response.json()
    assert error["code"] == status and words in error["description"]


@pytest.mark.parametrize(
    "fields, status, words",
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"api_key": None}, 403, "api_key"),
        ({"service_code": "ufo"}, 400, "unknown service_code"),
        ({"service_code": None}, 400, "service_code is required"),
        ({"address_string": None}, 400, "location"),
        ({"lat": "95", "long": "107", "address_string": None}, 400, "lat"),
        ({"lat": "16.4", "address_string": None}, 400, "lat and long"),
        ({"lat": "abc", "long": "107"}, 400, "number"),
        ({"description": "x" * 4001}, 400, "4000"),
        ({"description": " "}, 400, "description"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ],
)
def test_bad_requests_get_the_spec_error_and_write_nothing(api, gateway, fields, status, words):
    before = reports_in(gateway[1])
    expect_error(post(api, **fields), status, words)
    assert reports_in(gateway[1]) == before


def test_errors_in_xml_too(api):
    response = post(api, "xml", api_key="wrong")
    assert response.status_code == 403
    error = ET.fromstring(response.content).find("error")
    assert error.find("code").text == "403"


def test_unknown_ids_bad_dates_and_formats(api):
    expect_error(api.get("/requests/PA-2026-999999.json"), 404, "PA-2026-999999")
    expect_error(api.get("/requests.json", params={"start_date": "yesterday"}), 400, "ISO 8601")
    expect_error(
        api.get("/requests.json", params={"start_date": "2026-02-01", "end_date": "2026-01-01"}),
        400,
        "before",
    )
    expect_error(api.get("/requests.json", params={"status": "pending"}), 400, "status")
    expect_error(api.get("/requests.json", params={"service_code": "ufo"}), 400, "ufo")
    assert api.get("/requests.html").status_code == 404


def test_html_and_sql_in_a_description_are_stored_as_text_and_escaped_in_xml(api):
    evil = "<script>alert('x')</script>'; DROP TABLE reports; --"
    code = post(api, description=evil).json()[0]["service_request_id"]
    [request] = api.get(f"/requests/{code}.json").json()
    assert request["description"] == evil
    raw = api.get(f"/requests/{code}.xml").text
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    assert ET.fromstring(raw).find("request/description").text == evil
    assert api.get("/services.json").status_code == 200  # the table is still there


def test_bodies_that_are_not_forms_are_refused(api):
    big = api.post(
        "/requests.json",
        content=b"a=" + b"x" * 70_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413
    latin = api.post(
        "/requests.json",
        content=b"api_key=\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert latin.status_code == 400
    as_json = api.post(
        "/requests.json",
        json={
            "api_key": KEY,
            "service_code": "tree",
            "lat": 16.46,
            "long": 107.59,
            "description": "Cành cây gãy",
        },
    )
    assert as_json.status_code == 200
