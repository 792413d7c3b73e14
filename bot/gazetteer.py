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
