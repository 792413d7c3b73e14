"""The routing table: the shipped sample, overrides by ward, and tables we refuse."""

from __future__ import annotations

import pytest

from bot.domain import categories, routing
from bot.storage.store import Store


def test_the_shipped_table_routes_every_category_and_says_it_is_a_sample():
    table = routing.load(routing.DEFAULT_TABLE)
    assert table.sample is True
    assert "SAMPLE CONFIGURATION" in routing.DEFAULT_TABLE.read_text(encoding="utf-8")
    for code in categories.BY_CODE:
        route = table.route(code)
        assert route.agency and route.target_hours > 0


def write(tmp_path, text):
    path = tmp_path / "routing.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ("categories: {}\n", "default"),
        ("default: {agency: IOC, target_hours: -1}\n", "target_hours"),
        ("default: {agency: IOC, target_hours: 5}\ncategories: {ufo: {agency: X}}\n", "ufo"),
        (
            "default: {agency: IOC, target_hours: 5}\n"
            "categories: {tree: {wards: {Atlantis: {agency: X}}}}\n",
            "Atlantis",
        ),
        ("default: [unclosed\n", "routing.yml"),
    ],
)
def test_broken_tables_are_refused_with_the_reason(tmp_path, text, message):
    with pytest.raises(routing.RoutingError, match=message):
        routing.load(write(tmp_path, text))


def test_a_city_table_replaces_the_sample_through_the_environment(tmp_path, monkeypatch):
    path = write(
        tmp_path,
        "default: {agency: IOC, target_hours: 10}\n"
        "categories:\n  tree: {agency: Cây xanh, target_hours: 6, wards: {Kim Long: {agency: KL}}}\n",
    )
    monkeypatch.setenv("HUE_ASSIST_ROUTING", str(path))
    store = Store(tmp_path / "db.sqlite")
    try:
        common = dict(description="cây đổ", channel="web", address="1 Kim Long")
        assert (
            store.file_report(service_code="tree", ward="Vỹ Dạ", **common)["agency_responsible"]
            == "Cây xanh"
        )
        assert (
            store.file_report(service_code="tree", ward="kim long", **common)["agency_responsible"]
            == "KL"
        )
        assert store.file_report(service_code="noise", **common)["agency_responsible"] == "IOC"
    finally:
        store.close()
