"""The layers run one way: leaves → domain → storage → services → faces (tests/layering.py)."""

from __future__ import annotations

from pathlib import Path

from tests.layering import problems

ROOT = Path(__file__).resolve().parents[1]


def test_no_upward_import_no_face_to_face_no_cycle_and_every_lazy_import_explained():
    assert problems(ROOT) == []


def _plant(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_planted_upward_import_is_found(tmp_path):
    root = _plant(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/base/__init__.py": "",
            "bot/base/clock.py": "import json\n",
            "bot/domain/__init__.py": "",
            "bot/domain/rules.py": "from bot.storage import store\n",
            "bot/storage/__init__.py": "",
            "bot/storage/store.py": "from bot.base import clock\n",
        },
    )
    assert problems(root, ["bot"]) == [
        "bot/domain/rules.py:1: domain imports storage (bot.storage.store)"
    ]


def test_a_face_importing_a_face_a_third_party_leaf_a_cycle_and_a_silent_lazy_import(tmp_path):
    root = _plant(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/base/__init__.py": "",
            "bot/base/text.py": "import yaml\n",
            "bot/cli/__init__.py": "from bot.gateway import app\n",
            "bot/gateway/__init__.py": "",
            "bot/gateway/app.py": "def f():\n    from bot.base import text\n",
            "bot/storage/__init__.py": "",
            "bot/storage/a.py": "from bot.storage import b\n",
            "bot/storage/b.py": "from bot.storage import a\n",
        },
    )
    found = problems(root, ["bot"])
    assert "bot/base/text.py:1: a leaf imports yaml (standard library only)" in found
    assert "bot/cli/__init__.py:1: face bot.cli imports face bot.gateway (bot.gateway.app)" in found
    assert any("inside a function without a reason" in p for p in found)
    assert "import cycle: bot.storage.a → bot.storage.b → bot.storage.a" in found
