"""Huế's 40 commune-level units (since 1 July 2025), for validating and normalising wards."""

from __future__ import annotations

import re

from bot.base.text import fold

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


# Words that name a kind of place. Every place annotated in nlu_data has one of these, a
# number or a capitalised name; the tagger's mistakes ("xe dap di", "nga ra") have none.
# Typed with accents they are matched as typed: folded, "gà" (ổ gà, pothole) would be "ga"
# (station) and "sâu" (deep) would be "sau" (behind).
PLACE_WORDS = (
    "đường", "kiệt", "hẻm", "ngõ", "ngách", "phường", "xã", "thôn", "tổ", "khu", "chợ", "cầu",
    "trường", "bệnh viện", "nhà", "số", "trước", "gần", "đối diện", "cạnh", "sau", "ngã tư",
    "ngã ba", "ngã năm", "cổng", "cửa", "bãi", "bến", "công viên", "chung cư", "quốc lộ", "ql",
    "tỉnh lộ", "dốc", "bờ sông", "bờ hồ", "đại nội", "thành", "làng", "chùa", "nhà thờ", "hồ",
    "sông", "ga", "sân bay", "ubnd", "ủy ban", "uỷ ban", "trạm", "nhà văn hóa", "siêu thị",
    "street", "st", "road", "rd", "ward", "near", "market", "bridge", "hotel", "school",
    "hospital", "park", "alley", "lane", "opposite", "front", "outside", "behind", "corner",
    "gate", "citadel", "river", "pagoda", "station", "airport",
)  # fmt: skip
NOT_PLACES = ("ống", "dây", "nước")  # "đường ống", "đường dây": a pipe, a line


def _word_pattern(words: tuple[str, ...], after: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    negative = "|".join(re.escape(w) for w in after)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)(?! (?:{negative})(?!\w))")


_PLACE_TYPED = _word_pattern(PLACE_WORDS, NOT_PLACES)
_PLACE_FOLDED = _word_pattern(
    tuple(fold(w) for w in PLACE_WORDS), tuple(fold(w) for w in NOT_PLACES)
)


def looks_like_place(span: str, message: str = "") -> bool:
    """Whether a span the entity tagger called a place can be one: it holds a number, a word
    for a kind of place, a ward's name, or a capitalised name (not just the message's first
    word). Used for places picked up in passing, which nobody asked for."""
    typed = span.lower()
    words_match = _PLACE_TYPED if fold(typed) != typed else _PLACE_FOLDED
    if re.search(r"\d", span) or words_match.search(typed) or find_in(span):
        return True
    words = span.split()
    if message.strip().startswith(span.strip()):
        words = words[1:]  # a sentence's first word is capitalised anyway
    return any(word[:1].isupper() for word in words)
