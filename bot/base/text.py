"""Vietnamese text normalisation shared by the NLU component, the actions and the CLI.

Pure standard library on purpose: the Rasa environment (Python 3.10) imports this module
through the custom tokenizer, and the app environment (Python 3.11) imports it everywhere else.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that do not decompose into base + combining mark under NFD.
_SPECIAL_FOLDS = str.maketrans({"đ": "d", "Đ": "D", "ð": "d"})
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACE_RE = re.compile(r"\s+")
# What no stored or published text may hold: C0 controls but tab and newlines, DEL, C1
# controls, lone surrogates (they cannot be encoded: a 500 wherever text is written out)
# and Unicode non-characters (U+FDD0–U+FDEF, U+xFFFE and U+xFFFF; XML 1.0 forbids
# U+FFFE/U+FFFF, so one such report made the Open311 XML feed unreadable for everyone).
_UNSAFE_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")  # emoji and the like: rarer, scanned apart
_ASTRAL_UNSAFE_RE = re.compile(
    "["
    + "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0x10000, 0x110000, 0x10000))
    + "]"
)

# Teencode and chat shorthand seen in Zalo messages, folded form → folded expansion.
TEENCODE: dict[str, str] = {
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "hok": "khong",
    "khg": "khong",
    "kg": "khong",
    "dc": "duoc",
    "dk": "duoc",
    "j": "gi",
    "z": "vay",
    "v": "vay",
    "r": "roi",
    "ntn": "nhu the nao",
    "bn": "bao nhieu",
    "sdt": "so dien thoai",
    "dt": "dien thoai",
    "ak": "a",
    "ah": "a",
    "oki": "ok",
    "okie": "ok",
    "uk": "uh",
    "tks": "thanks",
    "thank": "thanks",
    "ad": "admin",
    "mn": "moi nguoi",
    "cx": "cung",
    "nx": "nua",
    "vs": "voi",
    "ng": "nguoi",
    "bt": "biet",
    "hnay": "hom nay",
}

# Words that only occur in unaccented Vietnamese, used to tell it from English.
_VI_MARKERS = frozenset(
    """toi ban minh em anh chi co khong ko duoc dc bi hong cho nha duong dien nuoc rac
        phuong xa giup voi nhe nha ah oi roi chua sao nao gi bao lau nhieu lam xin cam chao
        phan su ngap cay mat ket qua thu tuc dang ky giay sua vay tui muon hoi la cua""".split()
)
_EN_MARKERS = frozenset(
    """is are was you your we please what how where when which who could would should
        help need want there broken street light report hello thanks thank bye yes and for
        of with this that does have has been why hotel ticket""".split()
)


def unsafe(text: str) -> bool:
    """Whether ``text`` holds a character ``sanitize`` removes (nothing is built)."""
    if _UNSAFE_RE.search(text) is not None:
        return True
    return _ASTRAL_RE.search(text) is not None and _ASTRAL_UNSAFE_RE.search(text) is not None


def sanitize(text: str | None) -> str:
    """``text`` without the characters nothing may store or publish (see ``_UNSAFE_RE``),
    NFC-normalised; line breaks and tabs are kept. Every text that enters passes here."""
    if not text:
        return ""
    text = _UNSAFE_RE.sub("", text)
    if _ASTRAL_RE.search(text):
        text = _ASTRAL_UNSAFE_RE.sub("", text)
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str:
    """Sanitise, drop invisible format characters and collapse whitespace.

    Vietnamese arrives decomposed (NFD) from some keyboards and phones; Rasa and SQLite
    compare code points, so everything is brought to NFC before anyone looks at it.
    """
    text = sanitize(text)
    if not text:
        return ""
    text = _CONTROL_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics: "Đèn đường" → "den duong".

    Length-preserving for NFC input (every precomposed letter maps to one letter), which lets
    the tokenizer keep character offsets into the original text.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL_FOLDS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def fold_token(token: str) -> str:
    """Fold one token and expand teencode, for features (never for display).

    "hong" is deliberately not expanded to "khong": it is far more often "hỏng" (broken).
    """
    folded = fold(unicodedata.normalize("NFC", token))
    return TEENCODE.get(folded, folded)


def fold_words(text: str) -> list[str]:
    """Folded, teencode-expanded words of a text (letters and digits only)."""
    words = re.findall(r"\w+", fold(clean(text)))
    out: list[str] = []
    for word in words:
        out.extend(TEENCODE.get(word, word).split())
    return out


def has_vietnamese_marks(text: str) -> bool:
    """True when the text carries letters only Vietnamese uses (ă â đ ê ô ơ ư or tone marks)."""
    return fold(text) != text.lower()


def detect_language(text: str, previous: str | None = None) -> str | None:
    """Guess "vi" or "en" from one message; None when it cannot tell (keep the previous one).

    Diacritics decide at once. Without them, count unambiguous marker words; short or
    neutral messages ("ok", "1", an emoji) return ``previous``.
    """
    text = clean(text)
    if not text or text.startswith("/"):
        return previous
    if has_vietnamese_marks(text):
        return "vi"
    words = re.findall(r"[a-z]+", text.lower())
    vi = sum(w in _VI_MARKERS for w in words)
    en = sum(w in _EN_MARKERS for w in words)
    if vi > en:
        return "vi"
    if en > vi and en >= 1:
        return "en"
    return previous
