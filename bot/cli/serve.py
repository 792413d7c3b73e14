"""``hue-assist up`` and ``hue-assist train``."""

from __future__ import annotations

import signal
import subprocess
import time
from types import FrameType

import typer

from bot.base import settings as settings_mod
from bot.domain import retention
from bot.services import privacy, training
from bot.services.processes import (
    Supervisor,
    action_service,
    gateway_service,
    rasa_services,
    remote_rasa_urls,
    voice_service,
)
from bot.services.rasa_client import RasaClient
from bot.storage.store import Store


def train(
    force: bool = typer.Option(False, "--force", help="Train even if nothing changed."),
) -> None:
    """Huấn luyện mô hình Rasa nếu dữ liệu hoặc cấu hình đã đổi (train the Rasa model)."""
    settings = settings_mod.load()
    try:
        trained, path = training.train(settings.rasa_bin, force=force)
    except FileNotFoundError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    except subprocess.CalledProcessError as error:
        typer.echo(f"rasa train failed with code {error.returncode}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{'trained' if trained else 'up to date'}: {path}")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PURGE_EVERY_S = 24 * 3600


def daily_purge(settings: settings_mod.Settings) -> None:
    """Personal data past its retention period goes (``bot.services.privacy``); a failure
    is said and retried the next day, it never stops the services."""
    try:
        table = retention.load()
        with Store(settings.db_path) as store:
            counts = privacy.purge(store, settings.home, table, actor="hue-assist up")
    except Exception as error:  # noqa: BLE001 - reported, the services go on
        typer.echo(f"privacy purge failed: {type(error).__name__}: {error}", err=True)
        return
    removed = sum(counts.values())
    typer.echo(f"privacy purge: {removed} items past their retention period removed")


class _Stop(BaseException):
    """A stop signal: not an ``Exception``, so no handler meant for failures (the daily
    purge's) can swallow it."""


class _StopOnce:
    """The stop-signal handler: raises ``_Stop`` once; while stopping, a second signal (or
    one arriving as a dead service is being reported) is ignored, so it cannot break off the
    stopping of the others half-way."""

    def __init__(self) -> None:
        self.stopping = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:
            return
        self.stopping = True
        raise _Stop()


def up(
    startup_timeout: float = typer.Option(300, help="Seconds to wait for each service."),
) -> None:
    """Khởi động toàn bộ trợ lý: Rasa, action server, gateway (start everything; Ctrl-C stops all)."""
    settings = settings_mod.load()
    settings.home.mkdir(parents=True, exist_ok=True)
    local_rasa = rasa_services(settings)
    if local_rasa:  # a Rasa server elsewhere has its own model
        try:
            trained, _ = training.train(settings.rasa_bin)
        except (FileNotFoundError, subprocess.CalledProcessError) as error:
            typer.echo(f"cannot train the model: {error}", err=True)
            raise typer.Exit(1) from None
        if trained:
            typer.echo("model trained")
    supervisor = Supervisor(settings.home / "logs")
    # Ctrl-C, a stop, or the terminal closing (SIGHUP: the services, each in a session of
    # its own, would not get it and would be left running).
    stopper = _StopOnce()
    for stop in STOP_SIGNALS:
        signal.signal(stop, stopper)
    code = 0
    try:
        # Services in a group start together (several Rasa processes load side by side).
        groups = (
            [action_service(settings)],
            local_rasa,
            [gateway_service(settings)],
            [voice_service(settings)],
        )
        for group in groups:
            for service in group:
                supervisor.start(service)
                typer.echo(f"starting {service.name} … (log: {service.log_path})")
            for service in group:
                supervisor.wait_ready(service, startup_timeout)
                typer.echo(f"  {service.name:8} ready at {service.url}")
        for url in remote_rasa_urls(settings):
            client = RasaClient(url, token=settings.rasa_token)
            state = "ready" if client.model_loaded() else "not answering yet"
            client.close()
            typer.echo(f"  {'rasa':8} {state} at {url} (RASA_URL: not started here)")
        typer.echo(
            f"hue-assist is up. Web chat: http://127.0.0.1:{settings.gateway_port}/ ; "
            "terminal: `hue-assist chat`. Ctrl-C stops everything."
        )
        next_purge = time.monotonic()  # at start, then daily
        while (dead := supervisor.dead()) is None:
            if time.monotonic() >= next_purge:
                daily_purge(settings)
                next_purge = time.monotonic() + PURGE_EVERY_S
            time.sleep(0.5)
        stopper.stopping = True
        typer.echo(
            f"{dead.name} stopped (code {dead.process.returncode}); stopping the rest. "
            f"See {dead.log_path}",
            err=True,
        )
        code = 1
    except _Stop:
        typer.echo("stopping …")
    except (RuntimeError, TimeoutError) as error:
        typer.echo(str(error), err=True)
        code = 1
    finally:
        stopper.stopping = True
        for stop in STOP_SIGNALS:
            signal.signal(stop, signal.SIG_IGN)
        supervisor.stop_all()
        typer.echo("all stopped")
    raise typer.Exit(code)
