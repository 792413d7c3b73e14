"""The reports store on a real SQLite file."""

import re
import sqlite3

import pytest

from bot.storage import schema
from bot.storage.store import NotAllowed, Store, StoreError


def file(store, **overrides):
    fields = dict(
        service_code="streetlight",
        description="Đèn đường tắt ba đêm nay",
        channel="web",
        sender_id="web:alice",
        address="12 Lê Lợi",
        ward="Thuận Hóa",
    )
    fields.update(overrides)
    return store.file_report(**fields)


def test_filing_gives_sequential_codes_and_a_history_row(store):
    first, second = file(store), file(store)
    assert re.fullmatch(r"PA-\d{4}-000001", first["service_request_id"])
    assert second["service_request_id"].endswith("000002")
    assert first["state"] == "received" and first["status"] == "open"
    assert first["requested_datetime"].endswith("+07:00")
    assert [h["new_state"] for h in first["history"]] == ["received"]


def test_phone_is_kept_apart_and_reporter_is_pseudonymous(store):
    report = file(store, phone="0905123456")
    assert "phone" not in report
    assert "alice" not in (report["reporter"] or "")
    assert store.db["report_contacts"].get(report["service_request_id"])["phone"] == "0905123456"
    assert store.latest_report_of("web:alice")["service_request_id"] == report["service_request_id"]
    assert store.latest_report_of("web:bob") is None


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"service_code": "ufo"}, "unknown category"),
        ({"description": "   "}, "needs a description"),
        ({"description": "x" * 4001}, "4000"),
        ({"address": None}, "address or coordinates"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_written(store, overrides, message):
    with pytest.raises(StoreError, match=message):
        file(store, **overrides)
    assert store.db["reports"].count == 0
    assert store.db["report_history"].count == 0


def test_sql_and_html_are_stored_as_text(store):
    nasty = "'; DROP TABLE reports; -- <script>alert(1)</script>"
    report = file(store, description=nasty, address=nasty)
    assert store.get_report(report["service_request_id"])["description"] == nasty
    assert store.db["reports"].count == 1


def test_rating_is_stored_with_history_and_checked(store):
    code = file(store)["service_request_id"]
    store.set_state(code, "resolved", actor="lan")  # only a closed report is rated (issue 15)
    store.rate_report(code, 5, "nhanh lắm", sender_id="web:alice")
    report = store.get_report(code)
    assert (report["rating"], report["rating_comment"]) == (5, "nhanh lắm")
    assert report["history"][-1]["note"] == "rated 5/5"
    with pytest.raises(StoreError):
        store.rate_report(code, 9, None, sender_id="web:alice")
    with pytest.raises(StoreError):
        store.rate_report("PA-2020-999999", 3, None, sender_id="web:alice")


def test_only_the_reporter_or_a_follower_rates_a_closed_report_once(store):
    code = file(store)["service_request_id"]
    with pytest.raises(NotAllowed) as refused:
        store.rate_report(code, 1, None, sender_id="web:alice")
    assert refused.value.reason == "not_closed"
    store.set_state(code, "resolved", actor="lan")
    with pytest.raises(NotAllowed) as refused:
        store.rate_report(code, 1, "tệ", sender_id="web:mallory")  # a stranger with the code
    assert refused.value.reason == "not_yours"
    store.subscribe(code, "zalo:bob")
    store.rate_report(code, 4, None, sender_id="zalo:bob")
    store.rate_report(code, 5, None, sender_id="zalo:bob")  # changing one's own rating
    with pytest.raises(NotAllowed) as refused:
        store.rate_report(code, 1, None, sender_id="web:alice")  # not someone else's
    assert refused.value.reason == "rated"
    report = store.get_report(code)
    assert report["rating"] == 5
    assert report["history"][-1]["note"] == "rating 4/5 → 5/5"


def test_the_public_face_hides_numbers_house_numbers_and_exact_places(store):
    from bot.domain.public import face

    report = file(
        store,
        description="Đèn hỏng, gọi tôi 0905 123 456 hoặc mail lan@gmail.com",
        address="27 Hùng Vương, phường Thuận Hóa",
        lat=16.4637125,
        long=107.5908663,
    )
    shown = face(store.get_report(report["service_request_id"]))
    assert shown["description"] == "Đèn hỏng, gọi tôi [SĐT] hoặc mail [EMAIL]"
    assert shown["address"] == "Hùng Vương, phường Thuận Hóa"
    assert (shown["lat"], shown["long"]) == (16.464, 107.591)
    assert "public_description" not in shown


def test_public_and_internal_notes_are_kept_apart(store):
    code = file(store)["service_request_id"]
    report = store.set_state(
        code,
        "assigned",
        actor="lan",
        note="Đã chuyển đội điện, liên hệ anh Hùng 0914 222 333",
        internal_note="chủ nhà khó tính, gọi trước",
    )
    assert report["status_notes"] == "Đã chuyển đội điện, liên hệ anh Hùng [SĐT]"
    assert "chủ nhà" in report["history"][-1]["note"]
    assert "chủ nhà" not in str(report["status_notes"])


def test_control_characters_and_noncharacters_never_reach_the_table(store):
    report = file(
        store, description="ổ gà\x00\x07\ufffe\uffff\ud800 lớn", address="5 Lê\x0b Lợi\ufffe"
    )
    stored = store.get_report(report["service_request_id"])
    assert stored["description"] == "ổ gà lớn"
    assert stored["address"] == "5 Lê Lợi"


def test_handover_request_and_release(store):
    store.request_handover("zalo:123")
    assert [h["sender_id"] for h in store.pending_handovers()] == ["zalo:123"]
    assert store.release_handover("zalo:123", "lan")
    assert not store.release_handover("zalo:123", "lan")
    assert store.pending_handovers() == []


def test_wal_mode_and_migrations_are_idempotent(tmp_path):
    Store(tmp_path / "db.sqlite").close()
    again = Store(tmp_path / "db.sqlite")
    assert again.db.journal_mode == "wal"
    assert again.db.execute("PRAGMA user_version").fetchone()[0] == len(schema.all_migrations())
    assert schema.applied(again.db) == [name for name, _ in schema.all_migrations()]
    again.close()
    assert sqlite3.connect(tmp_path / "db.sqlite").execute(
        "select count(*) from reports"
    ).fetchone() == (0,)
