"""``hue-assist handover``: the operators' desk in a terminal, over the same library as ``/desk``.

``list`` the conversations handed to a person, ``show`` one (redacted; ``--raw`` audited),
``claim`` it, ``reply`` on the citizen's channel, ``transfer`` it, ``release`` it to the
assistant or ``close`` it. Who acts is ``--as``, else ``HUE_ASSIST_ACTOR``, else the OS user;
every view and change is written to the audit trail.
"""

from __future__ import annotations

from datetime import datetime

import typer
from rich.markup import escape
from rich.table import Table

from bot.base.clock import now
from bot.cli.common import actor, console, fail, open_store, print_json
from bot.domain.handover import Refused
from bot.services import desk
from bot.services.rasa_client import RasaUnavailable
from bot.storage.errors import NotFound, StoreError

app = typer.Typer(
    help="Chuyển cuộc trò chuyện cho tổng đài viên (human handover): xem, nhận, trả lời, trả về.",
    no_args_is_help=True,
)

AS = typer.Option(
    None, "--as", help="Ai thực hiện (who acts; default: HUE_ASSIST_ACTOR or the OS user)."
)
SENDER = typer.Argument(..., help="Mã người dân (sender id), ví dụ zalo:123 hoặc web:abc.")
REFUSALS = {
    "claimed_by_other": "đang do {holder} xử lý (claimed by someone else)",
    "not_claimed": "cần nhận xử lý trước: hue-assist handover claim (claim it first)",
    "not_open": "không còn ở bàn tổng đài viên (no longer handed over)",
    "not_yours": "chỉ người đang xử lý hoặc giám sát viên (only its holder or a supervisor)",
    "no_such_operator": "không có tài khoản đang hoạt động tên này (no such active account)",
}
STATES = {"waiting": "chờ", "claimed": "đang xử lý", "released": "đã trả về", "closed": "đã đóng"}
AUTHORS = {"citizen": "dân", "assistant": "trợ lý", "operator": "TĐV", "system": "hệ thống"}


def _refused(sender: str, error: Exception) -> None:
    """Exit 1 with the reason, in Vietnamese then English."""
    if isinstance(error, Refused):
        reason = REFUSALS.get(error.code, str(error)).format(holder=error.holder or "?")
    elif isinstance(error, RasaUnavailable):
        reason = f"chưa báo được cho trợ lý ảo, chưa có gì thay đổi (Rasa was not told: {error})"
    elif isinstance(error, NotFound):
        reason = "không có cuộc trò chuyện nào được chuyển cho tổng đài viên (not handed over)"
    else:
        reason = str(error)
    fail(f"{sender}: {reason}")


def _wait(requested_at: str) -> str:
    minutes = int((now() - datetime.fromisoformat(requested_at)).total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes} ph"


def _short(message: dict | None, width: int = 30) -> str:
    if not message:
        return ""
    body = message.get("text") or f"[{message.get('kind')}]"
    return body if len(body) <= width else body[: width - 1] + "…"


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Các cuộc trò chuyện đang chờ hoặc đang được xử lý: khẩn cấp trước, chờ lâu trước."""
    with open_store() as store:
        items = desk.queue(store)["items"]
    if as_json:
        print_json(items)
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("", "Người dân (sender)", "Kênh", "Trạng thái", "Chờ", "Tin cuối (last)"):
        table.add_column(column)
    for item in items:
        state = STATES[item["state"]]
        if item["claimed_by"]:
            state += f" ({item['claimed_by']})"
        table.add_row(
            "🚨" if item["urgent"] else ("📋" if item["reports"] else ""),
            escape(item["sender_id"]),
            item["channel"],
            escape(state),
            _wait(item["requested_at"]),
            escape(_short(item["last"])),
        )
    console().print(table)


@app.command("show")
def show(
    sender: str = SENDER,
    raw: bool = typer.Option(False, "--raw", help="Dữ liệu gốc, không che (audited)."),
    as_json: bool = typer.Option(False, "--json"),
    by: str = AS,
) -> None:
    """Toàn bộ cuộc trò chuyện, phản ánh của người dân và trạng thái (ghi nhật ký truy cập)."""
    with open_store() as store:
        try:
            view = desk.view(store, sender, desk.cli_actor(store, actor(by)), raw=raw)
        except (Refused, NotFound) as error:
            _refused(sender, error)
    if as_json:
        print_json(view)
        return
    out = console()
    case = view["handover"]
    holder = f" ({case['claimed_by']})" if case["claimed_by"] else ""
    out.print(
        f"[bold]{escape(sender)}[/bold] · {view['channel']} · {STATES[case['state']]}{holder}"
    )
    for message in view["messages"]:
        who = AUTHORS.get(message["author"], message["author"])
        if message.get("operator"):
            who += f" {message['operator']}"
        body = message["text"] or f"[{message['kind']}]"
        delivery = message.get("delivery")
        note = f"  ⚠ {delivery}: {message.get('delivery_error') or ''}" if delivery in (
            "undeliverable", "failed") else ""  # fmt: skip
        out.print(f"{message['at'][11:19]} {escape(who)}: {escape(body)}{escape(note)}")
    for report in view["reports"]:
        out.print(
            f"📋 {report['service_request_id']} {escape(report['service_name'])}: "
            f"{escape(report['state_name'])}"
        )


@app.command("claim")
def claim(sender: str = SENDER, by: str = AS) -> None:
    """Nhận xử lý cuộc trò chuyện (một tổng đài viên một lúc)."""
    with open_store() as store:
        try:
            case = desk.claim(store, sender, desk.cli_actor(store, actor(by)))
        except (Refused, NotFound) as error:
            _refused(sender, error)
    typer.echo(f"{sender}: {case.claimed_by} đang xử lý (claimed).")


@app.command("transfer")
def transfer(
    sender: str = SENDER,
    to: str = typer.Argument(..., help="Tài khoản nhận (the operator's account)."),
    by: str = AS,
) -> None:
    """Chuyển cuộc trò chuyện cho tổng đài viên khác."""
    with open_store() as store:
        try:
            case = desk.transfer(store, sender, desk.cli_actor(store, actor(by)), to)
        except (Refused, NotFound) as error:
            _refused(sender, error)
    typer.echo(f"{sender}: chuyển cho {case.claimed_by} (transferred).")


@app.command("reply")
def reply(
    sender: str = SENDER,
    text: str = typer.Argument(..., help="Câu trả lời gửi tới người dân trên kênh của họ."),
    by: str = AS,
) -> None:
    """Trả lời người dân trên kênh của họ (qua hộp thư đi: Zalo, Telegram, trang web)."""
    with open_store() as store:
        try:
            outbox_id = desk.reply(store, sender, desk.cli_actor(store, actor(by)), text)
        except (Refused, NotFound, StoreError) as error:
            _refused(sender, error)
    typer.echo(f"{sender}: đã xếp hàng gửi (queued, outbox #{outbox_id}).")


def _end(sender: str, by: str | None, close: bool) -> None:
    with open_store() as store:
        try:
            desk.end(
                store, sender, desk.cli_actor(store, actor(by)), desk.rasa_resume(), close=close
            )
        except (Refused, NotFound, RasaUnavailable) as error:
            _refused(sender, error)


@app.command("release")
def release(sender: str = SENDER, by: str = AS) -> None:
    """Trả cuộc trò chuyện về cho trợ lý ảo (người dân được báo)."""
    _end(sender, by, close=False)
    typer.echo(f"{sender}: đã trả về cho trợ lý ảo (released).")


@app.command("close")
def close(sender: str = SENDER, by: str = AS) -> None:
    """Đóng cuộc trò chuyện đã xử lý xong (người dân được báo; trợ lý ảo trả lời tiếp khi cần)."""
    _end(sender, by, close=True)
    typer.echo(f"{sender}: đã đóng (closed).")
