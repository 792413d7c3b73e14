"""``hue-assist review``: hotline calls waiting for a supervisor, and their draft reports."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.common import USAGE, actor, console, fail, open_store, parse_day, print_json
from bot.domain import categories, gazetteer
from bot.storage.store import NotFound, StoreError
from voice import review

app = typer.Typer(
    help="Duyệt cuộc gọi tổng đài và phiếu phản ánh nháp (review hotline calls and drafts).",
    no_args_is_help=True,
)

QUEUE_FIELDS = ("call_id", "received_at", "duration", "confidence", "intent", "draft_report_id")


def _clock(seconds: float | None) -> str:
    seconds = float(seconds or 0)
    return f"{int(seconds // 60):02d}:{int(seconds % 60):02d}"


@app.command("queue")
def queue(
    since: str = typer.Option(None, "--since", help="Từ ngày YYYY-MM-DD."),
    until: str = typer.Option(None, "--until", help="Đến hết ngày YYYY-MM-DD."),
    category: list[str] = typer.Option(None, "--category", help="Loại của phiếu nháp."),
    ward: list[str] = typer.Option(None, "--ward", help="Phường/xã."),
    channel: list[str] = typer.Option(None, "--channel", help="Kênh (hotline)."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    page: int = typer.Option(1, "--page", min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Cuộc gọi chờ duyệt: quá hạn trước, rồi độ tin cậy thấp nhất trước."""

    codes = [c for value in category or [] for c in value.split(",") if c]
    wrong = [c for c in codes if c not in categories.BY_CODE]
    if wrong:
        fail(f"--category: {wrong[0]!r} không hợp lệ; chọn: {', '.join(categories.BY_CODE)}", USAGE)
    wards = []
    for name in ward or []:
        found = gazetteer.lookup(name)
        if found is None:
            fail(f"--ward: không biết phường/xã {name!r} (unknown ward)", USAGE)
        wards.append(found)
    filters = review.QueueFilter(
        since=parse_day(since, "--since"),
        until=parse_day(until, "--until", end=True),
        categories=tuple(codes),
        wards=tuple(wards),
        channels=tuple(channel or ()),
    )
    with open_store() as store:
        rows = review.queue(store, filters, limit=limit, offset=(page - 1) * limit)
    if as_json:
        print_json([{k: row[k] for k in QUEUE_FIELDS} for row in rows])
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("Cuộc gọi", "Lúc", "Dài", "Tin cậy", "Ý định", "Nháp"):
        table.add_column(column, overflow="fold")
    for row in rows:
        confidence = f"{row['confidence']:.2f}" if row["confidence"] is not None else "—"
        if row["flagged"]:
            confidence = f"[red]{confidence}[/red]"
        when = (row["received_at"] or "")[5:16].replace("T", " ")
        if row["overdue"]:
            when = f"[red]{when}![/red]"
        table.add_row(
            f"[bold red]🚨 {row['call_id']}[/bold red]" if row["urgent"] else row["call_id"],
            when,
            _clock(row["duration"]),
            confidence,
            escape(row["intent"] or "—"),
            row["draft_report_id"] or "—",
        )
    out = console()
    out.print(table)
    out.print(
        f"{len(rows)} cuộc gọi chờ duyệt (trang {page}). 🚨 = khẩn cấp (urgent), "
        "[red]![/red] = quá hạn duyệt."
    )


def _print_call(call: dict, show_pii: bool) -> None:
    out = console()
    if call.get("emergency"):
        out.print(f"[bold red]🚨 KHẨN CẤP (urgent): {escape(call['emergency'])}[/bold red]")
    out.print(
        f"[bold]{call['call_id']}[/bold]  {call.get('received_at') or ''}  "
        f"{_clock(call.get('duration'))}  tin cậy {call.get('confidence') or 0:.2f}"
    )
    if show_pii:
        out.print(
            f"[yellow]Số gọi đến (caller): {escape(str(call.get('caller_number')))}"
            " — đã ghi nhật ký truy cập (audited)[/yellow]"
        )
    for segment in call["segments"]:
        stamp = f"{_clock(segment['start'])}-{_clock(segment['end'])}"
        text = escape(segment["text"])
        mark = ""
        if segment.get("low_confidence"):
            text, mark = f"[yellow]{text}[/yellow]", " [yellow]⚠[/yellow]"
        revised = (
            f" [dim](sửa bởi {escape(segment['revised_by'])})[/dim]"
            if segment.get("revised_by")
            else ""
        )
        out.print(
            f"[{segment['idx']}] {stamp} [bold]{segment['role']}[/bold]{mark}: {text}{revised}"
        )
    out.print(
        f"Ý định (intent): {escape(call.get('intent') or '—')} "
        f"({call.get('intent_confidence') or 0:.2f})"
    )
    for entity in call.get("entities") or []:
        out.print(f"  {escape(str(entity.get('entity')))} = {escape(str(entity.get('value')))}")
    if call.get("summary"):
        out.print(f"Tóm tắt: {escape(call['summary'])}")
    draft = call.get("draft")
    if draft:
        out.print(
            f"[bold]Phiếu nháp {draft['draft_id']}[/bold] ({draft['state']}): "
            f"{escape(categories.name(draft['category']))} — "
            f"{escape(draft.get('location') or '(chưa có địa điểm)')}"
            + (" [bold red]KHẨN CẤP[/bold red]" if draft.get("emergency") else "")
        )
        out.print(f"  {escape(draft['description'])}")
        if draft.get("missing"):
            out.print(f"  Còn thiếu: {', '.join(draft['missing'])}")
    if call.get("kb_answer_text"):
        out.print(
            f"Gợi ý trả lời ({escape(call.get('kb_answer_id') or '')}): "
            f"{escape(call['kb_answer_text'][:400])}"
        )


@app.command("show")
def show(
    call_id: str = typer.Argument(..., help="Mã cuộc gọi (C-…) hoặc phiếu nháp (D-…)."),
    show_pii: bool = typer.Option(
        False, "--show-pii", help="Hiện số điện thoại, lời gốc (audited)."
    ),
    as_: str = typer.Option(None, "--as", help="Người xem (default: OS user)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Một cuộc gọi: hội thoại theo vai, đoạn tin cậy thấp, NLU, phiếu nháp, gợi ý."""
    with open_store() as store:
        try:
            call = review.show(store, call_id, show_pii=show_pii, actor=actor(as_))
        except NotFound as error:
            fail(f"Không tìm thấy: {error}")
    if as_json:
        print_json(call)
        return
    _print_call(call, show_pii)


@app.command("edit")
def edit(
    call_id: str = typer.Argument(..., help="Mã cuộc gọi."),
    segment: int = typer.Option(..., "--segment", min=0, help="Số thứ tự đoạn [N]."),
    text: str = typer.Option(..., "--text", help="Lời đã sửa."),
    rederive: bool = typer.Option(False, "--rederive", help="Tạo lại phiếu nháp từ lời đã sửa."),
    as_: str = typer.Option(None, "--as", help="Người sửa (default: OS user)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Sửa một đoạn lời (lưu thành bản sửa; bản gốc giữ nguyên)."""
    who = actor(as_)
    with open_store() as store:
        try:
            revision = review.edit_segment(store, call_id, segment, text, who=who)
            draft = review.rederive_draft(store, call_id, who=who) if rederive else None
        except NotFound as error:
            fail(f"Không tìm thấy: {error}")
        except StoreError as error:
            fail(f"Không sửa được: {error}")
    if as_json:
        print_json({"revision": revision, "draft": draft})
        return
    typer.echo(f"Đã lưu bản sửa đoạn [{segment}] của {revision['call_id']} ({who}).")
    if draft:
        typer.echo(
            f"Phiếu nháp {draft['draft_id']}: {draft['category']} — {draft.get('location') or '?'}"
        )


@app.command("approve")
def approve(
    call_id: str = typer.Argument(..., help="Mã cuộc gọi (C-…) hoặc phiếu nháp (D-…)."),
    category: str = typer.Option(None, "--category", help="Sửa loại trước khi gửi."),
    location: str = typer.Option(None, "--location", help="Sửa địa điểm."),
    description: str = typer.Option(None, "--description", help="Sửa mô tả."),
    as_: str = typer.Option(None, "--as", help="Người duyệt (default: OS user)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Duyệt phiếu nháp thành phản ánh thật (định tuyến, kiểm tra trùng, lịch sử)."""
    if category and category not in categories.BY_CODE:
        fail(f"--category {category!r} không hợp lệ; chọn: {', '.join(categories.BY_CODE)}", USAGE)
    with open_store() as store:
        try:
            report = review.approve(
                store,
                call_id,
                who=actor(as_),
                category=category,
                location=location,
                description=description,
            )
        except NotFound as error:
            fail(f"Không tìm thấy: {error}")
        except StoreError as error:
            fail(f"Không duyệt được: {error}")
    if as_json:
        print_json(
            {
                k: report.get(k)
                for k in (
                    "service_request_id",
                    "state",
                    "agency_responsible",
                    "expected_datetime",
                    "service_notice",
                )
            }
        )
        return
    typer.echo(f"Đã tạo phản ánh {report['service_request_id']} → {report['agency_responsible']}.")
    if report.get("service_notice"):
        typer.echo(f"Lưu ý: {report['service_notice']} (xem `hue-assist reports show`).")


@app.command("reject")
def reject(
    call_id: str = typer.Argument(..., help="Mã cuộc gọi (C-…) hoặc phiếu nháp (D-…)."),
    reason: str = typer.Option(..., "--reason", help="Lý do (bắt buộc)."),
    as_: str = typer.Option(None, "--as", help="Người duyệt (default: OS user)."),
) -> None:
    """Loại phiếu nháp (hoặc đánh dấu đã duyệt một cuộc gọi không có phiếu), kèm lý do."""
    with open_store() as store:
        try:
            result = review.reject(store, call_id, who=actor(as_), reason=reason)
        except NotFound as error:
            fail(f"Không tìm thấy: {error}")
        except StoreError as error:
            fail(f"Không loại được: {error}")
    typer.echo(f"{result['call_id']}: {result['state']}.")
