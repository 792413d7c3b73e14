"""Duplicate detection at filing: same category, same place, open, in the last 7 days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.base.clock import now
from bot.domain import duplicates

LE_LOI = (16.4637, 107.5909)


def file(store, **overrides):
    fields = dict(
        service_code="streetlight",
        description="Đèn đường tắt",
        channel="zalo",
        sender_id="zalo:1",
        address="12 Lê Lợi",
        ward="Vỹ Dạ",
    )
    fields.update(overrides)
    return store.file_report(**fields)["service_request_id"]


def metres_north(lat: float, metres: float) -> float:
    return lat + metres / 111_195


def test_distance_is_right_at_hue_scale():
    assert duplicates.distance_m(*LE_LOI, metres_north(LE_LOI[0], 200), LE_LOI[1]) == (
        pytest.approx(200, abs=1)
    )


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("12 Lê Lợi", "so 12 duong le loi", True),
        ("12 Lê Lợi, phường Vỹ Dạ", "12 le loi", True),
        ("Kiệt 5 Nguyễn Sinh Cung", "kiet 5 nguyen sinh cung, vy da", True),
        ("12 Lê Lợi", "12 Lê Lơi", True),  # a typo
        ("12 Lê Lợi", "40 Hùng Vương", False),
        ("chợ Đông Ba", "cầu Trường Tiền", False),
        ("", "12 Lê Lợi", False),
    ],
)
def test_addresses_compare_without_accents_or_filler(a, b, same):
    ka, kb = duplicates.address_key(a, "Vỹ Dạ"), duplicates.address_key(b, "Vỹ Dạ")
    assert duplicates.similar(ka, kb) is same


def test_same_ward_and_similar_address_is_a_duplicate(store):
    first = file(store)
    found = store.find_duplicate(service_code="streetlight", address="so 12 le loi", ward="vy da")
    assert found["service_request_id"] == first


def test_within_250_metres_is_a_duplicate_and_the_nearest_wins(store):
    far = file(store, address=None, lat=metres_north(LE_LOI[0], 240), long=LE_LOI[1])
    near = file(store, address=None, lat=metres_north(LE_LOI[0], 30), long=LE_LOI[1])
    found = store.find_duplicate(service_code="streetlight", lat=LE_LOI[0], long=LE_LOI[1])
    assert found["service_request_id"] == near != far


def test_beyond_250_metres_is_not(store):
    file(store, address=None, lat=metres_north(LE_LOI[0], 300), long=LE_LOI[1])
    assert store.find_duplicate(service_code="streetlight", lat=LE_LOI[0], long=LE_LOI[1]) is None


@pytest.mark.parametrize(
    "change",
    ["category", "ward", "closed", "old"],
)
def test_other_category_ward_closed_or_old_reports_are_not_duplicates(store, change):
    code = file(store)
    query = dict(service_code="streetlight", address="12 Le Loi", ward="Vỹ Dạ")
    if change == "category":
        query["service_code"] = "garbage"
    elif change == "ward":
        query["ward"] = "Kim Long"
    elif change == "closed":
        store.set_state(code, "resolved", actor="lan")
    else:
        query["at"] = now() + timedelta(days=8)
    assert store.find_duplicate(**query) is None
