"""Reading digit strings out of text the way people give a number, for the redactor.

A number reaches us typed ("0905 123 456", "0905_123_456", "SĐT0905…", "０９０５…", "O905"),
dictated to a transcript digit by digit ("không chín không năm…", "oh nine oh five"), in pairs
and tens ("mười hai, ba mươi tư", "twelve, thirty four"), in hundreds with "lẻ"/"linh" for a
zero ("một trăm linh năm"), with "double"/"triple", or mixed. Everything here works on a
*view* of the text of the same length (full-width forms made ASCII, folded to lower case
without diacritics), so every position found is a position in the text itself.

A run is a maximal sequence of number tokens joined by separators; :func:`read` turns its
tokens into digits, one string per token, so a caller can cut a run at a token and still
know which digits it keeps.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Full-width ASCII (U+FF01–U+FF5E) to ASCII; keycap and emoji-variation marks to a space.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0xFE0F: 0x20, 0x20E3: 0x20}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character folded to one character: lower case, no diacritics."""
    if ch in "đĐð":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    base = base.lower()
    if len(base) == 1:
        return base
    return " " if not base else ch


def view(text: str) -> str:
    """``text`` as the rules read it, with every character at its own position."""
    return "".join(map(_fold_char, text.translate(_WIDTH)))


def lowered(text: str) -> str:
    """``text`` in lower case, full-width made ASCII, one character for one (for accents)."""
    wide = text.translate(_WIDTH)
    low = wide.lower()
    if len(low) == len(wide):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in wide)


# Number words by how they combine. Accented forms are told apart from ordinary words that
# fold the same ("từ" is not "tư", "sau" is not "sáu" when the citizen typed the marks).
UNITS_ACCENTED = {
    "không": "0",
    "một": "1",
    "mốt": "1",
    "hai": "2",
    "ba": "3",
    "bốn": "4",
    "tư": "4",
    "năm": "5",
    "lăm": "5",
    "nhăm": "5",
    "sáu": "6",
    "bảy": "7",
    "bẩy": "7",
    "tám": "8",
    "chín": "9",
}
UNITS_FOLDED = {
    "khong": "0",
    "mot": "1",
    "hai": "2",
    "ba": "3",
    "bon": "4",
    "tu": "4",
    "nam": "5",
    "lam": "5",
    "nham": "5",
    "sau": "6",
    "bay": "7",
    "tam": "8",
    "chin": "9",
}
UNITS_EN = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
TEENS_EN = {
    w: str(10 + i)
    for i, w in enumerate(
        "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS_EN = {
    w: str(i + 2)
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
LINK = {"linh", "lẻ"}  # the zero in "một trăm linh năm"; folded "le" is also the name Lê
# Words that make a run an amount, not a number someone gives: "hai trăm năm mươi nghìn".
AMOUNT = {
    "nghin",
    "ngan",
    "trieu",
    "ty",
    "ti",
    "thousand",
    "million",
    "billion",
    "dong",
    "d",
    "vnd",
    "usd",
    "k",
    "tr",
    "percent",
    "phan",
}

UNIT, TEN, TENS, MUOI, HUNDRED, ZERO_LINK, TEEN, EN_TENS = (
    "unit",
    "ten",  # "mười"
    "tens",  # "mươi"
    "muoi",  # either, typed without marks
    "hundred",
    "link",
    "teen",
    "en_tens",
)
DIGITS, PLUS, REPEAT = "digits", "plus", "repeat"


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    kind: str  # DIGITS, PLUS, UNIT, TEN, TENS, MUOI, HUNDRED, ZERO_LINK, TEEN, EN_TENS, REPEAT
    value: str  # digits for DIGITS/UNIT/TEEN/EN_TENS, "2"/"3" for REPEAT, "" otherwise

    @property
    def written(self) -> bool:
        return self.kind == DIGITS or (self.kind == PLUS and self.end - self.start == 1)


_TOKEN = re.compile(
    r"(?P<mixed>(?<![^\W_])(?=(?:[oli]*\d){2})[\doli]{3,}(?![^\W_]))"  # "o9o5", "l23"
    r"|(?P<plus>\+)(?=\s?\d)"
    r"|(?P<digits>\d+)"
    r"|(?P<word>[^\W\d_]+)"
)
_LOOKALIKE = str.maketrans({"o": "0", "l": "1", "i": "1"})


def word_kind(folded: str, typed: str) -> tuple[str, str] | None:
    """(kind, value) of a number word, or None. ``typed`` is the lower-cased word as written."""
    accented = typed != folded
    if accented:
        if typed in UNITS_ACCENTED:
            return UNIT, UNITS_ACCENTED[typed]
        if typed == "mười":
            return TEN, ""
        if typed == "mươi":
            return TENS, ""
        if typed == "trăm":
            return HUNDRED, ""
        if typed in LINK:
            return ZERO_LINK, ""
        if typed == "cộng":
            return PLUS, "+"
        return None
    if folded in UNITS_FOLDED:
        return UNIT, UNITS_FOLDED[folded]
    if folded in UNITS_EN:
        return UNIT, UNITS_EN[folded]
    if folded == "muoi":
        return MUOI, ""  # "mười" or "mươi": decided by what comes before (see read)
    if folded == "tram":
        return HUNDRED, ""
    if folded == "linh":
        return ZERO_LINK, ""
    if folded in TEENS_EN:
        return TEEN, TEENS_EN[folded]
    if folded in TENS_EN:
        return EN_TENS, TENS_EN[folded]
    if folded in ("cong", "plus"):
        return PLUS, "+"  # "cộng tám tư…" for +84
    if folded == "double":
        return REPEAT, "2"
    if folded == "triple":
        return REPEAT, "3"
    return None


def tokens(folded: str, typed: str) -> list[Token | str]:
    """Number tokens of the text, and every other word as its folded string (a breaker)."""
    out: list[Token | str] = []
    for match in _TOKEN.finditer(folded):
        start, end = match.span()
        if match.group("mixed"):
            out.append(Token(start, end, DIGITS, match.group().translate(_LOOKALIKE)))
        elif match.group("plus"):
            out.append(Token(start, end, PLUS, "+"))
        elif match.group("digits"):
            out.append(Token(start, end, DIGITS, match.group()))
        else:
            kind = word_kind(match.group(), typed[start:end])
            out.append(Token(start, end, *kind) if kind else match.group())
    return _drop_loose(out)


def _drop_loose(items: list[Token | str]) -> list[Token | str]:
    """ "double"/"triple" count only before a digit word; "linh"/"lẻ" only between two."""
    out: list[Token | str] = []
    for i, item in enumerate(items):
        if isinstance(item, Token) and item.kind == REPEAT:
            nxt = items[i + 1] if i + 1 < len(items) else None
            if not (isinstance(nxt, Token) and nxt.kind == UNIT):
                item = "double"
        if isinstance(item, Token) and item.kind == ZERO_LINK:
            prev = out[-1] if out else None
            nxt = items[i + 1] if i + 1 < len(items) else None
            if not (isinstance(prev, Token) and isinstance(nxt, Token) and nxt.kind == UNIT):
                item = "linh"
        out.append(item)
    return out


# Between two written groups: "0905 123.456", "0905_123_456", "(0905) 123-456", "0905/123".
_WRITTEN_GAP = re.compile(r"[ .\-–—/_|~*·()\[\]\x00]{1,3}")
# Between short written groups (dictated "1, 2, 3") or where a word is involved.
_LOOSE_GAP = re.compile(r"[ .,\-–—/_|~*·()\[\]…]{1,5}")


def joins(gap: str, left: Token, right: Token) -> bool:
    """Whether ``right`` continues the number that ``left`` ends."""
    if right.kind == PLUS:
        return False
    if left.kind == PLUS and left.end - left.start == 1:  # "+84", written
        return right.kind == DIGITS and gap in ("", " ")
    if left.kind == PLUS:  # "cộng tám tư", said
        return right.kind != DIGITS and bool(_LOOSE_GAP.fullmatch(gap))
    if not gap:
        return left.kind != DIGITS or right.kind != DIGITS
    if "\x00" in gap:
        return False
    if left.written and right.written:
        if _WRITTEN_GAP.fullmatch(gap):
            return True
        short = len(left.value) <= 4 and len(right.value) <= 4
        return short and bool(_LOOSE_GAP.fullmatch(gap))
    return bool(_LOOSE_GAP.fullmatch(gap))


def runs(folded: str, items: list[Token | str]) -> list[list[Token]]:
    """Maximal runs of number tokens."""
    out: list[list[Token]] = []
    current: list[Token] = []
    for item in items:
        if not isinstance(item, Token):
            if current:
                out.append(current)
            current = []
            continue
        if current and not joins(folded[current[-1].end : item.start], current[-1], item):
            out.append(current)
            current = []
        current.append(item)
    if current:
        out.append(current)
    return [r for r in out if not (len(r) == 1 and r[0].kind == PLUS)]


def _unit_at(run: list[Token], i: int) -> bool:
    """A unit word that stands for itself (not the head of "ba mươi", "hai trăm").

    Before an unaccented "muoi" it is taken greedily: "sau muoi bay muoi lam" is read in
    pairs, 67 15, as numbers are dictated."""
    if i >= len(run) or run[i].kind != UNIT:
        return False
    nxt = run[i + 1].kind if i + 1 < len(run) else None
    return nxt not in (TENS, HUNDRED)


def read(run: list[Token]) -> list[str]:
    """The digits each token of ``run`` stands for ("ba mươi tư" → "3", "", "4")."""
    out = [""] * len(run)
    as_unit = [False] * len(run)  # consumed as the last digit of "ba mươi tư"
    padded = [False] * len(run)  # "ba trăm bảy": the 7 of 370
    i = 0
    while i < len(run):
        token = run[i]
        kind = token.kind
        nxt = run[i + 1] if i + 1 < len(run) else None
        if kind in (DIGITS, PLUS):
            out[i] = token.value
        elif kind == UNIT:
            out[i] = token.value + ("0" if padded[i] else "")
            if nxt and nxt.kind in (TENS, MUOI) and not as_unit[i]:
                out[i + 1] = "" if _unit_at(run, i + 2) else "0"
                if _unit_at(run, i + 2):
                    as_unit[i + 2] = True
                i += 1
            elif nxt and nxt.kind == HUNDRED:
                out[i + 1] = _hundred_tail(run, i + 2, padded)
                i += 1
        elif kind in (TEN, TENS, MUOI):  # "mười", or "muoi" with no digit before it
            if _unit_at(run, i + 1):
                out[i] = "1"
                as_unit[i + 1] = True
            else:
                out[i] = "10"
        elif kind == HUNDRED:
            out[i] = "1" + _hundred_tail(run, i + 1, padded)  # "trăm hai" for "một trăm hai"
        elif kind == ZERO_LINK:
            out[i] = "0"
        elif kind == TEEN:
            out[i] = token.value
        elif kind == EN_TENS:
            if nxt and nxt.kind == UNIT and nxt.value != "0":
                out[i] = token.value
                as_unit[i + 1] = True
            else:
                out[i] = token.value + "0"
        elif kind == REPEAT and nxt is not None:
            out[i + 1] = nxt.value * int(token.value)
            i += 1
        i += 1
    return out


def _hundred_tail(run: list[Token], j: int, padded: list[bool]) -> str:
    """The digits "trăm" itself adds, given the words after it.

    "một trăm" 100 ("00"); "một trăm linh năm" 105, "một trăm hai mươi ba" 123 and "hai trăm
    ba bốn" 234 (nothing: the words after give two digits); "ba trăm bảy" 370 (nothing, and
    the 7 is padded with its zero).
    """
    if j >= len(run):
        return "00"
    kind = run[j].kind
    if kind in (ZERO_LINK, TEN, TENS, MUOI):
        return ""
    if kind == UNIT and j + 1 < len(run) and run[j + 1].kind in (TENS, MUOI):
        return ""
    if _unit_at(run, j) and _unit_at(run, j + 1):
        return ""
    if _unit_at(run, j):
        padded[j] = True
        return ""
    return "00"


AMOUNT_ACCENTED = {"nghìn", "ngàn", "triệu", "tỷ", "tỉ", "đồng", "đ", "vnđ", "phần", "củ", "xị"}


def has_amount_after(folded: str, typed: str, end: int) -> bool:
    """Whether an amount word or currency follows: "250.000 đồng", "2 triệu", "15%".

    Typed with its marks, the word must be one of the accented amount words ("ngân hàng",
    a bank, folds like "ngàn", a thousand)."""
    match = re.match(r"[ \x00]?(%|[a-z]+)", folded[end:])
    if not match:
        return False
    word = match.group(1)
    if word == "%":
        return True
    written = typed[end + match.start(1) : end + match.end(1)]
    if written != word:
        return written in AMOUNT_ACCENTED
    return word in AMOUNT and not folded[end + match.end(1) :].startswith(" hang")


def glued_word_before(folded: str, start: int) -> str | None:
    """The letters touching the number on its left ("sdt" in "sdt0905…"), or None."""
    match = re.search(r"([a-z]+)$", folded[:start])
    return match.group(1) if match else None
