"""Finding e-mail addresses typed, spoken or disguised, for the redactor.

People write "x@gmail.com", "x @ gmail . com", "x＠gmail．com", "x(at)gmail(dot)com",
"x [at] gmail [dot] com"; they say "x a còng gmail chấm com" (typed without marks too: "a cong
… cham com"), "x at gmail dot com", and spell the name in words ("thanh hue a còng …", "john
dot smith at …"). Matching runs on the redactor's folded view (see ``redact_numbers.view``),
so positions are positions in the text.

A spoken "at"/"a còng" is a common word or sound, so a spoken address needs a domain that
looks like one: a known provider, or a last label that is a real top-level domain.
"""

from __future__ import annotations

import re

PROVIDERS = "gmail|yahoo|hotmail|outlook|icloud|live|msn|proton|protonmail|zoho|ymail|aol"
TLDS = "com|net|org|edu|gov|vn|info|io|me|biz|co|uk|us|jp|kr|fr|de|au|sg|ac|int|mobi|name"

_USER = r"[a-z0-9][a-z0-9._%+\-]*"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?"
_BRACKET_AT = r"\s*[(\[<{]\s*(?:at|a|@)\s*[)\]>}]\s*"
_SPOKEN_AT = r"\s+(?:a\s?cong|a\s?moc|at)\s+"
_DOT = r"(?:\s*\.\s*|\s*[(\[{]\s*(?:dot|cham)\s*[)\]}]\s*|\s+(?:cham|dot)\s+|,(?=[a-z]))"

# Written with a sign: "@" (also spaced, or bracketed "(at)"), any domain with a dot.
_SIGNED = re.compile(
    rf"(?<![a-z0-9._%+\-])(?P<user>{_USER})(?:\s*@\s*|{_BRACKET_AT})"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL})*)"
)
# Spoken: "a còng", "a móc", "at"; the domain may take two words ("gờ mail").
_SPOKEN = re.compile(
    rf"(?<![a-z0-9._%+\-])(?P<user>{_USER}){_SPOKEN_AT}"
    rf"(?P<domain>{_LABEL}(?:\s(?!cham\b|dot\b){_LABEL})?(?:{_DOT}{_LABEL})*)"
)
_TLD = rf"(?:{TLDS})(?![a-z0-9])"
_TRIM_DOMAIN = re.compile(rf"^(.*?(?:{_DOT}){_TLD})(?:(?:{_DOT}){_TLD})*")

# Said before an address, these let a spoken name of several words belong to it.
_CUE = re.compile(r"\b(?:e ?mail|mail|gmail|thu dien tu|hom thu|dia chi thu)\b")
_STOP = frozenset(
    """la cua em toi minh anh chi co chu bac ong ba con tui no dia chi nha nhe nhan gui ve
    qua vao cho is my me to at the of mail email gmail e thu dien tu hom and or hoac va
    send write gui lien he da vang day""".split()
)
_NAME_JOIN = re.compile(r"\s+(?:dot|cham)\s+|\s*[._]\s*|\s+")
NAME_WORDS = 4  # how many spoken words a name may have


def _domain_end(domain: str, signed: bool) -> int | None:
    """How much of the matched domain to keep, or None when it is no domain."""
    if signed and re.search(_DOT, domain):
        trimmed = _TRIM_DOMAIN.match(domain)
        return trimmed.end() if trimmed else len(domain)
    trimmed = _TRIM_DOMAIN.match(domain)
    if trimmed:
        return trimmed.end()
    first = re.match(rf"{_LABEL}(?:\s{_LABEL})?", domain)
    if first and re.search(rf"\b(?:{PROVIDERS})$", first.group()):
        return first.end()
    return None


def _name_start(folded: str, start: int) -> int:
    """Where a spoken name that ends at ``start`` begins ("thanh hue", "john dot smith")."""
    before = folded[:start]
    cued = bool(_CUE.search(" ".join(before.split()[-8:])))
    words = list(re.finditer(r"[a-z0-9_]+", before))
    begin = start
    taken = 0
    for word in reversed(words):
        gap = folded[word.end() : begin]
        joined = re.fullmatch(r"\s+(?:dot|cham)\s+|\s*[._]\s*", gap)
        if word.group() in _STOP or not (_NAME_JOIN.fullmatch(gap) or gap == ""):
            break
        if not cued and not joined:
            break
        if word.group() in ("dot", "cham"):
            continue
        begin = word.start()
        taken += 1
        if taken >= NAME_WORDS:
            break
    return begin


def find(folded: str) -> list[tuple[int, int]]:
    """(start, end) of every e-mail address in the folded view."""
    found: list[tuple[int, int]] = []
    for pattern, signed in ((_SIGNED, True), (_SPOKEN, False)):
        for match in pattern.finditer(folded):
            end = _domain_end(match.group("domain"), signed)
            if end is None:
                continue
            if match.group("user") in _STOP:
                continue
            start = _name_start(folded, match.start("user"))
            span = (start, match.start("domain") + end)
            if not any(s < span[1] and span[0] < e for s, e in found):
                found.append(span)
    return sorted(found)
