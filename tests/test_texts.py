"""The citizen's texts: one place per kind, both languages for every one.

Texts sent from code live in ``bot/base/texts.py`` (Vietnamese and English side by side);
Rasa's responses live in ``domain.yml``, each with an English variant. No Vietnamese text
is left in the code that sends it.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from actions import fallback, messages, questions, report_form
from bot.base.texts import TEXTS, both, is_text, placeholders, text
from bot.domain import emergency, lifecycle

ROOT = Path(__file__).resolve().parents[1]
TEXTS_FILE = ROOT / "bot" / "base" / "texts.py"
# Where texts are sent from code: every string literal there is checked for Vietnamese.
SENDERS = (
    ROOT / "actions",
    ROOT / "bot" / "gateway",
    ROOT / "bot" / "domain" / "notifications.py",
    ROOT / "bot" / "domain" / "lifecycle.py",
    ROOT / "bot" / "domain" / "handover.py",
    ROOT / "bot" / "services" / "desk.py",
)
# Vietnamese literals that are not texts the assistant says, each with its reason.
ALLOWED = {
    ("actions/messages.py", "hủy"): "a button's payload: the words a tap sends for the "
    "citizen (read as a cancel), not words the assistant says",
}
# Proper names keep their marks in English too.
NAMES_IN_ENGLISH = ("Huế",)
# ă â đ ê ô ơ ư and the five tone marks, once the text is decomposed (NFD).
VIETNAMESE = re.compile("[đĐ\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323]")


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_has_vietnamese_and_english_with_the_same_placeholders(key):
    vi, en = TEXTS[key]
    assert isinstance(vi, str) and vi.strip(), f"{key}: no Vietnamese"
    assert isinstance(en, str) and en.strip(), f"{key}: no English"
    assert placeholders(vi) == placeholders(en), f"{key}: placeholders differ"
    values = {name: f"<{name}>" for name in placeholders(vi)}
    for lang in ("vi", "en"):  # no stray brace: each formats, every value in its place
        said = text(key, lang, **values)
        assert all(value in said for value in values.values()), (key, lang)


def test_the_english_column_is_english():
    """A Vietnamese sentence in the English column (swapped or half-written) shows."""
    for key, (_vi, en) in TEXTS.items():
        for name in NAMES_IN_ENGLISH:
            en = en.replace(name, "")
        assert not VIETNAMESE.search(unicodedata.normalize("NFD", en)), key


def test_no_text_sent_from_code_is_left_outside_texts_py():
    found = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        for line, value in _literals(path):
            if (relative, value) in ALLOWED:
                continue
            if VIETNAMESE.search(unicodedata.normalize("NFD", value)):
                found.append(f"{relative}:{line}: {value[:60]!r}")
    assert not found, "Vietnamese outside bot/base/texts.py:\n" + "\n".join(found)


def test_the_allowlist_is_still_needed():
    for relative, value in ALLOWED:
        literals = {v for _, v in _literals(ROOT / relative)}
        assert value in literals, f"{relative}: {value!r} is gone; drop it from ALLOWED"


def test_every_key_the_code_names_exists():
    """Literal keys in calls, and the families built from a prefix (``ask_{slot}``)."""
    calls = {"text": 0, "both": 0, "is_text": 0, "button": 0, "render": 0, "send": 1}
    missing = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            where = calls.get(name)
            if where is None or len(node.args) <= where:
                continue
            arg = node.args[where]
            key = arg.value if isinstance(arg, ast.Constant) else None
            if isinstance(key, str) and key not in TEXTS:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {key}")
    assert not missing, "\n".join(missing)
    families = {
        "ask_": [cls.slot for cls in questions.AskAction.__subclasses__()],
        "intent_": fallback.INTENTS,
        "state_": lifecycle.STATES,
        "advice_": emergency.KINDS,
        "service_": {n for kind in emergency.KINDS.values() for n in kind.numbers},
        "button_category_": messages.QUICK_CATEGORIES,
        "button_second_": report_form.CHOICES,
        "button_edit_": report_form.EDITABLE,
    }
    for prefix, names in families.items():
        for name in names:
            assert f"{prefix}{name}" in TEXTS, f"{prefix}{name}"
    for key in messages.BUTTONS:
        assert key in TEXTS, key


def test_every_text_is_used():
    """A key no code names (literally, or by a family's prefix) is a text nobody sees."""
    literals: set[str] = set()
    prefixes: set[str] = set()
    for path in [*_python_files(), *(ROOT / "bot" / "domain").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and str(first.value).endswith("_"):
                    prefixes.add(first.value)
    unused = [
        key for key in TEXTS if key not in literals and not any(key.startswith(p) for p in prefixes)
    ]
    assert not unused, f"texts no code sends: {unused}"


def test_both_says_vietnamese_first_and_english_in_brackets():
    assert both("voice_not_heard") == (
        "Mình chưa nghe rõ tin nhắn thoại của bạn. Bạn vui lòng nhắn bằng chữ nhé. "
        "(I could not make out your voice message: please type it.)"
    )
    assert both("message_too_long", limit=4000) == (
        "Tin nhắn dài quá 4000 ký tự, bạn vui lòng rút gọn (message over 4000 characters)."
    )


def test_values_are_inserted_as_they_are():
    said = text("notify_note", "vi", note="giá {cũ} 100%")
    assert said == "Ghi chú: giá {cũ} 100%"
    assert text("report_filed", "en", code="PA-2026-000001").count("PA-2026-000001") == 2
    assert text("report_filed", "fr", code="X") == text("report_filed", "vi", code="X")


def test_is_text_recognises_a_text_in_either_language_whatever_its_values():
    for lang in ("vi", "en"):
        assert is_text("ward_not_found", text("ward_not_found", lang, ward="Phú (Hội)"))
    assert not is_text("ward_not_found", "Mình không tìm thấy phản ánh")


def test_every_domain_response_has_an_english_variant():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    english = [{"type": "slot", "name": "language", "value": "en"}]
    for name, variants in domain["responses"].items():
        default = [v for v in variants if not v.get("condition")]
        en = [v for v in variants if v.get("condition") == english]
        assert default and en, f"{name}: a default (Vietnamese) and an English variant"
        for variant in default + en:
            assert (variant.get("text") or "").strip(), f"{name}: a variant without text"
        shape = {k for k in default[0] if k != "condition"}
        assert all({k for k in v if k != "condition"} == shape for v in en), name


def test_a_text_lives_in_one_place():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    in_domain = {v.get("text") for variants in domain["responses"].values() for v in variants}
    in_code = {t for pair in TEXTS.values() for t in pair}
    assert not in_domain & in_code


def _python_files() -> list[Path]:
    files: list[Path] = []
    for place in SENDERS:
        files += sorted(place.rglob("*.py")) if place.is_dir() else [place]
    return [path for path in files if path != TEXTS_FILE]


def _literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module (f-string parts too), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]
