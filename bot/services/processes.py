"""Starting, watching and stopping the assistant's processes, with no orphans left behind.

Each service runs in its own process group, so stopping it also stops whatever it spawned.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bot.base.settings import Settings, project_root
from bot.services.rasa_client import RasaClient, RasaUnavailable
from bot.services.training import MODEL_NAME, rasa_env


@dataclass
class Service:
    name: str
    argv: list[str]
    ready: Callable[[], bool]
    url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_ok(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    return check


def rasa_service(settings: Settings, port: int, tracker_db: Path | None = None) -> Service:
    """The Rasa server with the trained model, its API on 127.0.0.1 only.

    Rasa always reads endpoints.yml, so both its variables are set even for a server that
    only parses (``nlu parse``), which gets a tracker file of its own.
    """
    root = project_root()
    # Rasa's own entry point, behind one speed fix (see nlu_components/server.py).
    argv = [
        str(settings.rasa_bin.parent / "python"),
        "-m",
        "nlu_components.server",
        "run",
        "--enable-api",
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "-m",
        str(root / "models" / f"{MODEL_NAME}.tar.gz"),
        "--credentials",
        str(root / "credentials.yml"),
        "--endpoints",
        str(root / "endpoints.yml"),
    ]
    env = rasa_env(root)
    # A turn's tensors are tiny: TensorFlow's thread pools only contend with the other
    # processes (measured: +5% turns/s with two Rasa processes on two cores).
    env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    env["ACTION_SERVER_URL"] = settings.action_server_url
    env["ACTION_SERVER_SECRET"] = settings.action_secret  # sent as X-Action-Secret
    env["HUE_ASSIST_RASA_TOKEN"] = settings.rasa_token  # --auth-token, inside the process
    env["RASA_TRACKER_DB"] = str(tracker_db or settings.home / "rasa-tracker.db")
    url = f"http://127.0.0.1:{port}"
    client = RasaClient(url, token=settings.rasa_token)
    return Service("rasa", argv, client.model_loaded, url, env)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def local_rasa_port(url: str) -> int | None:
    """The port to start a Rasa server on for ``url``, or None when it is another machine's."""
    parsed = urlsplit(url)
    if parsed.hostname not in LOOPBACK:
        return None
    return parsed.port or (443 if parsed.scheme == "https" else 80)


def rasa_services(settings: Settings) -> list[Service]:
    """The Rasa servers to start here, sharing one tracker database: ``RASA_PROCESSES`` on
    consecutive ports, or those of ``RASA_URL`` that are on this machine (loopback). A server
    on another host is started there, not here.

    The gateway sends each conversation to one of them (``Settings.rasa_for``).
    """
    services = []
    for index, url in enumerate(settings.rasa_servers):
        port = local_rasa_port(url)
        if port is None:
            continue
        service = rasa_service(settings, port)
        if index:
            service.name = f"rasa-{index + 1}"
        services.append(service)
    return services


def remote_rasa_urls(settings: Settings) -> list[str]:
    """The Rasa servers of ``RASA_URL`` that ``up`` does not start (another host)."""
    return [url for url in settings.rasa_servers if local_rasa_port(url) is None]


def action_service(settings: Settings) -> Service:
    """The rasa_sdk action server running our ``actions`` package in this environment."""
    env = dict(os.environ)
    env["HUE_ASSIST_HOME"] = str(settings.home)
    env["SANIC_HOST"] = "127.0.0.1"  # rasa_sdk listens on every interface otherwise
    env["ACTION_SERVER_SECRET"] = settings.action_secret  # only Rasa's calls are run
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project_root()), env.get("PYTHONPATH")]))
    argv = [sys.executable, "-m", "actions", "-p", str(settings.action_port)]
    url = f"http://127.0.0.1:{settings.action_port}"
    return Service("actions", argv, http_ok(f"{url}/health"), url, env)


def gateway_service(settings: Settings, extra_env: dict[str, str] | None = None) -> Service:
    """The gateway (uvicorn) serving channels, the web chat and Open311."""
    env = {**os.environ, **(extra_env or {})}
    env.update(
        HUE_ASSIST_HOME=str(settings.home),
        RASA_URL=",".join(settings.rasa_servers),
        ACTION_SERVER_URL=settings.action_server_url,
        GATEWAY_PORT=str(settings.gateway_port),
        RASA_TOKEN=settings.rasa_token,
    )
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project_root()), env.get("PYTHONPATH")]))
    url = f"http://127.0.0.1:{settings.gateway_port}"
    argv = [sys.executable, "-m", "bot.gateway"]
    return Service("gateway", argv, http_ok(f"{url}/healthz"), url, env)


def voice_service(settings: Settings) -> Service:
    """The voice worker, watching ``HUE_ASSIST_HOME/inbox/calls/`` (see voice/worker.py).

    It has no port: it is ready once its heartbeat file names this very process.
    """
    env = dict(os.environ)
    env.update(
        HUE_ASSIST_HOME=str(settings.home),
        RASA_URL=settings.rasa_url,
        RASA_TOKEN=settings.rasa_token,
    )
    env.setdefault("HF_HUB_OFFLINE", "1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project_root()), env.get("PYTHONPATH")]))
    heartbeat = settings.home / "voice-worker.ready"
    argv = [sys.executable, "-m", "voice.worker"]
    service = Service("voice", argv, lambda: False, str(settings.home / "inbox" / "calls"), env)

    def ready() -> bool:
        try:
            pid = json.loads(heartbeat.read_text()).get("pid")
        except (OSError, ValueError, AttributeError):
            return False
        return service.process is not None and pid == service.process.pid

    service.ready = ready
    return service


class Supervisor:
    """Runs services; stops them all when asked, or when any of them dies."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.services: list[Service] = []

    def start(self, service: Service) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        service.log_path = self.log_dir / f"{service.name}.log"
        log = service.log_path.open("ab")
        service.process = subprocess.Popen(
            [*_dies_with_parent(), *service.argv],
            cwd=project_root(),
            env=service.env or None,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.services.append(service)

    def wait_ready(self, service: Service, timeout: float) -> None:
        """Block until the service is healthy; raise if it dies or takes too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if service.process is not None and service.process.poll() is not None:
                raise RuntimeError(
                    f"{service.name} exited with code {service.process.returncode}; "
                    f"see {service.log_path}"
                )
            if service.ready():
                return
            time.sleep(0.5)
        raise TimeoutError(
            f"{service.name} not ready after {timeout:.0f} s; see {service.log_path}"
        )

    def dead(self) -> Service | None:
        return next((s for s in self.services if s.process and s.process.poll() is not None), None)

    def stop_all(self, grace: float = 10.0) -> None:
        """SIGTERM every process group, then SIGKILL what is still there after ``grace``."""
        for service in reversed(self.services):
            _signal_group(service, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for service in reversed(self.services):
            if service.process is None:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            _signal_group(service, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                service.process.wait(timeout=5)
        self.services.clear()


def _dies_with_parent() -> list[str]:
    """A prefix that makes the service get SIGTERM if the supervising process dies.

    Each service runs in a session of its own (so a stop reaches its whole process group),
    which also means nothing reaches it when the supervisor is killed outright (SIGKILL,
    the OOM killer). util-linux's ``setpriv --pdeathsig`` asks the kernel to signal it
    then; the setting survives ``exec``. Without setpriv, services are stopped as before.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []


def _signal_group(service: Service, sig: signal.Signals) -> None:
    if service.process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(service.process.pid, sig)


@contextlib.contextmanager
def temporary_rasa(settings: Settings, timeout: float = 240.0) -> Iterator[str]:
    """A Rasa server of our own for one command (NLU only), stopped afterwards."""
    with tempfile.TemporaryDirectory() as scratch:
        service = rasa_service(settings, free_port(), Path(scratch) / "tracker.db")
        supervisor = Supervisor(settings.home / "logs")
        supervisor.start(service)
        try:
            supervisor.wait_ready(service, timeout)
            yield service.url
        finally:
            supervisor.stop_all()


@contextlib.contextmanager
def running_rasa(
    settings: Settings, start: bool, on_start: Callable[[], None] | None = None
) -> Iterator[str]:
    """The URL of the running Rasa, or of a temporary one when none answers, ``RASA_URL``
    was not set explicitly and ``start`` allows; ``on_start`` is told before it starts.

    Raises ``RasaUnavailable`` when no Rasa answers and none may be started.
    """
    with RasaClient(settings.rasa_url, token=settings.rasa_token) as client:
        if client.model_loaded():
            yield settings.rasa_url
            return
    if settings.rasa_url_explicit or not start:
        raise RasaUnavailable(f"Rasa is not reachable at {settings.rasa_url}")
    if on_start is not None:
        on_start()
    with temporary_rasa(settings) as url:
        yield url
