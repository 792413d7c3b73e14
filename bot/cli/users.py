"""``hue-assist users``: the operators' desk accounts (add, passwd, disable, list).

Passwords are read from the terminal without echo (twice), or from standard input with
``--password-stdin`` (one line), never from the command line where ``ps`` and the shell's
history would keep them. Every change is written to the audit trail with who made it.
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape
from rich.table import Table

from bot.cli.common import USAGE, actor, console, fail, open_store, print_json
from bot.domain.accounts import AccountError
from bot.services import accounts
from bot.storage import users

app = typer.Typer(
    help="Tài khoản bàn tổng đài viên (desk accounts): thêm, đổi mật khẩu, khóa, liệt kê.",
    no_args_is_help=True,
)

AS = typer.Option(None, "--as", help="Ai thực hiện (who acts).")
STDIN = typer.Option(
    False, "--password-stdin", help="Đọc mật khẩu từ stdin (one line; for scripts)."
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Mật khẩu (password)", hide_input=True, confirmation_prompt=True)


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Tên tài khoản (a-z 0-9 . _ -)."),
    role: str = typer.Option(..., "--role", help="operator | supervisor"),
    password_stdin: bool = STDIN,
    by: str = AS,
) -> None:
    """Thêm tài khoản tổng đài viên hoặc giám sát viên."""
    if role not in ("operator", "supervisor"):
        fail("--role: operator hoặc supervisor (operator or supervisor)", USAGE)
    with open_store() as store:
        try:
            user = accounts.add(store, name, role, _password(password_stdin), by=actor(by))
        except AccountError as error:
            fail(f"{name}: {error}")
    typer.echo(f"{user.name}: đã tạo tài khoản {user.role} (account added).")


@app.command("passwd")
def passwd(
    name: str = typer.Argument(..., help="Tên tài khoản."),
    password_stdin: bool = STDIN,
    by: str = AS,
) -> None:
    """Đổi mật khẩu (mở khóa tài khoản; các phiên đăng nhập cũ kết thúc)."""
    with open_store() as store:
        try:
            accounts.passwd(store, name, _password(password_stdin), by=actor(by))
        except AccountError as error:
            fail(f"{name}: {error}")
    typer.echo(f"{name}: đã đổi mật khẩu (password changed; sessions ended).")


@app.command("disable")
def disable(name: str = typer.Argument(..., help="Tên tài khoản."), by: str = AS) -> None:
    """Khóa tài khoản: không đăng nhập được nữa, các phiên đang mở kết thúc ngay."""
    with open_store() as store:
        try:
            accounts.disable(store, name, by=actor(by))
        except AccountError as error:
            fail(f"{name}: {error}")
    typer.echo(f"{name}: đã khóa (disabled; sessions ended).")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Danh sách tài khoản (không bao giờ in mật khẩu)."""
    with open_store() as store:
        rows = [user.public() for user in users.all_users(store.db)]
    if as_json:
        print_json(rows)
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("Tài khoản", "Vai trò (role)", "Trạng thái", "Đăng nhập gần nhất"):
        table.add_column(column)
    for row in rows:
        state = (
            "đã khóa" if row["disabled"] else ("tạm khóa" if row["locked_until"] else "hoạt động")
        )
        table.add_row(escape(row["name"]), row["role"], state, (row["last_signin_at"] or "—")[:16])
    console().print(table)
