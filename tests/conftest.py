"""Shared fixtures: a trained model and a real Rasa + action server on 127.0.0.1."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.base import settings as settings_mod
from bot.services import training
from bot.services.processes import Supervisor, action_service, free_port, rasa_service
from bot.services.rasa_client import RasaClient
from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Operators always at work (the sample hours would make handover tests depend on the time of
# day); every process the tests start inherits it. Tests of office hours set their own.
os.environ.setdefault("HUE_ASSIST_DESK", str(ROOT / "tests" / "data" / "desk-open.yml"))
# One embedding cache for every test stack and worker (public documents only): each
# passage is embedded once per machine, not once per test home.
os.environ.setdefault("HUE_ASSIST_KB_CACHE", str(ROOT / "var" / "test-kb-cache.db"))


# Modules that take longest go first, so that the two workers (pytest-xdist, one test module
# per worker at a time) end together instead of one waiting on the cross-validation.
SLOW_FIRST = (
    "test_rasa_data.py",  # cross-validation first in it: no model needed while one trains
    "test_kb_eval.py",  # the real FAQ, embedded once per machine
    "test_gateway_core.py",
    "test_cli.py",
    "test_tracker_store.py",
    "test_channels_telegram.py",
    "test_channels_zalo.py",
    "test_desk_http.py",
)


RASA_FIXTURES = {"trained_model", "stack"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slowest modules first; tests that need the trained model marked ``rasa`` (``pytest -m
    "not rasa"`` runs the others without one)."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOW_FIRST.index(name) if name in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: the order within a module is kept
    for item in items:
        if RASA_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.rasa)


@dataclass
class Stack:
    settings: settings_mod.Settings
    env: dict[str, str]
    rasa: RasaClient

    @property
    def rasa_url(self) -> str:
        return self.settings.rasa_url

    @property
    def rasa_env(self) -> dict[str, str]:
        """What a process of another data folder needs to use this Rasa: its address and
        its token (Rasa's API is behind this installation's token, issue 15)."""
        return {"RASA_URL": self.rasa_url, "RASA_TOKEN": self.settings.rasa_token}

    @contextmanager
    def store(self) -> Iterator[Store]:
        store = Store(self.settings.db_path)
        try:
            yield store
        finally:
            store.close()

    def say(self, sender: str, text: str) -> list[dict]:
        return self.rasa.send(sender, text)


def stack_env(home: Path) -> dict[str, str]:
    return {
        "HUE_ASSIST_HOME": str(home),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
    }


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The project's model, trained now only if its inputs changed."""
    settings = settings_mod.load()
    _, path = training.train(settings.rasa_bin)
    return path


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Real Rasa and action servers on free ports, with a fresh data folder."""
    home = tmp_path_factory.mktemp("home")
    env = stack_env(home)
    settings = settings_mod.load({**os.environ, **env})
    supervisor = Supervisor(home / "logs")
    try:
        for service in (action_service(settings), rasa_service(settings, settings.rasa_port)):
            supervisor.start(service)
            supervisor.wait_ready(service, 300)
        with RasaClient(settings.rasa_url, token=settings.rasa_token) as client:
            yield Stack(settings, env, client)
    finally:
        supervisor.stop_all()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store on a real SQLite file."""
    with Store(tmp_path / "hue-assist.db") as opened:
        yield opened


@pytest.fixture
def sender() -> str:
    return f"web:test-{uuid.uuid4().hex[:10]}"


def texts(messages: list[dict]) -> str:
    """All the text of the bot's replies, joined, for assertions."""
    return "\n".join(m.get("text") or "" for m in messages)


def payloads(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]
