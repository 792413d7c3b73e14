"""Rasa's tracker store here (nlu_components/tracker_store.py): Rasa's ``events`` table in
SQLite, with the trackers in use kept in each Rasa process's memory.

A kept tracker must never be used once it is out of date. Two Rasa processes on one tracker
database take turns serving one conversation: each turn must continue from what the other
process stored, not from the tracker it kept from its own previous turn.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.services.processes import Supervisor, free_port, rasa_service
from bot.services.rasa_client import RasaClient
from tests.conftest import texts


@pytest.fixture(scope="module")
def second_rasa(stack) -> Iterator[RasaClient]:
    """Another Rasa process on the session stack's tracker database and action server."""
    service = rasa_service(stack.settings, free_port())
    supervisor = Supervisor(stack.settings.home / "logs-second-rasa")
    try:
        supervisor.start(service)
        supervisor.wait_ready(service, 300)
        with RasaClient(service.url, token=stack.settings.rasa_token) as client:
            yield client
    finally:
        supervisor.stop_all()


def tracker_db(stack) -> Path:
    return stack.settings.home / "rasa-tracker.db"


def stored_events(stack, sender: str) -> list[tuple[str, str | None]]:
    with sqlite3.connect(tracker_db(stack)) as db:
        return db.execute(
            "SELECT type_name, intent_name FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()


def test_turns_are_stored_in_rasas_events_table(stack, sender):
    """The store is really in use (Rasa falls back to memory, with a mere warning, when a
    configured tracker store cannot be imported), and it writes Rasa's own layout."""
    stack.say(sender, "xin chao")
    stack.say(sender, "tam biet")
    events = stored_events(stack, sender)
    assert [intent for kind, intent in events if kind == "user"] == ["greet", "goodbye"]
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.settings.rasa_token},
        timeout=30,
    ).json()
    assert len(tracker["events"]) == len(events)


@pytest.mark.slow
def test_two_rasa_processes_take_turns_on_one_conversation(stack, second_rasa, sender):
    first = stack.rasa
    house = random.randint(100, 999)  # a place of its own: other tests file reports too
    assert "loại sự cố" in texts(first.send(sender, "toi muon phan anh"))
    assert "ở đâu" in texts(second_rasa.send(sender, "den duong bi hong"))
    # The first process kept its tracker from two turns ago; the second has stored more since.
    place = f"so {house} Le Loi phuong Thuan Hoa"
    assert "mô tả" in texts(first.send(sender, place))
    assert "ảnh" in texts(second_rasa.send(sender, "den tat 3 dem roi, rat toi"))
    users = [intent for kind, intent in stored_events(stack, sender) if kind == "user"]
    assert len(users) == 4  # every turn stored once, whichever process served it
