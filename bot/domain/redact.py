"""Hiding personal data: phone numbers, ID numbers, e-mails, account and card numbers.

One library for everything that shows a citizen's words to someone else: hotline
transcripts, chat descriptions of reports (Open311, ``check_status``, exports, the desk),
corrections in review, and ``hue-assist privacy redact`` for supervisors.

Numbers are found however they are given (``redact_numbers``): typed with any separator or
glued to a cue ("SĐT0905…"), dictated digit by digit, in pairs, tens or hundreds, in
Vietnamese or English, with or without diacritics. Each run of digits and number words is
read as one digit string and classified by its shape and by the cue said before it ("số
điện thoại", "CCCD", "STK"…). E-mail addresses are found typed, spoken or disguised
(``redact_email``). Placeholders say what was removed: ``[SĐT]`` phone, ``[CCCD]`` 12-digit
citizen ID, ``[CMND]`` 9-digit old ID, ``[EMAIL]``, ``[STK]`` bank account or card.

Kept on purpose: years, dates, times, money, house numbers, report codes ``PA-YYYY-NNNNNN``,
public hotlines (1900/1800…, 113–115), document numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.base.text import clean
from bot.domain import redact_email
from bot.domain.redact_numbers import (
    DIGITS,
    PLUS,
    Token,
    glued_word_before,
    has_amount_after,
    lowered,
    read,
    runs,
    tokens,
    view,
)

PHONE, CCCD, CMND, EMAIL, ACCOUNT = "[SĐT]", "[CCCD]", "[CMND]", "[EMAIL]", "[STK]"
KINDS = {PHONE: "phone", CCCD: "cccd", CMND: "cmnd", EMAIL: "email", ACCOUNT: "account"}

# Cues, matched on the folded words just before a number. Specific phone words compete
# with ID and account words by nearness; generic ones ("số em", "number", "gọi") give way
# to an ID or account word anywhere in the window.
_PHONE_SPECIFIC = (
    r"so dien thoai|dien thoai|dt|sdt|so dt|so may|may ban|di dong|zalo|whatsapp|viber"
    r"|telegram|phone|mobile|cell|tel|sms|nhan tin|hotline"
)
_PHONE_GENERIC = (
    r"lien he|lien lac|goi|goi lai|so cu|so moi|so rieng|so nay|number|call|text|reach"
    r"|contact|ring|so (?:cua )?(?:em|toi|anh|chi|minh|tui|con|co|chu|bac|ong|ba|chau|no|nha)"
    r"(?: la)?"
)
_ID = r"cmnd|cccd|cmt|can cuoc|chung minh|dinh danh|id|ho chieu|passport|citizen|identity"
_ACCOUNT = (
    r"stk|so tk|tk|tai khoan|chuyen khoan|ck|account|acc|bank|banking|ngan hang|vietcombank"
    r"|vcb|bidv|agribank|techcombank|tcb|vietinbank|mb|mbbank|acb|sacombank|tpbank|vpbank"
    r"|shb|hdbank|ocb|seabank|momo|so the|the atm|the ngan hang|card|atm|visa|mastercard"
)
CUES = {
    "phone": re.compile(rf"\b(?:{_PHONE_SPECIFIC})\b"),
    "phone_generic": re.compile(rf"\b(?:{_PHONE_GENERIC})\b"),
    "id": re.compile(rf"\b(?:{_ID})\b"),
    "account": re.compile(rf"\b(?:{_ACCOUNT})\b"),
}
_CARD_ACCENTED = re.compile(r"\bthẻ\b")  # folded "the" is English "the"
_GLUED_CUE = re.compile(rf"(?:{_PHONE_SPECIFIC}|{_ID}|{_ACCOUNT}|so)")
_AFTER_ACCOUNT = re.compile(rf"^\W*(?:chu tk|chu tai khoan|{_ACCOUNT})\b")
CUE_WORDS = 6  # how far before the digits a cue counts
CUED_MIN_DIGITS = 6  # fewer, after a phone cue, is more likely a house number or a count

# Numbers that are never personal, hidden from the reader before it looks.
_MASKS = re.compile(
    r"\bpa[\s\-_.:#]{0,2}(?:19|20)\d{2}[\s\-_.]{0,2}\d{1,6}\b"  # report codes
    r"|\b(?:0?[1-9]|[12]\d|3[01])[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:19|20)\d{2}\b"  # 12/11/2026
    r"|\b(?:19|20)\d{2}[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:0?[1-9]|[12]\d|3[01])\b"  # 2026-11-12
    r"|\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\b"  # 14:30
)
_HOTLINE = re.compile(r"1[89]00\d{4,6}|11[345]|1022")
_MONEY = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")  # "15.000.000" (đồng), not an account
_YEAR = re.compile(r"(?:19|20)\d{2}")
_DATE8 = re.compile(
    r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d{2}"
)
_PHONE_SHAPE = re.compile(r"840?[35789]\d{8}|840?2\d{9}|0[1-9]\d{8,9}")


@dataclass(frozen=True)
class Redaction:
    text: str
    found: dict[str, int] = field(default_factory=dict)  # placeholder → how many

    @property
    def changed(self) -> bool:
        return bool(self.found)


Span = tuple[int, int, str]  # start, end, placeholder


def _national(digits: str) -> tuple[str, bool]:
    """Digits without "+"/"00" in front, and whether an international prefix was given."""
    plus = digits.startswith("+")
    digits = digits.lstrip("+")
    if digits.startswith("0084"):
        return digits[2:], True
    return digits, plus


def phone_shaped(digits: str) -> bool:
    """A Vietnamese phone number by its digits alone: mobile, landline, with or without 84."""
    digits, plus = _national(digits)
    if plus and not digits.startswith("84"):
        return len(digits) >= 8
    return bool(_PHONE_SHAPE.fullmatch(digits))


def classify(digits: str, cue: str | None = None, shape: str = "token") -> str | None:
    """The placeholder for a digit string, or None to keep it.

    ``cue`` is what was said just before ("phone", "id", "cccd", "cmnd", "account");
    ``shape`` is "token" (one typed number), "grouped" (typed in groups) or "spoken".
    """
    if phone_shaped(digits):
        return ACCOUNT if cue == "account" and not digits.startswith(("0", "+", "84")) else PHONE
    digits, _ = _national(digits)
    if _HOTLINE.fullmatch(digits):
        return None  # public numbers
    if cue in ("id", "account") and len(digits) >= 8:
        if cue == "id":
            return {12: CCCD, 9: CMND}.get(len(digits), ACCOUNT)
        return ACCOUNT
    if cue == "phone" and len(digits) >= CUED_MIN_DIGITS:
        return PHONE
    if len(digits) == 12 and digits[0] == "0":
        return CCCD  # province codes 001–096
    if _DATE8.fullmatch(digits):
        return None
    if shape == "token":
        if len(digits) == 12:
            return CCCD
        if len(digits) == 9:
            return CMND
        if len(digits) >= 8:
            return ACCOUNT
        return None
    return ACCOUNT if len(digits) >= 10 else None


def cue_before(folded: str, typed: str, start: int) -> str | None:
    """What the words just before ``start`` say the number is, or None."""
    words = re.findall(r"[a-z]+", folded[:start])[-CUE_WORDS:]
    window = " ".join(words)
    found: dict[str, int] = {}
    for name, pattern in CUES.items():
        ends = [m.end() for m in pattern.finditer(window)]
        if ends:
            found[name] = max(ends)
    raw = " ".join(re.findall(r"[^\W\d_]+", typed[:start])[-CUE_WORDS:])
    if _CARD_ACCENTED.search(raw):
        found["account"] = max(found.get("account", 0), len(window))
    strong = {k: v for k, v in found.items() if k in ("phone", "id", "account")}
    if strong:
        return max(strong, key=lambda k: strong[k])
    return "phone" if "phone_generic" in found else None


def _trims(run: list[Token]) -> list[tuple[int, int]]:
    """Token ranges of the run: whole first, then with number words cut off where they
    touch written digits ("0905123456 sau ba ngày": after three days), fewest cut first."""
    out = [(0, len(run))]
    for total in range(1, 7):
        for left in range(0, min(total, 3) + 1):
            right = total - left
            if right > 3 or left + right >= len(run):
                continue
            cut = run[:left] + run[len(run) - right :]
            inner = run[left : len(run) - right]
            if any(t.written for t in cut):
                continue
            if (left and not inner[0].written) or (right and not inner[-1].written):
                continue
            out.append((left, len(run) - right))
    return out


def _shape(run: list[Token]) -> str:
    written = [t for t in run if t.kind == DIGITS]
    if len(written) == len([t for t in run if t.kind != PLUS]):
        return "token" if len(written) == 1 else "grouped"
    return "spoken"


def _core(folded: str, typed: str, run: list[Token]) -> tuple[int, int]:
    """The run without doubtful number words at its ends when it holds written digits:
    in "hỏng từ năm 2026" the "năm" is the year, not a 5. A word typed with its marks
    ("0461 5230 bốn bảy tám ba"), or one that has none to type ("hai", "ba"), is a digit the
    citizen meant, and stays."""

    def doubtful(token: Token) -> bool:
        written = typed[token.start : token.end]
        unmarked = written == folded[token.start : token.end] and written not in ("hai", "ba")
        return not token.written and (unmarked or written == "năm")

    a, b = 0, len(run)
    if any(t.kind == DIGITS for t in run):
        while a < b and doubtful(run[a]):
            a += 1
        while b > a and doubtful(run[b - 1]):
            b -= 1
    return a, b


def _label_run(folded: str, typed: str, run: list[Token]) -> Span | None:
    """The span and placeholder of one run, or None when it is nothing personal."""
    digits = read(run)
    if sum(len(d) for d in digits) < CUED_MIN_DIGITS:
        return None  # no rule hides fewer digits: a house number, a count, a year
    if cue_before(folded, typed, run[0].start) not in ("id", "account"):
        for a, b in _trims(run):  # after an ID or account word, 11 digits are no phone
            if phone_shaped("".join(digits[a:b])):
                return run[a].start, run[b - 1].end, PHONE
    a, b = _core(folded, typed, run)
    if a >= b:
        return None
    core, joined = run[a:b], "".join(digits[a:b])
    start, end = core[0].start, core[-1].end
    cue = cue_before(folded, typed, start)
    if cue is None and _AFTER_ACCOUNT.match(folded[end:]):
        cue = "account"
    if _not_personal(folded, typed, core, start, end, cue):
        return None
    label = classify(joined, cue, _shape(core))
    return (start, end, label) if label else None


def _not_personal(
    folded: str, typed: str, core: list[Token], start: int, end: int, cue: str | None
) -> bool:
    """Money, amounts, lists of years and codes glued to letters are not personal."""
    glued = glued_word_before(folded, start)
    if glued and not _GLUED_CUE.fullmatch(glued):
        return True  # "H46.22-260512", "A2-15": a code, not a number someone gave
    if has_amount_after(folded, typed, end):
        return True
    if cue in ("id", "account"):
        return False
    if _MONEY.fullmatch(folded[start:end]):
        return True
    written = [t.value for t in core if t.kind == DIGITS]
    return len(written) == len(core) > 1 and all(_YEAR.fullmatch(w) for w in written)


_DIGIT = re.compile(r"\d")  # full-width digits too
_AT_LIKE = re.compile(r"[@＠]|\b(?:at|c[oòộ]ng|m[oó]c)\b|[(\[{<]\s*a\s*[)\]}>]")
# Every word the reader may take for a digit, as typed (lower case), marks or none.
_NUMBER_WORD = re.compile(
    r"\b(?:không|khong|một|mốt|mot|hai|ba|bốn|bon|tư|tu|năm|nam|lăm|lam|nhăm|nham|sáu|sau"
    r"|bảy|bẩy|bay|tám|tam|chín|chin|linh|lẻ|mười|mươi|muoi|trăm|tram|cộng|cong|plus|zero|oh"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|double|triple)\b"
)


def _worth_reading(text: str) -> bool:
    """Whether ``text`` could hold anything personal: an at-sign or an at-word, or enough
    digits and number words for six digits (a word stands for three at most: "trăm").
    Most descriptions and addresses are settled here, without the full reading."""
    lower = text.lower()
    if _AT_LIKE.search(lower):
        return True
    digits = len(_DIGIT.findall(text))
    if digits >= CUED_MIN_DIGITS:
        return True
    return digits + 3 * len(_NUMBER_WORD.findall(lower)) >= CUED_MIN_DIGITS


def spans(text: str) -> list[Span]:
    """Where personal data is in ``text`` (already clean), in order, not overlapping."""
    if not _worth_reading(text):
        return []
    folded = view(text)
    typed = lowered(text)
    found: list[Span] = [(s, e, EMAIL) for s, e in redact_email.find(folded)]
    masked = _MASKS.sub(lambda m: "\x00" * len(m.group()), folded)
    for run in runs(masked, tokens(masked, typed)):
        span = _label_run(masked, typed, run)
        if span is None:
            continue
        if any(s < span[1] and span[0] < e for s, e, _ in found):
            continue  # digits inside an e-mail address
        found.append(span)
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


def found_spans(text: str | None) -> dict:
    """The cleaned text, its redaction and every span found, for ``privacy redact --json``."""
    cleaned = clean(text)
    found = spans(cleaned)
    return {
        "text": _apply(cleaned, found).text,
        "spans": [
            {
                "start": s,
                "end": e,
                "kind": KINDS[label],
                "placeholder": label,
                "value": cleaned[s:e],
            }
            for s, e, label in found
        ],
    }


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
