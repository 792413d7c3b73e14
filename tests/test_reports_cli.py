"""``hue-assist reports``: list, show, set-status, assign through typer against a real file."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from bot.base.clock import iso, now
from bot.cli import app
from bot.storage.store import Store

runner = CliRunner()


@pytest.fixture
def home(tmp_path):
    store = Store(tmp_path / "hue-assist.db")
    common = dict(channel="zalo", sender_id="zalo:9", address="12 Lê Lợi", ward="Vỹ Dạ")
    codes = [
        store.file_report(service_code="garbage", description="Rác [bold]đầy[/bold]", **common),
        store.file_report(service_code="tree", description="Cây đổ", **common),
        store.file_report(service_code="noise", description="Karaoke", **common),
    ]
    # the first one is overdue
    store.db.execute(
        "UPDATE reports SET expected_datetime = ? WHERE service_request_id = ?",
        [iso(now() - timedelta(hours=3)), codes[0]["service_request_id"]],
    )
    store.close()
    return tmp_path, [c["service_request_id"] for c in codes]


def run(home, *args):
    return runner.invoke(app, ["reports", *args], env={"HUE_ASSIST_HOME": str(home[0])})


def test_list_puts_overdue_first_and_fits_80_columns(home):
    result = run(home, "list")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "PA-" in line]
    assert home[1][0] in lines[0] and "quá hạn" in lines[0]
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_list_json_filters(home):
    rows = json.loads(run(home, "list", "--json", "--category", "tree,noise").output)
    assert sorted(r["service_code"] for r in rows) == ["noise", "tree"]
    assert all("phone" not in r and "reporter" not in r for r in rows)
    overdue = json.loads(run(home, "list", "--json", "--overdue").output)
    assert [r["service_request_id"] for r in overdue] == [home[1][0]]
    assert json.loads(run(home, "list", "--json", "--ward", "vy da", "--limit", "1").output)
    page2 = json.loads(run(home, "list", "--json", "--limit", "2", "--page", "2").output)
    assert len(page2) == 1


@pytest.mark.parametrize(
    "args",
    [("--state", "lost"), ("--category", "ufo"), ("--ward", "Atlantis"), ("--since", "hôm qua")],
)
def test_list_usage_errors_exit_2(home, args):
    result = run(home, "list", *args)
    assert result.exit_code == 2
    assert args[0] in result.output


def test_show_prints_markup_as_text_and_json_has_history(home):
    result = run(home, "show", home[1][0])
    assert result.exit_code == 0 and "[bold]đầy[/bold]" in result.output
    data = json.loads(run(home, "show", home[1][0], "--json").output)
    assert data["service_request_id"] == home[1][0] and data["state"] == "received"
    assert {"status", "service_code", "description", "address", "lat", "long"} <= set(data)
    assert data["channel"] == "zalo" and data["history"][0]["new_state"] == "received"
    assert "reporter" not in data and "phone" not in data


def test_show_unknown_exits_1(home):
    result = run(home, "show", "PA-2026-999999")
    assert result.exit_code == 1 and "Không tìm thấy" in result.output


def test_set_status_and_assign_record_who(home):
    code = home[1][1]
    assert run(home, "assign", code, "UBND phường Vỹ Dạ", "--as", "lan").exit_code == 0
    result = run(home, "set-status", code, "resolved", "--note", "Đã dọn", "--as", "minh")
    assert result.exit_code == 0, result.output
    data = json.loads(run(home, "show", code, "--json").output)
    assert data["status"] == "closed" and data["agency_responsible"] == "UBND phường Vỹ Dạ"
    assert [h["actor"] for h in data["history"]][1:] == ["lan", "minh"]


def test_refused_transition_exits_1_and_unknown_state_exits_2(home):
    code = home[1][2]
    run(home, "set-status", code, "rejected", "--note", "ngoài phạm vi")
    refused = run(home, "set-status", code, "resolved")
    assert refused.exit_code == 1 and "rejected" in refused.output
    assert run(home, "set-status", code, "flying").exit_code == 2
    assert run(home, "set-status", "PA-2026-999999", "assigned").exit_code == 1
