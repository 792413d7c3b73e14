"""Report lifecycle on a real SQLite file: moves, history, notifications, subscriptions."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest

from bot.domain import lifecycle
from bot.storage.store import NotFound, Store, StoreError


def file(store: Store, **overrides):
    fields = dict(
        service_code="garbage",
        description="Rác ứ đọng ở đầu kiệt",
        channel="zalo",
        sender_id="zalo:1001",
        address="kiệt 5 Nguyễn Sinh Cung",
        ward="Vỹ Dạ",
        language="vi",
    )
    fields.update(overrides)
    return store.file_report(**fields)


def outbox(store: Store) -> list[dict]:
    rows = list(store.db.query("SELECT * FROM outbox ORDER BY id"))
    for row in rows:
        row["payload"] = json.loads(row["payload"])
    return rows


def test_filing_routes_to_the_category_department_with_a_due_time(store):
    report = file(store)
    assert report["agency_responsible"].startswith("Công ty CP Môi trường")
    filed = datetime.fromisoformat(report["requested_datetime"])
    due = datetime.fromisoformat(report["expected_datetime"])
    assert (due - filed).total_seconds() == 24 * 3600
    assert report["expected_datetime"].endswith("+07:00")


def test_ward_specific_routing_overrides_the_category(store):
    report = file(store, service_code="other", ward="Phú Vang", address="thôn 3")
    assert report["agency_responsible"] == "UBND xã Phú Vang"


def test_a_ward_named_in_the_address_is_recognised(store):
    report = file(store, ward=None, address="12 Lê Lợi, phường Vỹ Dạ")
    assert report["ward"] == "Vỹ Dạ"


def test_the_full_life_of_a_report_is_in_its_history(store):
    code = file(store)["service_request_id"]
    store.set_state(code, "assigned", actor="lan", note="Đã chuyển HEPCO")
    store.set_state(code, "in_progress", actor="hepco")
    done = store.set_state(code, "resolved", actor="lan", note="Đã thu gom")
    assert done["status"] == "closed" and done["status_notes"] == "Đã thu gom"
    moves = [(h["old_state"], h["new_state"], h["actor"]) for h in done["history"]]
    assert moves == [
        (None, "received", "citizen"),
        ("received", "assigned", "lan"),
        ("assigned", "in_progress", "hepco"),
        ("in_progress", "resolved", "lan"),
    ]
    reopened = store.set_state(code, "in_progress", actor="lan", note="Công dân báo chưa xong")
    assert reopened["status"] == "open"


@pytest.mark.parametrize(
    "path, refused",
    [((), "in_progress_x"), (("resolved",), "assigned"), (("rejected",), "resolved")],
)
def test_moves_the_lifecycle_does_not_allow_are_refused_and_change_nothing(store, path, refused):
    code = file(store)["service_request_id"]
    for state in path:
        store.set_state(code, state, actor="lan")
    before = store.get_report(code)
    with pytest.raises(StoreError):
        store.set_state(code, refused, actor="lan")
    assert store.get_report(code) == before


def test_every_allowed_move_is_accepted_and_every_other_refused():
    for old in lifecycle.STATES:
        for new in lifecycle.STATES:
            if new in lifecycle.TRANSITIONS[old]:
                lifecycle.check(old, new)
            else:
                with pytest.raises(lifecycle.TransitionError, match=f"from {old}"):
                    lifecycle.check(old, new)


def test_unknown_report_is_not_found(store):
    with pytest.raises(NotFound):
        store.set_state("PA-2026-999999", "assigned", actor="lan")


def test_duplicate_needs_the_original_and_records_it(store):
    first = file(store)["service_request_id"]
    second = file(store, sender_id="zalo:2002")["service_request_id"]
    with pytest.raises(StoreError, match="duplicate"):
        store.set_state(second, "duplicate", actor="lan")
    with pytest.raises(StoreError, match="duplicate"):
        store.set_state(second, "duplicate", actor="lan", duplicate_of=second)
    marked = store.set_state(second, "duplicate", actor="lan", duplicate_of=first.lower())
    assert marked["duplicate_of"] == first and marked["status"] == "closed"
    note = outbox(store)[-1]["payload"]["text"]
    assert first in note


def test_status_changes_notify_the_reporter_and_followers_on_their_channel(store):
    report = file(store)
    code = report["service_request_id"]
    assert store.subscribe(code, "telegram:77", "en") is True
    assert store.subscribe(code, "telegram:77", "en") is False  # once
    store.set_state(code, "assigned", actor="lan", note="HEPCO sẽ xử lý")
    store.set_state(code, "resolved", actor="lan")
    rows = outbox(store)
    assert [(r["sender_id"], r["channel"], r["kind"]) for r in rows] == [
        ("zalo:1001", "zalo", "notification"),
        ("telegram:77", "telegram", "notification"),
        ("zalo:1001", "zalo", "notification"),
        ("telegram:77", "telegram", "notification"),
    ]
    assert all(r["state"] == "pending" and r["service_request_id"] == code for r in rows)
    assert "Đã chuyển đơn vị xử lý" in rows[0]["payload"]["text"]
    assert "HEPCO sẽ xử lý" in rows[0]["payload"]["text"]
    assert rows[1]["payload"]["text"].startswith(f"Report {code}")  # the follower's language
    closed = rows[2]["payload"]
    assert "1 đến 5" in closed["text"] and len(closed["buttons"]) == 5
    assert code in closed["buttons"][0]["payload"]
    history = store.get_report(code)["history"]
    assert "follows" in history[1]["note"]


def test_reports_from_channels_we_cannot_write_to_queue_nothing(store):
    code = file(store, channel="open311", sender_id="open311:city-app")["service_request_id"]
    store.set_state(code, "assigned", actor="lan")
    assert outbox(store) == []


def test_a_failed_notification_rolls_the_state_change_back(store, tmp_path):
    code = file(store)["service_request_id"]
    store.db.execute(
        "CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'full'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        store.set_state(code, "assigned", actor="lan")
    report = store.get_report(code)
    assert report["state"] == "received" and len(report["history"]) == 1


def test_assign_moves_to_assigned_and_can_reassign(store):
    code = file(store)["service_request_id"]
    store.assign(code, "UBND phường Vỹ Dạ", actor="lan")
    again = store.assign(code, "HEPCO đội 2", actor="minh", note="đổi đơn vị")
    assert again["state"] == "assigned" and again["agency_responsible"] == "HEPCO đội 2"
    assert [h["actor"] for h in again["history"]] == ["citizen", "lan", "minh"]
    with pytest.raises(StoreError, match="agency"):
        store.assign(code, "  ", actor="lan")


def test_notes_are_plain_text_and_bounded(store):
    code = file(store)["service_request_id"]
    report = store.set_state(code, "assigned", actor="lan", note="<b>ok</b>\x00\x07")
    assert report["status_notes"] == "<b>ok</b>"
    with pytest.raises(StoreError, match="2000"):
        store.set_state(code, "in_progress", actor="lan", note="x" * 2001)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"lat": 91.0, "long": 107.0, "address": None}, "lat"),
        ({"lat": 16.4, "long": None}, "both"),
        ({"long": 181.0, "lat": 16.0}, "long"),
        ({"channel": "fax"}, "channel"),
        ({"address": "x" * 501}, "address"),
    ],
)
def test_bad_locations_and_channels_are_refused(store, overrides, message):
    with pytest.raises(StoreError, match=message):
        file(store, **overrides)
    assert store.db["reports"].count == 0


def test_sql_injection_strings_are_just_text(store):
    evil = "'; DROP TABLE reports; --"
    report = file(store, description=evil, address=evil)
    assert store.get_report(report["service_request_id"])["description"] == evil
    assert store.get_report(evil) is None
    assert store.db["reports"].count == 1


def _file_many(path: str, worker: int, count: int) -> None:
    store = Store(path)
    try:
        for i in range(count):
            store.file_report(
                service_code="garbage",
                description=f"worker {worker} report {i}",
                channel="web",
                sender_id=f"web:w{worker}",
                address=f"{i} Lê Lợi",
            )
    finally:
        store.close()


def test_four_processes_filing_at_once_get_unique_codes_and_history(tmp_path):
    import multiprocessing

    path = str(tmp_path / "shared.db")
    Store(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_file_many, args=(path, w, 60)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]  # no "database is locked"
    with Store(path) as store:
        codes = [r[0] for r in store.db.execute("SELECT service_request_id FROM reports")]
        histories = store.db.execute(
            "SELECT count(DISTINCT service_request_id) FROM report_history"
        ).fetchone()[0]
    assert len(codes) == len(set(codes)) == 240 and histories == 240
