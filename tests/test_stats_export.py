"""``hue-assist stats`` and ``hue-assist export`` against a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from bot.base.clock import iso, now
from bot.cli import app
from bot.storage.store import Store
from tests.review_support import seed_call

runner = CliRunner()


@pytest.fixture
def home(tmp_path):
    with Store(tmp_path / "hue-assist.db") as store:
        common = dict(
            channel="zalo",
            sender_id="zalo:1",
            address="12 Lê Lợi",
            ward="Vỹ Dạ",
            phone="0905123456",
        )
        codes = [
            store.file_report(service_code=code, description=text, **common)["service_request_id"]
            for code, text in [
                ("garbage", '=HYPERLINK("http://evil")'),
                ("garbage", "Rác đầy"),
                ("tree", "Cây đổ"),
                ("noise", "Karaoke"),
            ]
        ]
        for code, rating in ((codes[0], 5), (codes[1], 2)):
            store.set_state(code, "resolved", actor="lan")
            store.rate_report(code, rating, None, sender_id="zalo:1")
        store.set_state(codes[2], "rejected", actor="lan")
        store.db.execute(
            "UPDATE reports SET expected_datetime = ? WHERE service_request_id = ?",
            [iso(now() - timedelta(hours=1)), codes[3]],
        )
        seed_call(store, "C-a", confidence=0.8)
        seed_call(store, "C-b", confidence=0.6)
    return tmp_path


def run(home, *args):
    return runner.invoke(
        app, list(args), env={"HUE_ASSIST_HOME": str(home), "HUE_ASSIST_ACTOR": "lan"}
    )


def test_stats_give_the_citys_numbers(home):
    result = run(home, "stats", "--json")
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.output)
    assert numbers["reports"] == 4 and numbers["closed"] == 3
    assert numbers["processed_share"] == 0.75
    assert numbers["rated"] == 2 and numbers["satisfaction_share"] == 0.5
    assert numbers["median_hours_to_resolve"] is not None and numbers["median_hours_to_resolve"] < 1
    assert numbers["overdue_now"] == 1
    assert numbers["by_category"] == {"garbage": 2, "tree": 1, "noise": 1}
    assert numbers["by_channel"] == {"zalo": 4} and numbers["by_ward"] == {"Vỹ Dạ": 4}
    assert numbers["calls"] == {
        "transcribed": 2,
        "mean_confidence": 0.7,
        "waiting_for_review": 2,
        "urgent": 0,
    }
    assert numbers["urgent"] == {"reports": 0, "open_now": 0, "by_kind": {}}


def test_stats_over_a_period_and_as_text(home):
    future = (now() + timedelta(days=2)).date().isoformat()
    numbers = json.loads(run(home, "stats", "--json", "--since", future).output)
    assert numbers["reports"] == 0 and numbers["processed_share"] is None
    text = run(home, "stats")
    assert "Tỷ lệ xử lý" in text.output and "75.0%" in text.output and "50.0%" in text.output
    assert run(home, "stats", "--since", "01/11/2026").exit_code == 2


def test_stats_plot_writes_a_png(home, tmp_path):
    target = tmp_path / "stats.png"
    assert run(home, "stats", "--plot", str(target)).exit_code == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_export_leaves_personal_data_out_and_neutralises_formulas(home):
    result = run(home, "export", "reports", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4 and "phone" not in rows[0] and "0905123456" not in result.stdout
    assert rows[0]["description"].startswith("'=HYPERLINK")
    calls = json.loads(run(home, "export", "calls", "--format", "json").stdout)
    assert [c["call_id"] for c in calls] == ["C-a", "C-b"] and "caller_number" not in calls[0]
    with Store(home / "hue-assist.db") as store:
        assert store.db["audit_log"].count == 0


def test_export_with_personal_data_is_audited(home, tmp_path):
    target = tmp_path / "calls.json"
    result = run(home, "export", "calls", "--format", "json", "--include-pii", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))[0]["caller_number"] == "0905123456"
    with Store(home / "hue-assist.db") as store:
        [entry] = list(store.db.query("SELECT actor, action, subject FROM audit_log"))
    assert entry == {"actor": "lan", "action": "export_pii", "subject": "calls"}
    assert run(home, "export", "reports", "--format", "xls").exit_code == 2


def test_an_export_without_personal_data_is_the_public_face(home):
    """Issue 15: the export's description and place are what the public feed shows."""
    with Store(home / "hue-assist.db") as store:
        store.file_report(
            service_code="tree",
            description="Cây đổ, gọi 0914 555 666",
            channel="zalo",
            sender_id="zalo:2",
            address="27 Hùng Vương",
            lat=16.4637125,
            long=107.5908663,
        )
    rows = json.loads(run(home, "export", "reports", "--format", "json").stdout)
    mine = rows[-1]
    assert mine["description"] == "Cây đổ, gọi [SĐT]" and mine["address"] == "Hùng Vương"
    assert (mine["lat"], mine["long"]) == (16.464, 107.591) and "public_description" not in mine
    full = run(home, "export", "reports", "--format", "json", "--include-pii").stdout
    assert json.loads(full)[-1]["description"] == "Cây đổ, gọi 0914 555 666"
