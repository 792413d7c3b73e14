"""``hue-assist reports``: list, show, and move field reports through their lifecycle."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from bot.base.clock import iso, now
from bot.cli.common import (
    USAGE,
    actor,
    console,
    fail,
    open_store,
    parse_day,
    print_json,
)
from bot.domain import categories, gazetteer, lifecycle
from bot.storage import report_query
from bot.storage.store import NotFound, StoreError

app = typer.Typer(
    help="Phản ánh hiện trường (field reports): xem, chuyển trạng thái, giao đơn vị.",
    no_args_is_help=True,
)


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _check_choices(values: list[str], allowed: tuple[str, ...] | list[str], option: str) -> None:
    wrong = [v for v in values if v not in allowed]
    if wrong:
        fail(f"{option}: {wrong[0]!r} không hợp lệ; chọn trong: {', '.join(allowed)}", USAGE)


@app.command("list")
def list_(
    state: list[str] = typer.Option(None, "--state", help="received, assigned, …"),
    category: list[str] = typer.Option(None, "--category", help="Mã loại (service_code)."),
    ward: list[str] = typer.Option(None, "--ward", help="Phường/xã."),
    channel: list[str] = typer.Option(None, "--channel", help="zalo, telegram, web, …"),
    overdue: bool = typer.Option(False, "--overdue", help="Chỉ phản ánh quá hạn (overdue)."),
    since: str = typer.Option(None, "--since", help="Từ ngày YYYY-MM-DD."),
    until: str = typer.Option(None, "--until", help="Đến hết ngày YYYY-MM-DD."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    page: int = typer.Option(1, "--page", min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Danh sách phản ánh: khẩn cấp trước (urgent), rồi quá hạn (overdue), rồi mới nhất."""
    states, codes, channels = _split(state), _split(category), _split(channel)
    _check_choices(states, lifecycle.STATES, "--state")
    _check_choices(codes, list(categories.BY_CODE), "--category")
    wards = []
    for name in _split(ward):
        found = gazetteer.lookup(name)
        if found is None:
            fail(f"--ward: không biết phường/xã {name!r} (unknown ward)", USAGE)
        wards.append(found)
    at = iso(now())
    filters = report_query.ReportFilter(
        states=states,
        service_codes=codes,
        wards=wards,
        channels=channels,
        since=parse_day(since, "--since"),
        until=parse_day(until, "--until", end=True),
        overdue_at=at if overdue else None,
    )
    with open_store() as store:
        rows = report_query.overdue_first(
            store.db, filters, at=at, limit=limit, offset=(page - 1) * limit
        )
    if as_json:
        print_json(rows)
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("Mã (code)", "Loại", "Trạng thái", "Phường", "Hạn (due)"):
        table.add_column(column, overflow="fold")
    for row in rows:
        due = (row.get("expected_datetime") or "")[:10]
        code = row["service_request_id"]
        table.add_row(
            f"[bold red]🚨 {code}[/bold red]" if row["urgent"] else code,
            escape(row["service_code"]),
            row["state"],
            escape(row.get("ward") or "—"),
            f"[red]{due} quá hạn[/red]" if row["overdue"] else due,
        )
    out = console()
    out.print(table)
    out.print(f"{len(rows)} phản ánh (trang {page}).")


def _show_text(report: dict) -> None:
    out = console()
    out.print(f"[bold]{report['service_request_id']}[/bold]  {escape(report['service_name'])}")
    for label, key in (
        ("KHẨN CẤP (urgent)", "emergency"),
        ("Trạng thái (state)", "state"),
        ("Đơn vị (agency)", "agency_responsible"),
        ("Gửi lúc (filed)", "requested_datetime"),
        ("Hạn (expected)", "expected_datetime"),
        ("Địa chỉ (address)", "address"),
        ("Phường (ward)", "ward"),
        ("Kênh (channel)", "channel"),
        ("Ghi chú (note)", "status_notes"),
        ("Trùng với (duplicate of)", "duplicate_of"),
        ("Đánh giá (rating)", "rating"),
    ):
        if report.get(key) not in (None, ""):
            out.print(f"{label}: {escape(str(report[key]))}")
    if report.get("lat") is not None:
        out.print(f"Toạ độ: {report['lat']}, {report['long']}")
    out.print(f"Mô tả: {escape(report['description'])}")
    _show_undelivered(report.get("undelivered_notifications") or [])
    out.print("[bold]Lịch sử (history)[/bold]")
    for row in report["history"]:
        move = (
            row["new_state"]
            if row["old_state"] in (None, row["new_state"])
            else (f"{row['old_state']} → {row['new_state']}")
        )
        note = f" — {escape(row['note'])}" if row.get("note") else ""
        out.print(f"  {row['at']}  {escape(row['actor'])}: {move}{note}")


REASONS = {
    "window": "công dân im lặng quá 7 ngày trên Zalo (outside the messaging window)",
    "blocked": "công dân đã chặn kênh (blocked)",
    "banned": "tài khoản bị khóa hoặc không hoạt động (banned or inactive)",
    "restricted": "công dân hạn chế loại tin này (restricted)",
    "not_follower": "công dân không còn quan tâm OA (not a follower)",
}


def _show_undelivered(rows: list[dict]) -> None:
    """Notifications that never reached a citizen: a person should call them."""
    if not rows:
        return
    out = console()
    out.print("[bold red]Thông báo chưa tới công dân (undelivered notifications)[/bold red]")
    for row in rows:
        who = "người gửi" if row["to"] == "reporter" else "người theo dõi"
        why = REASONS.get(row["reason"], row["reason"])
        call = " — hãy gọi điện (phone on file)" if row["phone_on_file"] else ""
        out.print(f"  {row['queued_at']}  {row['channel']}, {who}: {escape(why)}{call}")


@app.command("show")
def show(
    code: str = typer.Argument(..., help="Mã phản ánh, ví dụ PA-2026-000123."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Một phản ánh: các trường Open311, trạng thái, lịch sử, thông báo chưa tới (one report)."""
    with open_store() as store:
        report = store.get_report(code)
        if report is not None:
            found = report["service_request_id"]
            report["undelivered_notifications"] = store.undelivered_notifications(found)
    if report is None:
        fail(f"Không tìm thấy phản ánh {code!r} (not found).")
    report.pop("reporter", None)
    report.pop("year", None)
    report.pop("seq", None)
    if as_json:
        print_json(report)
        return
    _show_text(report)


@app.command("set-status")
def set_status(
    code: str = typer.Argument(..., help="Mã phản ánh."),
    state: str = typer.Argument(..., help=f"Trạng thái mới: {', '.join(lifecycle.STATES)}."),
    note: str = typer.Option(
        None, "--note", help="Ghi chú công khai: gửi công dân, đăng Open311 (public note)."
    ),
    internal_note: str = typer.Option(
        None, "--internal-note", help="Ghi chú nội bộ, chỉ trong lịch sử (staff only)."
    ),
    duplicate_of: str = typer.Option(None, "--duplicate-of", help="Mã phản ánh gốc."),
    as_: str = typer.Option(None, "--as", help="Người thực hiện (default: OS user)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Chuyển trạng thái (chỉ các bước hợp lệ); công dân được báo qua kênh đã dùng."""
    if state not in lifecycle.STATES:
        fail(f"Trạng thái {state!r} không có; chọn: {', '.join(lifecycle.STATES)}", USAGE)
    with open_store() as store:
        try:
            report = store.set_state(
                code,
                state,
                actor=actor(as_),
                note=note,
                duplicate_of=duplicate_of,
                internal_note=internal_note,
            )
        except NotFound:
            fail(f"Không tìm thấy phản ánh {code!r} (not found).")
        except StoreError as error:
            fail(f"Không chuyển được: {error}")
    if as_json:
        print_json({k: report[k] for k in ("service_request_id", "state", "status")})
        return
    typer.echo(f"{report['service_request_id']}: {state} ({lifecycle.name(state)}).")


@app.command("assign")
def assign(
    code: str = typer.Argument(..., help="Mã phản ánh."),
    agency: str = typer.Argument(..., help="Đơn vị xử lý (department)."),
    note: str = typer.Option(None, "--note", help="Ghi chú công khai (public note)."),
    internal_note: str = typer.Option(None, "--internal-note", help="Ghi chú nội bộ."),
    as_: str = typer.Option(None, "--as", help="Người thực hiện (default: OS user)."),
) -> None:
    """Giao phản ánh cho một đơn vị xử lý (assign to a department)."""
    with open_store() as store:
        try:
            report = store.assign(
                code, agency, actor=actor(as_), note=note, internal_note=internal_note
            )
        except NotFound:
            fail(f"Không tìm thấy phản ánh {code!r} (not found).")
        except StoreError as error:
            fail(f"Không giao được: {error}")
    typer.echo(f"{report['service_request_id']}: giao cho {report['agency_responsible']}.")
