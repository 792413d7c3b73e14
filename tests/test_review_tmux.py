"""A supervisor's review session in a real terminal (tmux): type commands, read the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bot.storage.store import Store
from tests.review_support import seed_call, streetlight_draft

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
BIN = Path(sys.executable).parent


class Terminal:
    """One tmux session running bash, 100×40."""

    def __init__(self, env: dict[str, str]) -> None:
        self.name = f"review-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", "100", "-y", "40",
             "bash --norc --noprofile"],
            env=env, check=True,
        )  # fmt: skip

    def type(self, line: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, line, "Enter"], check=True)

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-J", "-S", "-200", "-t", self.name],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """The screen once ``text`` shows up on it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False)


def test_a_supervisor_reviews_a_call_in_the_terminal(tmp_path):
    with Store(tmp_path / "hue-assist.db") as store:
        seed_call(store, "C-street", confidence=0.42, draft=streetlight_draft())
        seed_call(store, "C-info", confidence=0.88, intent="ask_info")
    env = {
        **os.environ,
        "HUE_ASSIST_HOME": str(tmp_path),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PS1": "READY> ",
        "COLUMNS": "100",
    }
    terminal = Terminal(env)
    try:
        terminal.type("export PS1='READY> '; clear")
        terminal.type("hue-assist review queue")
        screen = terminal.wait_for("cuộc gọi chờ duyệt")
        assert screen.index("C-street") < screen.index("C-info")  # lowest confidence first
        terminal.type("hue-assist review show C-street")
        screen = terminal.wait_for("Phiếu nháp")
        assert "caller" in screen and "⚠" in screen and "[SĐT]" in screen
        assert "0905123456" not in screen
        terminal.type("hue-assist review approve C-street --as lan")
        screen = terminal.wait_for("Đã tạo phản ánh PA-")
        code = screen.split("Đã tạo phản ánh ")[1].split()[0]
        terminal.type("clear; hue-assist review queue")
        screen = terminal.wait_for("1 cuộc gọi chờ duyệt")
        assert "C-street" not in screen
        terminal.type(f"hue-assist reports show {code}")
        screen = terminal.wait_for("Lịch sử")
        assert "lan: received" in screen and "hotline" in screen
        terminal.type("hue-assist review reject C-info --reason 'Chỉ hỏi giờ làm việc'")
        terminal.wait_for("C-info: reviewed.")
    finally:
        terminal.close()
