"""Files written so that a crash or another local user finds nothing half-done (issue 15):
key files atomically and 0600 from the first byte, photos on disk before their name."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from bot.base.keyfile import read_or_create
from bot.storage import media
from bot.storage.store import Store


def test_the_reporter_key_is_private_from_its_first_byte(tmp_path, monkeypatch):
    old = os.umask(0)  # what a careless service manager may leave: new files 0666
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)  # no fixing it afterwards
    try:
        with Store(tmp_path / "hue-assist.db") as store:
            store.reporter_for("zalo:1")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "reporter.key").stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_processes_starting_together_share_one_key(tmp_path):
    keys: list[bytes] = []
    start = threading.Barrier(8)

    def make() -> None:
        start.wait()
        keys.append(read_or_create(tmp_path / "secret"))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]  # no temporary left


def test_an_empty_key_left_by_a_crash_is_replaced(tmp_path):
    (tmp_path / "reporter.key").write_bytes(b"")
    assert len(read_or_create(tmp_path / "reporter.key")) == 32


def test_a_photo_is_on_disk_before_it_has_its_name(tmp_path, monkeypatch):
    steps: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (steps.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (steps.append("rename"), real_replace(a, b))[1])
    name = media.save(tmp_path, b"\xff\xd8\xff" + b"photo" * 100)
    assert steps[:2] == ["fsync", "rename"]
    assert (tmp_path / "media" / name).read_bytes().startswith(b"\xff\xd8\xff")
