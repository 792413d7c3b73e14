"""Hiding personal data in transcripts: phone numbers, ID numbers, e-mails, account numbers.

Numbers are found whether written ("0905 123 456", "+84 905.123.456") or spelled out, as a
transcript does ("không chín không năm một hai ba…", "zero nine…"), by reading every run of
digits and digit words as one digit string and classifying it. Placeholders say what was
removed: ``[SĐT]`` phone, ``[CCCD]`` 12-digit citizen ID, ``[CMND]`` 9-digit old ID,
``[EMAIL]``, ``[STK]`` bank-account-like digit run.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.base.text import clean, fold

PHONE, CCCD, CMND, EMAIL, ACCOUNT = "[SĐT]", "[CCCD]", "[CMND]", "[EMAIL]", "[STK]"

# Folded digit words, Vietnamese then English. "linh"/"lẻ" are read for 0 inside numbers.
DIGIT_WORDS: dict[str, str] = {
    "khong": "0",
    "linh": "0",
    "mot": "1",
    "mots": "1",
    "hai": "2",
    "ba": "3",
    "bon": "4",
    "tu": "4",
    "nam": "5",
    "lam": "5",
    "nham": "5",
    "sau": "6",
    "bay": "7",
    "bai": "7",
    "tam": "8",
    "chin": "9",
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
PLUS_WORDS = {"cong", "plus"}
_TOKEN = re.compile(r"\+?\d+|[^\W\d_]+")
_DIGIT_SEP = re.compile(r"[ .\-]{1,3}")  # between written digit groups: "0905 123.456"
_WORD_SEP = re.compile(r"[\s.,\-–()]{1,4}")  # between spelled-out digits: "chín, không"
_MONEY = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")  # "15.000.000" (đồng), not an account
_EMAIL = re.compile(
    r"[\w.+-]+(?:@|\s+(?:a còng|còng|a móc|at)\s+)[\w-]+(?:(?:\.|\s+(?:chấm|dot)\s+)[\w-]+)+",
    re.IGNORECASE,
)
_CODE_BEFORE = re.compile(r"[A-Za-z]-?$")  # "PA-2026-000123" is a report code, not personal
# Said just before a number, these make even a partly heard one a phone number: speech
# recognition often drops the leading "0 9" ("my phone number is near 5, 1, 2, 3, 4, 5, 6").
# Matched on folded text, within the last few words before the digits.
_PHONE_CUE = re.compile(
    r"\b(?:so dien thoai|dien thoai|dt|sdt|so may|di dong|zalo|hotline ca nhan"
    r"|so (?:cua )?(?:em|toi|anh|chi|minh|tui|con|co|chu|bac|ong|ba)(?: la)?"
    r"|phone|mobile|cell|number|call me(?: at| on)?)\b"
)
_ID_CUE = re.compile(r"\b(?:cmnd|cccd|can cuoc|chung minh|tai khoan|stk|account|id)\b")
_HOTLINE = re.compile(r"1[89]00\d{4,6}")
CUE_WORDS = 6  # how far before the digits a cue counts
CUED_MIN_DIGITS = 6  # fewer, after a cue, is more likely a house number or a count


@dataclass(frozen=True)
class Redaction:
    text: str
    found: dict[str, int] = field(default_factory=dict)  # placeholder → how many

    @property
    def changed(self) -> bool:
        return bool(self.found)


def classify(digits: str) -> str | None:
    """The placeholder for a digit string (``+`` kept in front if said), or None to keep it."""
    plus = digits.startswith("+")
    digits = digits.lstrip("+")
    if digits.startswith("84") and (
        re.fullmatch(r"84[35789]\d{8}", digits) or re.fullmatch(r"842\d{9}", digits)
    ):
        return PHONE
    if plus:
        return PHONE if len(digits) >= 8 else None
    if re.fullmatch(r"0[1-9]\d{8,9}", digits):
        return PHONE  # mobiles 0[35789]x, landlines 02xx, and numbers misheard by a digit
    if _HOTLINE.fullmatch(digits):
        return None  # 1900/1800 hotlines are public numbers
    if len(digits) == 12:
        return CCCD
    if len(digits) == 9:
        return CMND
    if len(digits) >= 8:
        return ACCOUNT
    return None


def _digit_of(token: str) -> str | None:
    if token[0].isdigit() or token[0] == "+":
        return token
    return DIGIT_WORDS.get(fold(token))


Token = tuple[int, int, str, bool]  # start, end, digits, is_word


def _best_span(tokens: list[Token]) -> tuple[int, int, str | None]:
    """The run's span and placeholder. A written number followed or preceded by number words
    that are also ordinary words ("0905123456 sau ba ngày": after three days) is cut back
    to the phone number when that is what it holds; spelled-out digits are never cut off."""
    whole = classify("".join(t[2] for t in tokens))
    if whole == PHONE:
        return tokens[0][0], tokens[-1][1], whole
    for cut_left in range(3):
        for cut_right in range(3):
            inner = tokens[cut_left : len(tokens) - cut_right]
            if not inner or cut_left + cut_right == 0:
                continue
            cut = tokens[:cut_left] + tokens[len(tokens) - cut_right :]
            if not all(t[3] for t in cut):
                continue
            if (cut_left and inner[0][3]) or (cut_right and inner[-1][3]):
                continue  # only words next to written digits are cut off
            if classify("".join(t[2] for t in inner)) == PHONE:
                return inner[0][0], inner[-1][1], PHONE
    return tokens[0][0], tokens[-1][1], whole


Run = tuple[int, int, str | None, list[Token]]  # start, end, placeholder, its tokens


def _runs(text: str) -> list[Run]:
    """(start, end, placeholder, tokens) for every maximal run of digits and digit words."""
    runs: list[Run] = []
    current: list[Token] = []

    def close() -> None:
        if current:
            start, end, label = _best_span(current)
            runs.append((start, end, label, list(current)))
            current.clear()

    for match in _TOKEN.finditer(text):
        token = match.group()
        digits = _digit_of(token)
        if digits is None and fold(token) in PLUS_WORDS:
            close()
            current.append((match.start(), match.end(), "+", True))
            continue
        if digits is None:
            close()
            continue
        is_word = not (token[0].isdigit() or token[0] == "+")
        if current:
            gap = text[current[-1][1] : match.start()]
            both_written = not is_word and not current[-1][3]
            sep = _DIGIT_SEP if both_written else _WORD_SEP
            # Whisper writes dictated digits as "1, 2, 3": short written groups may be
            # joined across commas, a house number and a phone number ("12, 0905…") not.
            short = len(digits) <= 4 and len(current[-1][2]) <= 4
            if both_written and short:
                sep = _WORD_SEP
            if not sep.fullmatch(gap) or (digits.startswith("+") and current[-1][2] != "+"):
                close()
        current.append((match.start(), match.end(), digits, is_word))
    close()
    return runs


Span = tuple[int, int, str]  # start, end, placeholder


def phone_cued(before: str) -> bool:
    """Whether the words just before a number say it is a phone number (and not an ID)."""
    words = fold(before).lower().split()[-CUE_WORDS:]
    window = " ".join(words)
    return bool(_PHONE_CUE.search(window)) and not _ID_CUE.search(window)


def _cued(text: str, run: Run) -> Run:
    """The run as a phone number when a phone cue comes just before it.

    Number words beside written digits are dropped first, as in :func:`_best_span`:
    in "hỏng từ năm 2026" the "từ năm" are words (since, year), not digits 4 and 5."""
    start, end, label, tokens = run
    if label == PHONE:
        return run
    core = list(tokens)
    if any(not t[3] for t in core):
        while core and core[0][3]:
            core.pop(0)
        while core and core[-1][3]:
            core.pop()
    digits = "".join(t[2] for t in core).lstrip("+")
    if len(digits) < CUED_MIN_DIGITS or _HOTLINE.fullmatch(digits):
        return run
    if not phone_cued(text[: core[0][0]]):
        return run
    return core[0][0], core[-1][1], PHONE, core


def spans(text: str) -> list[Span]:
    """Where personal data is in ``text`` (already clean), in order, not overlapping."""
    found: list[Span] = [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]
    for run in _runs(text):
        start, end, label, _ = _cued(text, run)
        if label is None or _CODE_BEFORE.search(text[:start]):
            continue
        if label == ACCOUNT and _MONEY.fullmatch(text[start:end]):
            continue
        if any(s < end and start < e for s, e, _ in found):
            continue  # digits inside an e-mail address
        found.append((start, end, label))
    return sorted(found)


def _apply(text: str, found: list[Span]) -> Redaction:
    pieces: list[str] = []
    counts: Counter[str] = Counter()
    last = 0
    for start, end, label in found:
        pieces += [text[last:start], label]
        counts[label] += 1
        last = end
    pieces.append(text[last:])
    return Redaction("".join(pieces), dict(counts))


def redact(text: str | None) -> Redaction:
    """``text`` with personal data replaced by placeholders, and what was replaced."""
    text = clean(text)
    return _apply(text, spans(text))


def redact_text(text: str | None) -> str:
    """Just the redacted text."""
    return redact(text).text


def redact_segments(texts: list[str]) -> list[Redaction]:
    """Redact consecutive segments of one speaker as one text.

    Whisper often cuts a dictated number between two segments ("… is 0905." / "1, 2, 3, 4,
    5, 6."): each half alone is too short to look like a phone number. The placeholder goes
    to the segment where the number starts; the rest of it is removed from the next ones.
    """
    texts = [clean(t) for t in texts]
    joined = " ".join(texts)
    bounds, offset = [], 0
    for text in texts:
        bounds.append((offset, offset + len(text)))
        offset += len(text) + 1
    found = spans(joined)
    out = []
    for a, b in bounds:
        local = []
        for start, end, label in found:
            if start < b and a < end:
                s, e = max(start, a) - a, min(end, b) - a
                local.append((s, e, label if start >= a else ""))
        redacted = _apply(joined[a:b], local)
        counts = {k: v for k, v in redacted.found.items() if k}
        out.append(Redaction(" ".join(redacted.text.split()), counts))
    return out
