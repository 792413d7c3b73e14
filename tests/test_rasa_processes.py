"""Several Rasa processes: which one holds a conversation (``RASA_URL``, ``RASA_PROCESSES``).

The end-to-end checks are in test_cli.py (``up`` with two Rasa processes) and
test_tracker_store.py (two processes serving one conversation)."""

from __future__ import annotations

import collections

from bot.base import settings as settings_mod
from bot.base.settings import pick_rasa


def test_one_server_gets_every_conversation():
    assert {pick_rasa(("http://a",), f"zalo:{i}") for i in range(50)} == {"http://a"}


def test_a_conversation_always_goes_to_the_same_server_and_all_servers_share_the_load():
    urls = ("http://a", "http://b", "http://c")
    senders = [f"zalo:{i}" for i in range(3000)]
    first = [pick_rasa(urls, s) for s in senders]
    assert first == [pick_rasa(urls, s) for s in senders]  # stable (not Python's hash())
    counts = collections.Counter(first)
    assert set(counts) == set(urls) and min(counts.values()) > 800


def test_rasa_processes_are_on_consecutive_ports():
    settings = settings_mod.load({"RASA_PORT": "6000", "RASA_PROCESSES": "3"})
    assert settings.rasa_urls == tuple(f"http://127.0.0.1:{p}" for p in (6000, 6001, 6002))
    assert settings.rasa_url == "http://127.0.0.1:6000" and not settings.rasa_url_explicit


def test_rasa_url_may_list_several_servers():
    settings = settings_mod.load({"RASA_URL": "http://r1:5005/, http://r2:5005", "RASA_PORT": "1"})
    assert settings.rasa_urls == ("http://r1:5005", "http://r2:5005")
    assert settings.rasa_url == "http://r1:5005" and settings.rasa_url_explicit
    assert settings.rasa_for("web:x") in settings.rasa_urls


def test_up_starts_the_rasa_servers_rasa_url_names_on_this_machine_only():
    from bot.services.processes import rasa_services, remote_rasa_urls

    settings = settings_mod.load(
        {"RASA_URL": "http://127.0.0.1:6100,http://rasa.internal:5005,http://localhost:6102"}
    )
    services = rasa_services(settings)
    assert [(s.name, s.url) for s in services] == [
        ("rasa", "http://127.0.0.1:6100"),
        ("rasa-3", "http://127.0.0.1:6102"),
    ]
    assert remote_rasa_urls(settings) == ["http://rasa.internal:5005"]
    two = settings_mod.load({"RASA_PORT": "6000", "RASA_PROCESSES": "2"})
    assert [s.url for s in rasa_services(two)] == ["http://127.0.0.1:6000", "http://127.0.0.1:6001"]
    assert remote_rasa_urls(two) == []
