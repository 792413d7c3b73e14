"""The command line: nlu parse, chat, and `up` starting and stopping everything."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.services.processes import free_port
from tests.webchat_support import running_gateway

ROOT = Path(__file__).resolve().parents[1]
HUE_ASSIST = str(Path(os.sys.executable).parent / "hue-assist")
runner = CliRunner()


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


def test_nlu_parse_prints_one_json_object_per_line(stack):
    lines = "den duong hong o Vy Da\n\nkiem tra PA-2026-000123\nhello\n"
    result = runner.invoke(app, ["nlu", "parse"], input=lines, env=stack.rasa_env)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    assert set(rows[0]) == {"text", "intent", "confidence", "entities"}
    assert rows[0]["intent"] == "report_incident"
    assert any(
        e["entity"] == "category" and e["value"] == "streetlight" for e in rows[0]["entities"]
    )
    assert rows[1]["intent"] is None and rows[1]["entities"] == []
    assert rows[2]["intent"] == "check_status"
    assert any(
        e["entity"] == "report_id" and e["value"] == "PA-2026-000123" for e in rows[2]["entities"]
    )
    for row in rows:
        for entity in row["entities"]:
            assert row["text"][entity["start"] : entity["end"]]


def test_nlu_parse_says_clearly_when_the_named_rasa_is_down():
    url = dead_url()
    result = runner.invoke(app, ["nlu", "parse"], input="xin chao\n", env={"RASA_URL": url})
    assert result.exit_code == 1
    assert f"not reachable at {url}" in result.output


def test_chat_says_clearly_when_the_gateway_is_down():
    url = dead_url()
    result = runner.invoke(app, ["chat"], input="xin chao\n", env={"GATEWAY_URL": url})
    assert result.exit_code == 1
    assert f"Không kết nối được tới gateway tại {url}" in result.output


def test_chat_talks_to_the_running_assistant_through_the_gateway(stack):
    with running_gateway(stack.env) as gateway:
        result = runner.invoke(
            app,
            ["chat"],
            input="xin chao\ntoi muon phan anh\n1\n",
            env={"GATEWAY_URL": gateway.url},
        )
    assert result.exit_code == 0, result.output
    assert "bot> Xin chào" in result.output
    assert "1. Đèn đường" in result.output  # buttons are numbered; "1" picks the first
    assert "ở đâu" in result.output


@pytest.mark.slow
def test_nlu_parse_starts_a_temporary_rasa_when_none_runs(trained_model, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "RASA_URL"}
    env.update({"RASA_PORT": str(free_port()), "HUE_ASSIST_HOME": str(tmp_path)})
    result = subprocess.run(
        [HUE_ASSIST, "nlu", "parse"],
        input="cam on nhieu\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["intent"] == "thank"
    assert "temporary" in result.stderr


def processes_with(fragment: str) -> list[int]:
    """PIDs whose command line contains ``fragment``."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fragment in cmdline:
            pids.append(int(proc.name))
    return pids


def two_free_ports() -> int:
    """A free port whose next one is free too (a second Rasa process listens there)."""
    while True:
        port = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


def start_up(
    tmp_path: Path, extra: dict[str, str] | None = None
) -> tuple[subprocess.Popen, dict[str, str], str]:
    """`hue-assist up` in the background, once it says it is up: the process, its ports and
    what it printed until then."""
    ports = {
        "RASA_PORT": str(two_free_ports()),
        "ACTION_PORT": str(free_port()),
        "GATEWAY_PORT": str(free_port()),
    }
    env = {**os.environ, **ports, "HUE_ASSIST_HOME": str(tmp_path)}
    env.pop("RASA_URL", None)
    env.update(extra or {})
    proc = subprocess.Popen(
        [HUE_ASSIST, "up"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 400
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen.append(line)
        if "hue-assist is up" in line:
            return proc, ports, "".join(seen)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("up did not come up:\n" + "".join(seen))


@pytest.mark.slow
def test_up_starts_everything_and_ctrl_c_leaves_no_process(trained_model, tmp_path):
    """With RASA_PROCESSES=2: two Rasa servers, each citizen's conversation on one of them."""
    proc, ports, _ = start_up(tmp_path, {"RASA_PROCESSES": "2"})
    rasa_flags = [f"-p {ports['RASA_PORT']}", f"-p {int(ports['RASA_PORT']) + 1}"]
    action_flag = f"-p {ports['ACTION_PORT']}"
    assert all(processes_with(flag) for flag in rasa_flags) and processes_with(action_flag)
    gateway = f"http://127.0.0.1:{ports['GATEWAY_PORT']}"
    health = httpx.get(f"{gateway}/healthz", timeout=10).json()
    assert health["status"] == "ok", health
    assert health["checks"]["rasa"] == health["checks"]["rasa-2"] == "ok"
    for user in range(6):  # spread over both servers; each conversation stays on its own
        chat = {"sender": f"up-{user}", "message": "toi muon phan anh"}
        first = httpx.post(f"{gateway}/api/chat", json=chat, timeout=60).json()
        assert "loại sự cố" in first["messages"][0]["text"]
        chat["message"] = "den duong bi hong"
        second = httpx.post(f"{gateway}/api/chat", json=chat, timeout=60).json()
        assert "ở đâu" in " ".join(m["text"] for m in second["messages"])
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output
    assert "all stopped" in output
    assert all(processes_with(flag) == [] for flag in rasa_flags)
    assert processes_with(action_flag) == []
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{ports['GATEWAY_PORT']}/healthz", timeout=2)


@pytest.mark.slow
def test_up_with_a_rasa_url_on_another_host_starts_no_rasa_here(trained_model, tmp_path):
    """The Rasa server runs elsewhere (192.0.2.1 is a documentation address that never
    answers): `up` starts the rest, says so, and the gateway reports Rasa as degraded."""
    proc, ports, started = start_up(tmp_path, {"RASA_URL": "http://192.0.2.1:5005"})
    try:
        assert processes_with(f"-p {ports['RASA_PORT']}") == []
        health = httpx.get(f"http://127.0.0.1:{ports['GATEWAY_PORT']}/healthz", timeout=10).json()
        assert health["status"] == "degraded" and health["checks"]["rasa"] != "ok", health
        assert health["checks"]["actions"] == "ok", health
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=60)[0]
    assert "not answering yet at http://192.0.2.1:5005 (RASA_URL: not started here)" in started
    assert "starting rasa" not in started and "all stopped" in output


@pytest.mark.slow
def test_up_stops_everything_when_one_service_dies(trained_model, tmp_path):
    proc, ports, _ = start_up(tmp_path)
    action_flag = f"-p {ports['ACTION_PORT']}"
    for pid in processes_with(action_flag):
        os.kill(pid, signal.SIGKILL)
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 1
    assert "actions stopped" in output
    assert processes_with(f"-p {ports['RASA_PORT']}") == []


def gateway_alive(ports: dict[str, str]) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{ports['GATEWAY_PORT']}/healthz", timeout=2)
    except httpx.TransportError:
        return False
    return True


def all_gone(ports: dict[str, str]) -> bool:
    flags = [f"-p {ports['RASA_PORT']}", f"-p {ports['ACTION_PORT']}"]
    return all(processes_with(flag) == [] for flag in flags) and not gateway_alive(ports)


@pytest.mark.slow
def test_closing_the_terminal_stops_everything(trained_model, tmp_path):
    """SIGHUP (a closed terminal or tmux window) stops the services like Ctrl-C: found when
    a killed tmux session left Rasa, the action server and the gateway running."""
    proc, ports, _ = start_up(tmp_path)
    proc.send_signal(signal.SIGHUP)
    output = proc.communicate(timeout=60)[0]
    assert "all stopped" in output
    assert all_gone(ports)


@pytest.mark.slow
def test_services_stop_when_up_is_killed_outright(trained_model, tmp_path):
    """SIGKILL leaves `up` no chance to stop anything: the kernel tells the services."""
    proc, ports, _ = start_up(tmp_path)
    proc.kill()
    proc.communicate(timeout=10)
    deadline = time.monotonic() + 60
    try:
        while not all_gone(ports) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert all_gone(ports)
    finally:  # a failure must not leave them running for the rest of the suite
        for flag in (f"-p {ports['RASA_PORT']}", f"-p {ports['ACTION_PORT']}"):
            for pid in processes_with(flag):
                os.kill(pid, signal.SIGKILL)
