"""Writes the redaction evaluation corpus (``bench/data/redact/``), seeded, once.

Written before the redactor's rules were read, from how people in Huế give a number or an
address on the phone and in a chat, and kept for evaluation only (see
``bench/data/redact/README.md``). The generated half renders random but well-formed numbers
(mobile, Huế landline, CCCD, CMND, bank accounts and cards, e-mail addresses) in every way a
person says or types them, inside hotline-style and chat-style sentences; the hand-written
half adds odd cases. Ordinary lines are what a citizen says without any personal number:
years, dates, money, house numbers, report codes, hotlines, measures, digit words used as
words.

Each line is split into ``dev`` (looked at while developing) and ``probe`` (held out: only
its figures are read) by a hash of its text.

    .venv/bin/python bench/redact_corpus.py     # rewrites bench/data/redact/*.jsonl
"""

from __future__ import annotations

import hashlib
import json
import random
import unicodedata
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "redact"

VI = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
EN_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
MOBILE = (
    "090 093 089 070 079 077 076 078 083 084 085 081 082 032 033 034 035 036 037 038 039 "
    "086 096 097 098 056 058 059 099 091 094 088 092"
).split()


def fold(text: str) -> str:
    """Without diacritics, as many people type."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


# -- numbers ---------------------------------------------------------------------------------


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE) + "".join(rng.choice("0123456789") for _ in range(7))


def landline(rng: random.Random) -> str:
    return "0234" + rng.choice("3568") + "".join(rng.choice("0123456789") for _ in range(6))


def cccd(rng: random.Random) -> str:
    year = f"{rng.randint(50, 99) if rng.random() < 0.7 else rng.randint(0, 8):02d}"
    century = rng.choice("01") if int(year) >= 50 else rng.choice("23")
    return "046" + century + year + "".join(rng.choice("0123456789") for _ in range(6))


def cmnd(rng: random.Random) -> str:
    return rng.choice(["191", "192", "197", "201"]) + "".join(
        rng.choice("0123456789") for _ in range(6)
    )


def account(rng: random.Random) -> str:
    length = rng.choice([10, 12, 13, 13, 14, 14])
    prefix = rng.choice(["0071", "1903", "4000", "0451", "1015", "2110", "3100", "9999", "7010"])
    return prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))


def card(rng: random.Random) -> str:
    return "9704" + "".join(rng.choice("0123456789") for _ in range(12))


def groups(digits: str, sizes: list[int]) -> list[str]:
    out, i = [], 0
    for size in sizes:
        out.append(digits[i : i + size])
        i += size
    if i < len(digits):
        out.append(digits[i:])
    return [g for g in out if g]


def vi_pair(pair: str, rng: random.Random) -> str:
    """Two digits read as a number ("34" → "ba mươi tư" or "ba tư")."""
    a, b = int(pair[0]), int(pair[1])
    if a == 0:
        return f"không {VI[b]}"
    if a == 1:
        unit = {0: "", 5: rng.choice(["lăm", "lăm", "nhăm"])}.get(b, VI[b])
        return ("mười " + unit).strip()
    unit = {
        0: "",
        1: "mốt",
        4: rng.choice(["tư", "bốn"]),
        5: rng.choice(["lăm", "nhăm", "năm"]),
    }.get(b, VI[b])
    if b and rng.random() < 0.35:
        return f"{VI[a]} {unit}"  # the spoken short form: "ba tư", "hai lăm"
    return f"{VI[a]} mươi {unit}".strip()


def vi_triple(triple: str, rng: random.Random) -> str:
    """Three digits read as a number ("105" → "một trăm linh năm")."""
    a, rest = int(triple[0]), triple[1:]
    if a == 0:
        return " ".join(VI[int(d)] for d in triple)
    head = f"{VI[a]} trăm"
    if rest == "00":
        return head
    if rest[0] == "0":
        return f"{head} {rng.choice(['linh', 'lẻ'])} {VI[int(rest[1])]}"
    return f"{head} {vi_pair(rest, rng)}"


def vi_group(group: str, rng: random.Random, style: str) -> str:
    if style == "pairs" and len(group) % 2 == 0:
        return " ".join(vi_pair(group[i : i + 2], rng) for i in range(0, len(group), 2))
    if style == "hundreds" and len(group) == 3:
        return vi_triple(group, rng)
    if style == "hundreds" and len(group) == 4 and group[0] == "0" and group[1] != "0":
        # "0905" → "không chín lẻ năm": the zero after the hundred as "lẻ"/"linh"
        if group[2] == "0":
            word = rng.choice(["lẻ", "linh"])
            return f"không {VI[int(group[1])]} {word} {VI[int(group[3])]}"
        return f"không {vi_triple(group[1:], rng)}"
    return " ".join(VI[int(d)] for d in group)


def en_digits(group: str, rng: random.Random) -> str:
    words, i = [], 0
    zero = rng.choice(["zero", "oh"])
    while i < len(group):
        run = 1
        while i + run < len(group) and group[i + run] == group[i] and run < 3:
            run += 1
        word = zero if group[i] == "0" else EN[int(group[i])]
        if run == 3 and rng.random() < 0.7:
            words.append(f"triple {word}")
        elif run >= 2 and rng.random() < 0.7:
            words.append(f"double {word}")
            run = 2
        else:
            words.append(word)
            run = 1
        i += run
    return " ".join(words)


def en_pair(pair: str) -> str:
    if len(pair) == 1:
        return EN[int(pair)]
    a, b = int(pair[0]), int(pair[1])
    if a == 0:
        return f"oh {EN[b]}"
    if a == 1:
        return EN_TEENS[b]
    return EN_TENS[a] + ("" if b == 0 else f" {EN[b]}")


# -- renderings of a digit string ------------------------------------------------------------


def phone_shapes(digits: str) -> list[list[int]]:
    if len(digits) == 10:
        return [[4, 3, 3], [3, 3, 4], [4, 2, 2, 2], [2, 2, 2, 2, 2], [3, 4, 3], [4, 6]]
    if len(digits) == 11:
        return [[4, 3, 4], [4, 4, 3], [3, 4, 4]]
    if len(digits) == 12:
        return [[3, 3, 3, 3], [4, 4, 4], [6, 6], [3, 9]]
    if len(digits) == 9:
        return [[3, 3, 3]]
    return [[4] * (len(digits) // 4 + 1), [3] * (len(digits) // 3 + 1)]


SEPARATORS = [" ", ".", "-", "/", "_", ",", "·", " - ", "  ", "\u00a0", "|", "~", " / ", "–"]
WORD_SEPARATORS = [" ", ", ", " - ", "... ", ". ", ", ", " "]


def render(digits: str, rng: random.Random, kind: str) -> tuple[str, str]:
    """One way of writing or saying ``digits``, and its name."""
    shapes = phone_shapes(digits)
    style = rng.choice(
        [
            "plain",
            "grouped",
            "grouped",
            "odd_separator",
            "glued",
            "vi_digits",
            "vi_digits",
            "vi_unaccented",
            "vi_pairs",
            "vi_pairs",
            "vi_hundreds",
            "vi_hundreds",
            "en_digits",
            "en_pairs",
            "mixed",
            "asr_spaced",
            "fullwidth",
        ]
        + (["international", "international"] if kind == "phone" and digits[0] == "0" else [])
        + (["money_grouped", "money_grouped"] if kind == "account" else [])
    )
    parts = groups(digits, rng.choice(shapes))
    if style == "plain":
        return digits, style
    if style == "grouped":
        return rng.choice([" ", ".", "-", " "]).join(parts), style
    if style == "odd_separator":
        return rng.choice(SEPARATORS[3:]).join(parts), style
    if style == "glued":
        return digits, style  # the sentence glues it to its cue
    if style == "international":
        rest = digits[1:]
        head = rng.choice(["+84 ", "+84", "84", "(+84) ", "+84-", "0084 "])
        sep = rng.choice([" ", "", ".", "-"])
        return head + sep.join(groups(rest, [3, 3, 3])), style
    if style in ("vi_digits", "vi_unaccented", "vi_pairs", "vi_hundreds"):
        how = {"vi_pairs": "pairs", "vi_hundreds": "hundreds"}.get(style, "digits")
        sep = rng.choice(WORD_SEPARATORS)
        text = sep.join(vi_group(p, rng, how) for p in parts)
        if style == "vi_unaccented" or rng.random() < 0.25:
            text = fold(text)
        return text, style
    if style == "en_digits":
        return rng.choice([" ", ", ", " - "]).join(en_digits(p, rng) for p in parts), style
    if style == "en_pairs":
        head = en_digits(parts[0], rng)
        tail = "".join(parts[1:])
        pairs = [tail[i : i + 2] for i in range(0, len(tail), 2)]
        return head + ", " + ", ".join(en_pair(p) for p in pairs), style
    if style == "mixed":
        out = []
        for p in parts:
            out.append(
                p if rng.random() < 0.5 else vi_group(p, rng, rng.choice(["digits", "hundreds"]))
            )
        return " ".join(out), style
    if style == "asr_spaced":
        if rng.random() < 0.5:
            return " ".join(digits), style
        return ", ".join(" ".join(p) for p in parts), style
    if style == "fullwidth":
        return "".join(chr(0xFF10 + int(d)) for d in digits), style
    if style == "money_grouped":
        head = len(digits) % 3 or 3
        chunks = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
        return rng.choice([".", ",", " "]).join(chunks), style
    raise AssertionError(style)


# -- contexts --------------------------------------------------------------------------------

PHONE_CHAT = [
    "sdt cua em la {}",
    "Số điện thoại: {}",
    "liên hệ mình qua {} nhé",
    "{} - gọi tôi khi nào xử lý xong",
    "có gì gọi {} ạ",
    "zalo {}",
    "em tên Lan, {}",
    "đèn đường trước nhà hỏng 3 đêm rồi, số tôi {}",
    "sđt: {}",
    "gọi tôi {} nha",
    "Rác ứ đọng ở kiệt 7 Ngự Bình, ai cần thông tin thêm thì gọi {}",
    "{}",
    "ĐT liên hệ {}",
    "nhắn zalo giúp em {} cảm ơn",
    "so dt {} nhe ad",
    "alo em gửi số {} anh gọi lại giúp",
    "nước ngập tới gối, nhà tôi số 12 Lê Lợi, {}",
    "cho hỏi thủ tục cấp lại giấy khai sinh, gọi em {} với",
    "sdt {} (chị Hoa)",
    "liên lạc: {} hoặc nhắn tin",
]
PHONE_HOTLINE = [
    "dạ số của em là {} ạ",
    "vâng số điện thoại {} chị ghi giúp em",
    "anh gọi lại số {} nha",
    "số máy nhà tôi là {}",
    "à em đọc lại {}",
    "số em {} đó chị",
    "da so cua em la {} a",
    "ừ số di động của tôi {}",
    "chị ghi giùm số {} nghe",
    "có gì thì cán bộ gọi {} là gặp tôi",
]
PHONE_EN = [
    "my number is {}",
    "call me at {}",
    "you can reach me on {}",
    "phone: {}",
    "text me {} thanks",
    "my mobile is {} if you need more details",
]
ID_CONTEXTS = {
    "cccd": [
        "CCCD {}",
        "căn cước công dân số {}",
        "số căn cước của tôi {}",
        "cccd: {}",
        "dạ số căn cước em là {}",
        "my ID card number is {}",
        "CCCD của chồng tôi {} để xác minh",
        "số định danh cá nhân {}",
        "căn cước {} cấp năm 2021",
        "em đọc số căn cước {} ạ",
    ],
    "cmnd": [
        "CMND {}",
        "chứng minh nhân dân số {}",
        "số chứng minh {}",
        "cmnd: {}",
        "dạ chứng minh thư cũ của tôi {}",
        "old ID number {}",
    ],
    "account": [
        "STK {} Vietcombank",
        "số tài khoản {}",
        "chuyển vào tk {} giúp em",
        "account number {}",
        "STK: {} - BIDV",
        "tài khoản ngân hàng của tôi là {}",
        "dạ số tài khoản {} ngân hàng Agribank",
        "hoàn tiền về stk {} chủ tk Nguyễn Văn An",
        "tk {} techcombank",
        "số tk: {}",
    ],
    "card": [
        "số thẻ {}",
        "thẻ ATM của tôi {}",
        "card number {}",
        "số thẻ ngân hàng {} hết hạn 09/28",
    ],
}
GLUED_CUES = {
    "phone": ["SĐT", "sdt", "ĐT:", "Zalo", "phone:", "tel.", "sđt:", "DT", "so dt:", "mobile"],
    "cccd": ["CCCD", "cccd:", "CCCD số", "CCCD:"],
    "cmnd": ["CMND", "cmnd:", "CMND số"],
    "account": ["STK", "stk:", "TK", "tk:"],
    "card": ["thẻ:", "the"],
}

EMAIL_USERS = [
    "nguyenvana",
    "lan.tran92",
    "hoang_minh",
    "ptmai2001",
    "thanhhue",
    "tuan.le",
    "bichngoc.hue",
    "x",
    "an",
    "minhquan.hue88",
    "tranthib",
    "le.hoang.nam",
    "vy_pham",
    "dungnguyen1975",
    "hoa.ltt",
]
EMAIL_DOMAINS = [
    ("gmail", "com"),
    ("yahoo", "com"),
    ("yahoo", "com.vn"),
    ("hotmail", "com"),
    ("outlook", "com"),
    ("hue.edu", "vn"),
    ("icloud", "com"),
    ("fpt", "vn"),
]
EMAIL_CONTEXTS = [
    "email {}",
    "mail của em là {}",
    "gửi kết quả về {} giúp tôi",
    "dạ địa chỉ mail em {} ạ",
    "my email is {}",
    "liên hệ qua {}",
    "e-mail: {}",
    "em đọc mail nha {}",
    "send it to {} please",
    "{} nhé anh",
    "thư điện tử {}",
    "dia chi email {} a",
]


def spoken_domain(domain: str, dot: str) -> str:
    return f" {dot} ".join(domain.split("."))


def render_email(rng: random.Random) -> tuple[str, str]:
    user = rng.choice(EMAIL_USERS)
    host, tld = rng.choice(EMAIL_DOMAINS)
    domain = f"{host}.{tld}"
    style = rng.choice(
        [
            "plain",
            "spaced",
            "vi_spoken",
            "vi_spoken",
            "vi_unaccented",
            "vi_unaccented",
            "en_spoken",
            "bracketed",
            "bracketed",
            "fullwidth_at",
            "upper",
            "a_moc",
        ]
    )
    if style == "plain":
        return f"{user}@{domain}", style
    if style == "spaced":
        return f"{user} @ {domain.replace('.', rng.choice(['.', ' . ']))}", style
    if style == "vi_spoken":
        return f"{user} a còng {spoken_domain(domain, 'chấm')}", style
    if style == "vi_unaccented":
        return f"{user} a cong {spoken_domain(domain, 'cham')}", style
    if style == "a_moc":
        return f"{user} a móc {spoken_domain(domain, 'chấm')}", style
    if style == "en_spoken":
        return f"{user} at {spoken_domain(domain, 'dot')}", style
    if style == "bracketed":
        at, dot = rng.choice(
            [("(at)", "(dot)"), ("[at]", "[dot]"), (" (at) ", " (dot) "), ("[a]", ".")]
        )
        return f"{user}{at}{domain.replace('.', dot)}", style
    if style == "fullwidth_at":
        return (
            f"{user}{rng.choice(['＠', ' ＠ '])}{domain.replace('.', rng.choice(['.', '．']))}",
            style,
        )
    if style == "upper":
        return f"{user}@{domain}".upper(), style
    raise AssertionError(style)


def line_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def split_of(text: str) -> str:
    return "dev" if int(line_id(text), 16) % 2 == 0 else "probe"


def adversarial(rng: random.Random) -> list[dict]:
    rows = []
    makers: list[tuple[str, Callable[[random.Random], str], int]] = [
        ("phone", mobile, 120),
        ("phone", landline, 25),
        ("cccd", cccd, 40),
        ("cmnd", cmnd, 15),
        ("account", account, 40),
        ("card", card, 10),
    ]
    for kind, make, count in makers:
        for _ in range(count):
            digits = make(rng)
            shown, style = render(digits, rng, kind)
            pool = PHONE_CHAT + PHONE_HOTLINE + PHONE_EN if kind == "phone" else ID_CONTEXTS[kind]
            if style == "glued":
                cue = rng.choice(GLUED_CUES[kind])
                text = rng.choice(["{}{}", "{}{} nhé", "liên hệ {}{}", "{}{} (em Hùng)"]).format(
                    cue, shown
                )
            else:
                text = rng.choice(pool).format(shown)
            rows.append(row(text, [shown], kind, style))
    for _ in range(60):
        shown, style = render_email(rng)
        rows.append(row(rng.choice(EMAIL_CONTEXTS).format(shown), [shown], "email", style))
    return rows


def row(text: str, pii: list[str], kind: str, style: str) -> dict:
    for item in pii:
        assert item in text, (item, text)
    return {"text": text, "pii": pii, "kind": kind, "style": style}


# Hand-written: each (text, [personal substrings], kind).
HAND_ADVERSARIAL: list[tuple[str, list[str], str]] = [
    ("gọi tôi 0905 123 456 hoặc 0234 3822 731", ["0905 123 456", "0234 3822 731"], "phone"),
    ("sdt 0905.123.456 / zalo 0389 444 555", ["0905.123.456", "0389 444 555"], "phone"),
    ("SĐT0905123456", ["0905123456"], "phone"),
    ("SDT:0905123456", ["0905123456"], "phone"),
    ("CCCD046098001234", ["046098001234"], "cccd"),
    ("cccd:046198001234 cấp tại Huế", ["046198001234"], "cccd"),
    ("CMND191234567", ["191234567"], "cmnd"),
    (
        "số em không chín không năm, mười hai, ba mươi tư, năm mươi sáu",
        ["không chín không năm, mười hai, ba mươi tư, năm mươi sáu"],
        "phone",
    ),
    (
        "dạ không chín lẻ năm một trăm hai mươi ba bốn trăm năm mươi sáu",
        ["không chín lẻ năm một trăm hai mươi ba bốn trăm năm mươi sáu"],
        "phone",
    ),
    (
        "so em khong chin linh nam muoi hai ba tu nam sau",
        ["khong chin linh nam muoi hai ba tu nam sau"],
        "phone",
    ),
    (
        "my number is oh nine oh five double four five six seven eight",
        ["oh nine oh five double four five six seven eight"],
        "phone",
    ),
    (
        "call me zero nine one two, triple three, four five six",
        ["zero nine one two, triple three, four five six"],
        "phone",
    ),
    ("email nguyenvana a cong gmail cham com", ["nguyenvana a cong gmail cham com"], "email"),
    ("mail: lan.tran(at)yahoo(dot)com", ["lan.tran(at)yahoo(dot)com"], "email"),
    ("gửi về x @ gmail.com", ["x @ gmail.com"], "email"),
    ("mail em hoa＠gmail.com", ["hoa＠gmail.com"], "email"),
    ("STK 0071.000.123.456 Vietcombank", ["0071.000.123.456"], "account"),
    ("số tài khoản 107,867,543,210 BIDV", ["107,867,543,210"], "account"),
    ("stk: 1903 5678 9012 34 tcb", ["1903 5678 9012 34"], "account"),
    ("số tài khoản 1.234.567.890 ở MB", ["1.234.567.890"], "account"),
    ("sdt 0905_123_456", ["0905_123_456"], "phone"),
    ("sdt (0905) 123-456", ["(0905) 123-456"], "phone"),
    ("phone 0905/123/456", ["0905/123/456"], "phone"),
    ("zalo: 0905*123*456", ["0905*123*456"], "phone"),
    ("sdt 0905 123 456.", ["0905 123 456"], "phone"),
    ("sđt0935.888.999 gọi giờ hành chính", ["0935.888.999"], "phone"),
    ("Em là Hương, 0914 567 890, nhà ở kiệt 12 Nguyễn Trãi", ["0914 567 890"], "phone"),
    ("gọi 0905 123 456 sau 5 giờ chiều", ["0905 123 456"], "phone"),
    ("0905123456 đây là số của tôi", ["0905123456"], "phone"),
    ("+84905123456", ["+84905123456"], "phone"),
    ("số tôi +84 (0) 905 123 456", ["+84 (0) 905 123 456"], "phone"),
    (
        "dạ số em là không chín không năm... một hai ba... bốn năm sáu",
        ["không chín không năm... một hai ba... bốn năm sáu"],
        "phone",
    ),
    (
        "số của tôi là chín không năm một hai ba bốn năm sáu",
        ["chín không năm một hai ba bốn năm sáu"],
        "phone",
    ),
    ("số điện thoại là 9 0 5, 1 2 3, 4 5 6", ["9 0 5, 1 2 3, 4 5 6"], "phone"),
    (
        "sđt: không chín tám, bảy sáu năm, bốn ba hai một",
        ["không chín tám, bảy sáu năm, bốn ba hai một"],
        "phone",
    ),
    (
        "so dien thoai khong ba tam chin, hai hai hai, ba ba ba",
        ["khong ba tam chin, hai hai hai, ba ba ba"],
        "phone",
    ),
    (
        "số em không chín một hai, bốn lăm, sáu bảy, tám chín",
        ["không chín một hai, bốn lăm, sáu bảy, tám chín"],
        "phone",
    ),
    (
        "dạ không chín không năm, một hai ba, bốn năm sáu, em tên Hoa",
        ["không chín không năm, một hai ba, bốn năm sáu"],
        "phone",
    ),
    ("zalo em 09 lẻ 5 một hai ba 456", ["09 lẻ 5 một hai ba 456"], "phone"),
    ("sdt 0 9 0 5 1 2 3 4 5 6", ["0 9 0 5 1 2 3 4 5 6"], "phone"),
    ("sdt 09 05 12 34 56", ["09 05 12 34 56"], "phone"),
    ("sdt ０９０５１２３４５６", ["０９０５１２３４５６"], "phone"),
    ("sdt 0905\u200b123\u200b456", ["0905\u200b123\u200b456"], "phone"),
    ("SĐT:0905-123-456;CCCD:046098001234", ["0905-123-456", "046098001234"], "phone"),
    (
        "Tên: Trần Văn B - SĐT 0977.111.222 - Email: tvb@gmail.com",
        ["0977.111.222", "tvb@gmail.com"],
        "phone",
    ),
    (
        "Nguyễn Thị C, 0868 123 789, c.nguyen@hue.edu.vn",
        ["0868 123 789", "c.nguyen@hue.edu.vn"],
        "phone",
    ),
    ("số nhà tôi 0234 3 822 731 (cố định)", ["0234 3 822 731"], "phone"),
    ("điện thoại bàn 0234.3822.731", ["0234.3822.731"], "phone"),
    (
        "máy bàn không hai ba bốn ba tám hai hai bảy ba một",
        ["không hai ba bốn ba tám hai hai bảy ba một"],
        "phone",
    ),
    ("tôi dùng số 0123 456 7890 cũ", ["0123 456 7890"], "phone"),
    ("số cũ 01679 123 456", ["01679 123 456"], "phone"),
    ("call me on 0905-123-456 after 5pm", ["0905-123-456"], "phone"),
    ("reach me at +84 90 512 3456", ["+84 90 512 3456"], "phone"),
    (
        "my phone is nine oh five, one two three, four five six",
        ["nine oh five, one two three, four five six"],
        "phone",
    ),
    (
        "it's oh nine three eight, double eight, double nine, one two",
        ["oh nine three eight, double eight, double nine, one two"],
        "phone",
    ),
    (
        "number: zero nine zero five, twelve, thirty four, fifty six",
        ["zero nine zero five, twelve, thirty four, fifty six"],
        "phone",
    ),
    ("id card 046 098 001 234", ["046 098 001 234"], "cccd"),
    (
        "căn cước không bốn sáu không chín tám không không một hai ba bốn",
        ["không bốn sáu không chín tám không không một hai ba bốn"],
        "cccd",
    ),
    (
        "cccd khong bon sau, khong chin tam, khong khong mot, hai ba bon",
        ["khong bon sau, khong chin tam, khong khong mot, hai ba bon"],
        "cccd",
    ),
    ("CCCD số 0460.9800.1234", ["0460.9800.1234"], "cccd"),
    ("số CCCD: 046-098-001-234", ["046-098-001-234"], "cccd"),
    ("CCCD 046 098 001 234, cấp ngày 12/5/2021", ["046 098 001 234"], "cccd"),
    ("chứng minh thư 191 234 567", ["191 234 567"], "cmnd"),
    (
        "cmnd số một chín một hai ba bốn năm sáu bảy",
        ["một chín một hai ba bốn năm sáu bảy"],
        "cmnd",
    ),
    ("tài khoản Vietcombank 0071 0001 23456", ["0071 0001 23456"], "account"),
    ("chuyển khoản vào 0071000123456 chủ tài khoản Lê Văn D", ["0071000123456"], "account"),
    ("STK: 19035678901234 (Techcombank)", ["19035678901234"], "account"),
    ("stk mb 0999 888 777 666", ["0999 888 777 666"], "account"),
    ("số tài khoản 4000 205 123 456 Agribank Huế", ["4000 205 123 456"], "account"),
    ("STK1903567890123", ["1903567890123"], "account"),
    ("tk: 1.903.567.890.123 techcom", ["1.903.567.890.123"], "account"),
    (
        "dạ số tài khoản một chín không ba, năm sáu bảy tám, chín không một hai",
        ["một chín không ba, năm sáu bảy tám, chín không một hai"],
        "account",
    ),
    ("số thẻ 9704 1234 5678 9012", ["9704 1234 5678 9012"], "card"),
    ("thẻ 9704-1234-5678-9012 bị nuốt ở cây ATM Lê Lợi", ["9704-1234-5678-9012"], "card"),
    ("mail nguyenvana@gmail.com", ["nguyenvana@gmail.com"], "email"),
    ("NGUYENVANA@GMAIL.COM", ["NGUYENVANA@GMAIL.COM"], "email"),
    ("email: nguyen.van.a+hue@gmail.com", ["nguyen.van.a+hue@gmail.com"], "email"),
    ("mail em là thanh hue a còng gmail chấm com", ["thanh hue a còng gmail chấm com"], "email"),
    ("dạ mail em hoa phạm a còng gờ mail chấm com", ["hoa phạm a còng gờ mail chấm com"], "email"),
    ("mail em: minhanh at gmail dot com", ["minhanh at gmail dot com"], "email"),
    ("email minhanh [at] gmail [dot] com", ["minhanh [at] gmail [dot] com"], "email"),
    ("email minhanh (a) gmail.com", ["minhanh (a) gmail.com"], "email"),
    ("email: minhanh @ gmail . com", ["minhanh @ gmail . com"], "email"),
    ("mail minhanh＠gmail．com", ["minhanh＠gmail．com"], "email"),
    ("mail minhanh@gmail,com", ["minhanh@gmail,com"], "email"),
    (
        "gửi vào mail: lan_tran a cong yahoo cham com cham vn",
        ["lan_tran a cong yahoo cham com cham vn"],
        "email",
    ),
    (
        "mail em tuan le chín hai a còng gmail chấm com",
        ["tuan le chín hai a còng gmail chấm com"],
        "email",
    ),
    ("email: hoang.minh@hue.gov.vn", ["hoang.minh@hue.gov.vn"], "email"),
    ("liên hệ hoa.ltt@gmail.com hoặc 0905 111 222", ["hoa.ltt@gmail.com", "0905 111 222"], "email"),
    ("zalo/sđt: 0905.111.222", ["0905.111.222"], "phone"),
    ("sđt:0905111222,zalo:0905111333", ["0905111222", "0905111333"], "phone"),
    ("(sdt 0905 111 222)", ["0905 111 222"], "phone"),
    ("sdt\t0905\t111\t222", ["0905\t111\t222"], "phone"),
    ("sdt 0905 111 222 222", ["0905 111 222 222"], "phone"),
    ("sdt: 0905111 222", ["0905111 222"], "phone"),
    ("SĐT 090 5111 222", ["090 5111 222"], "phone"),
    ("Đèn đường hỏng ở 45 Hùng Vương, gọi tôi 0905123456 nhé", ["0905123456"], "phone"),
    ("ngập nước kiệt 15 Kim Long, nhà số 7, sđt 0914.222.333", ["0914.222.333"], "phone"),
    ("Cây đổ chắn đường Lê Duẩn từ 6h sáng. Liên hệ 0377 888 999", ["0377 888 999"], "phone"),
    ("PA-2026-000123 sdt 0905123456", ["0905123456"], "phone"),
    ("kiểm tra giúp PA-2026-000045, số tôi 0388.123.456", ["0388.123.456"], "phone"),
    (
        "dạ ừ số em là không ba tám tám, một hai ba, bốn năm sáu ạ, em ở phường Phú Xuân",
        ["không ba tám tám, một hai ba, bốn năm sáu"],
        "phone",
    ),
    (
        "à khoan, số đúng là không chín ba, bảy bảy bảy, tám tám tám tám",
        ["không chín ba, bảy bảy bảy, tám tám tám tám"],
        "phone",
    ),
    (
        "số em là không chín không năm à nhầm không chín không ba một hai ba bốn năm sáu",
        ["không chín không ba một hai ba bốn năm sáu"],
        "phone",
    ),
    (
        "anh ghi số này nè không tám sáu, sáu sáu sáu, hai hai hai hai",
        ["không tám sáu, sáu sáu sáu, hai hai hai hai"],
        "phone",
    ),
    (
        "dạ em đọc lại nghe: không chín bảy, ba mươi hai, bốn mươi mốt, năm mươi lăm, chín",
        ["không chín bảy, ba mươi hai, bốn mươi mốt, năm mươi lăm, chín"],
        "phone",
    ),
    (
        "số di động không chín không năm mười một mười hai mười ba",
        ["không chín không năm mười một mười hai mười ba"],
        "phone",
    ),
    ("số em 0905 mười hai ba tư năm sáu", ["0905 mười hai ba tư năm sáu"], "phone"),
    (
        "số em là không chín không năm, một trăm linh năm, hai trăm lẻ ba",
        ["không chín không năm, một trăm linh năm, hai trăm lẻ ba"],
        "phone",
    ),
    (
        "khong chin khong nam mot hai ba bon nam sau la so cua em",
        ["khong chin khong nam mot hai ba bon nam sau"],
        "phone",
    ),
    ("sdt o9o5 123 456", ["o9o5 123 456"], "phone"),
    ("SDT O905.123.456", ["O905.123.456"], "phone"),
    ("số tôi 0905 l23 456", ["0905 l23 456"], "phone"),
    ("sdt 0️⃣9️⃣0️⃣5️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣", ["0️⃣9️⃣0️⃣5️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣"], "phone"),
    ("my cell: 090.512.3456", ["090.512.3456"], "phone"),
    ("Phone number +84-905-123-456, ask for Mr. Binh", ["+84-905-123-456"], "phone"),
    ("WhatsApp +84 905 123 456", ["+84 905 123 456"], "phone"),
    ("hotline nhà hàng tôi 0905 999 888 (số riêng)", ["0905 999 888"], "phone"),
    ("ông Tâm hàng xóm lấn chiếm vỉa hè, số ổng 0905 777 666", ["0905 777 666"], "phone"),
    ("ID: 046098001234", ["046098001234"], "cccd"),
    ("CCCD/CMND: 046098001234", ["046098001234"], "cccd"),
    ("căn cước 046 0 98 001234", ["046 0 98 001234"], "cccd"),
    ("so cccd 0 4 6 0 9 8 0 0 1 2 3 4", ["0 4 6 0 9 8 0 0 1 2 3 4"], "cccd"),
    (
        "my citizen ID is zero four six, zero nine eight, double zero one, two three four",
        ["zero four six, zero nine eight, double zero one, two three four"],
        "cccd",
    ),
    ("stk 0071 000 123 456 vcb chủ tk Nguyễn Thị E", ["0071 000 123 456"], "account"),
    ("tài khoản số: 102.345.678.901 Vietinbank", ["102.345.678.901"], "account"),
    ("bank account 0071000123456 Vietcombank Hue", ["0071000123456"], "account"),
    ("hoàn phí vào STK 1015.2233.4455 giúp em", ["1015.2233.4455"], "account"),
    ("stk: 8888 8888 88", ["8888 8888 88"], "account"),
    ("email nguyenvana a cong gmail.com", ["nguyenvana a cong gmail.com"], "email"),
    ("mail: nguyenvana@gmail", ["nguyenvana@gmail"], "email"),
    ("mail nguyenvana a còng gmail", ["nguyenvana a còng gmail"], "email"),
    ("email is john dot smith at gmail dot com", ["john dot smith at gmail dot com"], "email"),
    ("email: john.smith (at) outlook (dot) com", ["john.smith (at) outlook (dot) com"], "email"),
    (
        "mail em: lananh chấm trần a còng yahoo chấm com chấm vn",
        ["lananh chấm trần a còng yahoo chấm com chấm vn"],
        "email",
    ),
    ("mail: lan_anh＠yahoo.com.vn", ["lan_anh＠yahoo.com.vn"], "email"),
    ("gửi vào hòm thư nguyen.hoa@fpt.vn nha", ["nguyen.hoa@fpt.vn"], "email"),
    ("<hoa@gmail.com>", ["hoa@gmail.com"], "email"),
    ("mailto:hoa@gmail.com", ["hoa@gmail.com"], "email"),
]

ORDINARY_HAND: list[tuple[str, str]] = [
    ("Đèn đường trước nhà số 12 Lê Lợi hỏng 3 đêm nay rồi", "house"),
    ("kiểm tra PA-2026-000123", "code"),
    ("kiem tra pa-2026-000045 giup em", "code"),
    ("mã PA 2026 000045 xử lý tới đâu rồi", "code"),
    ("PA2026000123", "code"),
    ("cho hỏi phản ánh PA-2025-012345 đã xong chưa", "code"),
    ("Gọi 113 giúp tôi", "hotline"),
    ("tổng đài 19001075 có làm việc thứ bảy không", "hotline"),
    ("hotline 1900 1075", "hotline"),
    ("gọi 1900.1075 mãi không được", "hotline"),
    ("số 1022 của thành phố còn hoạt động không", "hotline"),
    ("đường dây nóng 18001091", "hotline"),
    ("tôi gọi 115 rồi mà chưa thấy xe", "hotline"),
    ("cháy thì gọi 114 đúng không", "hotline"),
    ("năm 2026 phường mình có làm lại đường không", "year"),
    ("từ năm 2019 đến 2025 đường này chưa sửa lần nào", "year"),
    ("hồi năm hai nghìn không trăm hai mươi lăm nước ngập tới ngực", "year"),
    ("năm hai không hai lăm lụt to lắm", "year"),
    ("ngày 12/11/2026 xe rác không tới", "date"),
    ("từ 12-11-2026 đến nay", "date"),
    ("hẹn 20/11 lúc 14:30", "date"),
    ("lúc 9 giờ 30 sáng nay", "time"),
    ("từ 7h đến 17h thứ hai đến thứ sáu", "time"),
    ("phí 500.000 đồng có đúng không", "money"),
    ("đóng 1.250.000đ tiền nước tháng này, cao quá", "money"),
    ("mất 2 triệu 500 nghìn để sửa", "money"),
    ("dự án 12.500.000.000 VND mà làm ẩu", "money"),
    ("tiền điện tháng rồi 1,500,000 VND", "money"),
    ("hai trăm năm mươi nghìn đồng một tháng", "money"),
    ("phạt 1.250.000.000 đồng", "money"),
    ("kiệt 45/12 Phan Đình Phùng bị ngập", "house"),
    ("nhà 123/4/5 Nguyễn Huệ", "house"),
    ("số 7 ngõ 3 kiệt 15 Kim Long", "house"),
    ("lô A2-15 khu đô thị An Vân Dương", "house"),
    ("chung cư tầng 12 phòng 1205 mất nước", "house"),
    ("cột điện số 1234 bị nghiêng", "measure"),
    ("trụ điện 12/34 đường Trần Phú", "measure"),
    ("km 12+500 quốc lộ 1A sạt lở", "measure"),
    ("tuyến buýt số 3 không chạy", "measure"),
    ("ổ gà sâu 30cm rộng 1,5m", "measure"),
    ("khoảng 20 hộ dân bị ảnh hưởng", "measure"),
    ("dân số 1.236.393 người", "measure"),
    ("tọa độ 16.463713, 107.590866", "measure"),
    ("mã bưu chính 49000", "measure"),
    ("tôi không biết", "words"),
    ("năm nay mưa nhiều quá", "words"),
    ("ba mẹ tôi già rồi", "words"),
    ("một hai ngày nữa là ngập", "words"),
    ("không không, tôi không cần", "words"),
    ("cả năm năm nay không ai sửa", "words"),
    ("hai ba hôm nay mất điện", "words"),
    ("sáu bảy cái ổ gà liền", "words"),
    ("mười mấy năm rồi", "words"),
    ("bảy tám hộ dân", "words"),
    ("chín giờ tối vẫn còn ồn", "words"),
    ("không một bóng đèn nào sáng", "words"),
    ("dạ vâng", "words"),
    ("alo alo em nghe", "words"),
    ("số điện thoại của tôi bị hỏng", "cue"),
    ("gọi lại cho tôi nhé", "cue"),
    ("số điện thoại tôi đổi từ năm 2019", "cue"),
    ("zalo mình tên Lan", "cue"),
    ("sđt em đổi rồi", "cue"),
    ("gọi 115 giúp tôi, có người ngất", "cue"),
    ("zalo 3 ngày không trả lời", "cue"),
    ("sđt của phường là gì ạ", "cue"),
    ("số tài khoản của phường để nộp phí là gì", "cue"),
    ("CCCD của tôi hết hạn năm 2025, làm lại ở đâu", "cue"),
    ("căn cước cấp lại mất 7 ngày", "cue"),
    ("CMND cũ dùng được đến 31/12/2024 không", "cue"),
    ("tài khoản Hue-S của tôi bị khóa 2 ngày", "cue"),
    ("email của sở là gì", "cue"),
    ("chấm điểm dịch vụ thế nào", "words"),
    ("website hue.gov.vn không vào được", "words"),
    ("trang dichvucong.gov.vn báo lỗi", "words"),
    ("I called 113 yesterday", "hotline"),
    ("the bill was 1,200,000 VND", "money"),
    ("it has been broken since 2024", "year"),
    ("house number 12 Le Loi", "house"),
    ("at the corner of Hung Vuong and Ba Trieu", "words"),
    ("about 300 meters from the market", "measure"),
    ("one two three, can you hear me", "words"),
    ("double check the light at number 45", "words"),
    ("the number 7 bus never comes", "measure"),
    ("my phone is broken, please reply here", "cue"),
    ("call me back please", "cue"),
    ("polka dot umbrella left at the stop", "words"),
    ("meet at 5 at the bridge", "words"),
    ("room 204, building B", "house"),
    ("report PA-2026-000123 status please", "code"),
    ("it happened on 12/11/2026 at 9:30", "date"),
    ("lost 2,500,000 dong", "money"),
    ("there were 3 or 4 potholes", "measure"),
    ("I'm 45 years old and live at 7/2 Kim Long", "house"),
    ("call 1900 1075 for help", "hotline"),
    ("trường THCS số 2 Thuận Hóa", "house"),
    ("lớp 12A3 bị dột", "measure"),
    ("biển báo 40km/h bị đổ", "measure"),
    ("xe 16 chỗ đậu trên vỉa hè", "measure"),
    ("đợt 2 năm 2026", "year"),
    ("quyết định số 1234/QĐ-UBND ngày 05/06/2026", "measure"),
    ("công văn 567/UBND-KT", "measure"),
    ("thông tư 01/2026/TT-BTNMT", "measure"),
    ("nghị định 13/2023/NĐ-CP về dữ liệu cá nhân", "measure"),
    ("mã hồ sơ H46.22-260512-0001", "code"),
    ("lúc 23:59 ngày 31/12/2025", "date"),
    ("8 giờ 15 phút 30 giây", "time"),
    ("từ 2020 2021 2022 đến giờ", "year"),
    ("nợ 15.000.000 đồng từ 2023", "money"),
    ("giá 3.500.000/m2", "money"),
    ("kiệt 85 Nguyễn Chí Thanh, tổ 12, khu vực 4", "house"),
    ("cầu Trường Tiền dài 402,6 m", "measure"),
    ("nhiệt độ 38 độ C", "measure"),
    ("lượng mưa 250mm trong 24h", "measure"),
    ("có 1 2 3 4 5 6 7 8 chiếc xe máy bị ngập", "words"),
    ("đếm một hai ba bốn năm sáu bảy tám người", "words"),
    ("một, hai, ba, bốn, năm cây xanh bị đổ", "words"),
    ("hàng xóm hát karaoke từ 8 giờ tối đến 1 giờ sáng", "time"),
    ("thứ 2 tuần sau", "date"),
    ("tháng 10 năm 2026", "date"),
    ("quý 3/2026", "date"),
    ("MST doanh nghiệp ở góc phố", "cue"),
    ("số máy lẻ 123", "cue"),
    ("gọi 0234 mấy số gì đó mà tôi quên rồi", "cue"),
]

YEARS = list(range(1975, 2031))
STREETS = [
    "Lê Lợi",
    "Hùng Vương",
    "Trần Hưng Đạo",
    "Phan Đình Phùng",
    "Nguyễn Huệ",
    "Lê Duẩn",
    "Kim Long",
    "Ngự Bình",
    "Bà Triệu",
    "Điện Biên Phủ",
    "Nguyen Trai",
    "Tran Phu",
]


def vi_year(year: int, rng: random.Random) -> str:
    if rng.random() < 0.5:
        thousands = "hai nghìn" if year >= 2000 else "một nghìn chín trăm"
        rest = year % 100 if year >= 2000 else year % 100
        if year >= 2000:
            tail = (
                f"không trăm {vi_pair(f'{rest:02d}', rng)}"
                if rest >= 10
                else f"không trăm linh {VI[rest]}"
            )
        else:
            tail = vi_pair(f"{rest:02d}", rng)
        return f"{thousands} {tail}"
    digits = str(year)
    return f"{vi_pair(digits[:2], rng)} {vi_pair(digits[2:], rng)}"


def money(rng: random.Random) -> str:
    amount = rng.choice(
        [1, 2, 5, 10, 12, 15, 25, 50, 120, 250, 500, 1250, 3500, 12500]
    ) * rng.choice([1000, 10000, 100000, 1000000])
    sep = rng.choice([".", ","])
    text = f"{amount:,}".replace(",", sep)
    return text + rng.choice([" đồng", "đ", " VND", " vnđ", " dong", "d"])


def ordinary(rng: random.Random) -> list[dict]:
    rows = [{"text": t, "kind": k} for t, k in ORDINARY_HAND]
    templates: list[tuple[str, Callable[[], str]]] = [
        (
            "year",
            lambda: rng.choice(
                ["năm {}", "từ năm {}", "in {}", "hồi {}", "since {}", "năm {} đến nay"]
            ).format(rng.choice(YEARS)),
        ),
        (
            "year",
            lambda: rng.choice(["năm {}", "hồi năm {}", "nam {}"]).format(
                vi_year(rng.choice(YEARS), rng)
            ),
        ),
        (
            "date",
            lambda: rng.choice(
                [
                    "ngày {d}/{m}/{y}",
                    "{d}-{m}-{y}",
                    "{d}.{m}.{y}",
                    "{y}-{m:02d}-{d:02d}",
                    "hôm {d}/{m}",
                ]
            ).format(d=rng.randint(1, 28), m=rng.randint(1, 12), y=rng.choice(YEARS)),
        ),
        (
            "money",
            lambda: rng.choice(
                ["phí {}", "tốn {}", "đóng {} tiền rác", "the fee is {}", "mất {} tiền sửa"]
            ).format(money(rng)),
        ),
        (
            "house",
            lambda: rng.choice(
                [
                    "số {n} {s}",
                    "kiệt {n}/{k} {s}",
                    "{n}/{k}/{j} {s}",
                    "nhà {n} {s}",
                    "{n} {s}, phường Thuận Hóa",
                    "number {n} {s} street",
                ]
            ).format(
                n=rng.randint(1, 450),
                k=rng.randint(1, 60),
                j=rng.randint(1, 20),
                s=rng.choice(STREETS),
            ),
        ),
        (
            "code",
            lambda: rng.choice(
                [
                    "kiểm tra PA-{y}-{n:06d}",
                    "PA-{y}-{n:06d} tới đâu rồi",
                    "check PA-{y}-{n:06d}",
                    "kiem tra pa {y} {n:06d}",
                ]
            ).format(y=rng.choice([2025, 2026]), n=rng.randint(1, 60000)),
        ),
        (
            "hotline",
            lambda: rng.choice(
                ["gọi {}", "tổng đài {}", "call {}", "số {} có trực đêm không"]
            ).format(
                rng.choice(
                    [
                        "19001075",
                        "1900 1075",
                        "113",
                        "114",
                        "115",
                        "1022",
                        "18001091",
                        "1900.1075",
                        "1800 1234",
                    ]
                )
            ),
        ),
        (
            "measure",
            lambda: rng.choice(
                [
                    "dài {} mét",
                    "khoảng {} hộ",
                    "{} ngày nay",
                    "sâu {}cm",
                    "cột điện số {}",
                    "tuyến buýt số {}",
                    "phòng {}",
                    "{} người bị kẹt xe",
                    "{}%",
                ]
            ).format(rng.randint(1, 2000)),
        ),
        (
            "time",
            lambda: rng.choice(
                ["lúc {h} giờ {m}", "{h}h{m:02d}", "{h}:{m:02d}", "từ {h} giờ"]
            ).format(h=rng.randint(0, 23), m=rng.randint(0, 59)),
        ),
    ]
    count = 0
    seen = {r["text"] for r in rows}
    while count < 300:
        kind, make = rng.choice(templates)
        text = make()
        if text in seen:
            continue
        seen.add(text)
        rows.append({"text": text, "kind": kind})
        count += 1
    return rows


def main() -> None:
    rng = random.Random(20261201)
    adv = adversarial(rng) + [row(t, p, k, "hand") for t, p, k in HAND_ADVERSARIAL]
    plain = ordinary(rng)
    OUT.mkdir(parents=True, exist_ok=True)
    for split in ("dev", "probe"):
        with (OUT / f"{split}.jsonl").open("w", encoding="utf-8") as out:
            for r in adv:
                if split_of(r["text"]) == split:
                    out.write(json.dumps({"label": "personal", **r}, ensure_ascii=False) + "\n")
            for r in plain:
                if split_of(r["text"]) == split:
                    out.write(json.dumps({"label": "ordinary", **r}, ensure_ascii=False) + "\n")
    print(f"{len(adv)} personal, {len(plain)} ordinary")


if __name__ == "__main__":
    main()
