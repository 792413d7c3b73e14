"""Huế's 40 commune-level units (since 1 July 2025), for validating and normalising wards."""

from __future__ import annotations

import re

from bot.text import fold

PHUONG = (
    "An Cựu",
    "Dương Nỗ",
    "Hóa Châu",
    "Hương An",
    "Hương Thủy",
    "Hương Trà",
    "Kim Long",
    "Kim Trà",
    "Mỹ Thượng",
    "Phong Dinh",
    "Phong Điền",
    "Phong Phú",
    "Phong Quảng",
    "Phong Thái",
    "Phú Bài",
    "Phú Xuân",
    "Thanh Thủy",
    "Thuận An",
    "Thuận Hóa",
    "Thủy Xuân",
    "Vỹ Dạ",
)
XA = (
    "A Lưới 1",
    "A Lưới 2",
    "A Lưới 3",
    "A Lưới 4",
    "A Lưới 5",
    "Bình Điền",
    "Chân Mây-Lăng Cô",
    "Đan Điền",
    "Hưng Lộc",
    "Khe Tre",
    "Long Quảng",
    "Lộc An",
    "Nam Đông",
    "Phú Hồ",
    "Phú Lộc",
    "Phú Vang",
    "Phú Vinh",
    "Quảng Điền",
    "Vinh Lộc",
)
WARDS: tuple[str, ...] = PHUONG + XA


def _key(text: str) -> str:
    # "Vĩ Dạ"/"Vỹ Dạ" and "Thủy"/"Thuỷ" are all written, "Chân Mây - Lăng Cô" with or
    # without the hyphen: fold accents, treat y as i, and ignore punctuation.
    folded = fold(text).replace("-", " ").replace("y", "i")
    return " ".join(re.findall(r"\w+", folded))


_BY_KEY: dict[str, str] = {_key(w): w for w in WARDS}


def kind(ward: str) -> str:
    """ "phường" or "xã" for a canonical ward name."""
    return "phường" if ward in PHUONG else "xã"


def lookup(value: str | None) -> str | None:
    """Canonical name of a ward given as written ("vy da", "P. Vỹ Dạ"), or None if unknown."""
    if not value:
        return None
    key = _key(value)
    for prefix in ("phuong ", "xa ", "p "):
        if key.startswith(prefix) and key[len(prefix) :] in _BY_KEY:
            return _BY_KEY[key[len(prefix) :]]
    return _BY_KEY.get(key)


def find_in(text: str | None) -> str | None:
    """The first ward named anywhere in a free text, longest name first, or None."""
    if not text:
        return None
    padded = f" {_key(text)} "
    for key in sorted(_BY_KEY, key=len, reverse=True):
        if f" {key} " in padded:
            return _BY_KEY[key]
    return None


# Words that name a kind of place, folded. Every place annotated in nlu_data has one of these,
# a number or a capitalised name; the tagger's mistakes ("xe dap di", "nga") have none.
_PLACE_WORD = re.compile(
    r"\b(?:duong(?! (?:ong|day|nuoc)\b)|kiet|hem|ngo|ngach|phuong|xa|thon|to|khu|khu pho|to dan pho|cho|cau|truong"
    r"|benh vien|nha|so|truoc|gan|doi dien|canh|sau|nga tu|nga ba|nga nam|cong|cua|bai|ben"
    r"|cong vien|chung cu|quoc lo|ql|tinh lo|doc|bo song|bo ho|dai noi|thanh|lang|chua"
    r"|nha tho|ho|song|ben xe|ga|san bay|ubnd|uy ban|tram|nha van hoa|sieu thi"
    r"|street|st|road|rd|ward|near|market|bridge|hotel|school|hospital|park|alley|lane"
    r"|opposite|front|outside|behind|corner|gate|citadel|river|pagoda|station|airport)\b"
)


def looks_like_place(span: str, message: str = "") -> bool:
    """Whether a span the entity tagger called a place can be one: it holds a number, a word
    for a kind of place, a ward's name, or a capitalised name (not just the message's first
    word). Used for places picked up in passing, which nobody asked for."""
    if re.search(r"\d", span) or _PLACE_WORD.search(fold(span)) or find_in(span):
        return True
    words = span.split()
    if message.strip().startswith(span.strip()):
        words = words[1:]  # a sentence's first word is capitalised anyway
    return any(word[:1].isupper() for word in words)
