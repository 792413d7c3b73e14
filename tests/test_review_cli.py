"""``hue-assist review``: the queue, a call, corrections, approving and rejecting drafts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from bot.base.clock import now
from bot.cli import app
from bot.storage.store import Store
from tests.review_support import seed_call, streetlight_draft

runner = CliRunner()


@pytest.fixture
def home(tmp_path):
    store = Store(tmp_path / "hue-assist.db")
    seed_call(store, "C-high", confidence=0.91, draft=streetlight_draft())
    seed_call(
        store, "C-low", confidence=0.35, draft=streetlight_draft("40 Hùng Vương", "Thuận Hóa")
    )
    seed_call(store, "C-mid", confidence=0.7, intent="ask_info")
    seed_call(
        store, "C-old", confidence=0.95, draft=streetlight_draft("5 Kim Long", "Kim Long"),
        received_at=now() - timedelta(days=2),
    )  # fmt: skip
    store.close()
    return tmp_path


def run(home, *args, who: str = "lan"):
    return runner.invoke(
        app, ["review", *args], env={"HUE_ASSIST_HOME": str(home), "HUE_ASSIST_ACTOR": who}
    )


def db(home) -> Store:
    return Store(home / "hue-assist.db")


def test_queue_json_contract_overdue_then_lowest_confidence(home):
    result = run(home, "queue", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["call_id"] for r in rows] == ["C-old", "C-low", "C-mid", "C-high"]
    assert set(rows[0]) == {
        "call_id",
        "received_at",
        "duration",
        "confidence",
        "intent",
        "draft_report_id",
    }
    assert rows[1]["draft_report_id"].startswith("D-") and rows[2]["draft_report_id"] is None


def test_queue_table_fits_80_columns_and_marks_overdue_and_low(home):
    result = run(home, "queue")
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "C-old" in result.output and "!" in result.output


def test_queue_filters(home):
    rows = json.loads(run(home, "queue", "--json", "--ward", "thuan hoa").output)
    assert [r["call_id"] for r in rows] == ["C-low"]
    rows = json.loads(
        run(
            home, "queue", "--json", "--since", (now() - timedelta(days=1)).date().isoformat()
        ).output
    )
    assert "C-old" not in [r["call_id"] for r in rows]
    assert run(home, "queue", "--category", "ufo").exit_code == 2


def test_show_is_redacted_and_show_pii_is_audited(home):
    shown = run(home, "show", "C-low", "--json")
    call = json.loads(shown.output)
    assert call["segments"][0]["text"].endswith("[SĐT]") and call["segments"][0]["low_confidence"]
    assert "0905123456" not in shown.output and call["draft"]["category"] == "streetlight"
    with db(home) as store:
        assert store.db["audit_log"].count == 0
    text = run(home, "show", "C-low")
    assert "caller" in text.output and "⚠" in text.output and "0905123456" not in text.output
    pii = run(home, "show", "C-low", "--show-pii", "--as", "minh")
    assert "0905123456" in pii.output
    with db(home) as store:
        [row] = list(store.db.query("SELECT actor, action, subject FROM audit_log"))
    assert row == {"actor": "minh", "action": "show_pii", "subject": "C-low"}


def test_edit_keeps_the_original_redacts_and_can_rederive_the_draft(home):
    result = run(
        home,
        "edit",
        "C-mid",
        "--segment",
        "0",
        "--text",
        "Đèn đường ở 9 Bà Triệu, Vỹ Dạ tắt, gọi 0912345678",
    )
    assert result.exit_code == 0, result.output
    call = json.loads(run(home, "show", "C-mid", "--json").output)
    segment = call["segments"][0]
    assert "0912345678" not in segment["text"] and "[SĐT]" in segment["text"]
    assert segment["revised_by"] == "lan" and segment["original_text"].startswith("Đèn đường hỏng")
    with db(home) as store:
        assert (
            store.db["call_segments"]
            .get(("C-mid", 0))["text_redacted"]
            .startswith("Đèn đường hỏng")
        )
    seeded = run(
        home,
        "edit",
        "C-low",
        "--segment",
        "0",
        "--text",
        "cây đổ chắn đường ở 3 Bà Triệu phường Vỹ Dạ",
        "--rederive",
        "--json",
    )
    draft = json.loads(seeded.output)["draft"]
    assert draft["category"] == "tree" and draft["ward"] == "Vỹ Dạ"
    assert run(home, "edit", "C-low", "--segment", "9", "--text", "x").exit_code == 1
    assert run(home, "edit", "C-nope", "--segment", "0", "--text", "x").exit_code == 1


def test_approve_files_a_routed_report_with_history_and_the_callers_phone_apart(home):
    result = run(home, "approve", "C-low", "--json", who="lan")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    code = report["service_request_id"]
    with db(home) as store:
        filed = store.get_report(code)
        assert filed["channel"] == "hotline" and filed["agency_responsible"]
        assert filed["history"][0]["actor"] == "lan" and "C-low" in filed["history"][0]["note"]
        assert store.phone_of(code) == "0905123456"
        draft = store.db.execute(
            "SELECT state, report_id, reviewed_by FROM draft_reports WHERE call_id = 'C-low'"
        ).fetchone()
    assert draft == ("filed", code, "lan")
    queue = [r["call_id"] for r in json.loads(run(home, "queue", "--json").output)]
    assert "C-low" not in queue
    again = run(home, "approve", "C-low")
    assert again.exit_code == 1 and "filed" in again.output


def test_approve_with_corrections_and_duplicate_notice(home):
    first = json.loads(run(home, "approve", "C-high", "--json").output)
    result = run(
        home,
        "approve",
        "C-old",
        "--location",
        "12 Le Loi, Vy Da",
        "--category",
        "streetlight",
        "--json",
    )
    second = json.loads(result.output)
    assert second["service_notice"] == f"possible duplicate of {first['service_request_id']}"
    assert run(home, "approve", "C-mid").exit_code == 1  # no draft
    assert run(home, "approve", "C-old", "--category", "ufo").exit_code == 2


def test_reject_needs_a_reason_and_records_it(home):
    assert run(home, "reject", "C-high").exit_code == 2  # --reason is required
    result = run(home, "reject", "C-high", "--reason", "Gọi nhầm số", who="minh")
    assert result.exit_code == 0
    assert run(home, "reject", "C-mid", "--reason", "Chỉ hỏi thông tin").exit_code == 0
    with db(home) as store:
        row = store.db.execute(
            "SELECT state, review_note, reviewed_by FROM draft_reports WHERE call_id = 'C-high'"
        ).fetchone()
        statuses = dict(store.db.execute("SELECT call_id, status FROM calls").fetchall())
    assert row == ("rejected", "Gọi nhầm số", "minh")
    assert statuses["C-high"] == statuses["C-mid"] == "reviewed"
    assert run(home, "reject", "C-mid", "--reason", "again").exit_code == 1
