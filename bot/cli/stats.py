"""``hue-assist stats``: the city's published numbers over a period."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.common import console, open_store, parse_day, print_json
from bot.domain import categories
from bot.services import stats


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def stats_command(
    since: str = typer.Option(None, "--since", help="Từ ngày YYYY-MM-DD."),
    until: str = typer.Option(None, "--until", help="Đến hết ngày YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json"),
    plot: Path = typer.Option(None, "--plot", help="Vẽ biểu đồ ra tệp PNG (draw charts)."),
) -> None:
    """Thống kê: tỷ lệ xử lý, mức độ hài lòng, thời gian xử lý, số lượng theo loại/phường/kênh."""
    with open_store() as store:
        numbers = stats.compute(
            store, parse_day(since, "--since"), parse_day(until, "--until", end=True)
        )
    if plot is not None:
        from bot.services import plots  # lazy: matplotlib takes ~0.5 s to import

        plots.draw(numbers, plot)
    if as_json:
        print_json(numbers)
        return
    out = console()
    out.print(f"[bold]Phản ánh (reports):[/bold] {numbers['reports']}")
    out.print(
        f"Tỷ lệ xử lý (processed): {_pct(numbers['processed_share'])} "
        f"({numbers['closed']}/{numbers['reports']})"
    )
    out.print(
        f"Mức độ hài lòng (satisfied): {_pct(numbers['satisfaction_share'])} "
        f"của {numbers['rated']} đánh giá"
    )
    median = numbers["median_hours_to_resolve"]
    out.print(f"Thời gian xử lý trung vị (median): {'—' if median is None else f'{median} giờ'}")
    out.print(f"Đang quá hạn (overdue now): {numbers['overdue_now']}")
    urgent = numbers["urgent"]
    kinds = ", ".join(f"{k} {v}" for k, v in urgent["by_kind"].items())
    out.print(
        f"Khẩn cấp (urgent): {urgent['reports']}, còn mở {urgent['open_now']}"
        + (f" ({escape(kinds)})" if kinds else "")
    )
    calls = numbers["calls"]
    confidence = calls["mean_confidence"]
    out.print(
        f"Cuộc gọi đã chép lời: {calls['transcribed']} (tin cậy TB "
        f"{'—' if confidence is None else f'{confidence:.2f}'}, chờ duyệt "
        f"{calls['waiting_for_review']}, khẩn cấp {calls['urgent']})"
    )
    handed = numbers["handovers"]
    first = handed["median_minutes_to_first_reply"]
    operators = ", ".join(f"{k} {v}" for k, v in handed["replies_by_operator"].items())
    out.print(
        f"Chuyển tổng đài viên (handovers): {handed['requested']}, đã nhận {handed['claimed']}, "
        f"trả lời đầu tiên sau (median) {'—' if first is None else f'{first} phút'}, "
        f"bỏ lỡ (abandoned) {handed['abandoned']}"
        + (f"; trả lời theo TĐV: {escape(operators)}" if operators else "")
    )
    zalo = numbers["zalo"]
    out.print(
        f"Zalo: {zalo['messages']} tin, {zalo['billable']} tính phí (48 giờ–7 ngày), "
        f"{zalo['templates']} tin mẫu, {zalo['outside_window']} chưa gửi được (quá 7 ngày)"
    )
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("Loại (category)")
    table.add_column("Số", justify="right")
    for code, count in numbers["by_category"].items():
        table.add_row(escape(categories.name(code)), str(count))
    out.print(table)
    channels = ", ".join(f"{k} {v}" for k, v in numbers["by_channel"].items())
    out.print(f"Theo kênh: {escape(channels)}")
    top_wards = list(numbers["by_ward"].items())[:5]
    out.print("5 phường/xã nhiều nhất: " + escape(", ".join(f"{k} {v}" for k, v in top_wards)))
    if plot is not None:
        out.print(f"Biểu đồ: {plot}")
