"""Report categories (Open311 ``service_code``) with their names and everyday phrasings."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.base.text import detect_language, fold, has_vietnamese_marks


@dataclass(frozen=True)
class Category:
    code: str
    name_vi: str
    name_en: str
    phrases: tuple[str, ...]  # folded phrases people use for it


CATEGORIES: tuple[Category, ...] = (
    Category(
        "streetlight",
        "Đèn chiếu sáng công cộng",
        "Street light",
        (
            "den duong",
            "den chieu sang",
            "cot den",
            "bong den",
            "den hong",
            "streetlight",
            "street light",
            "lamp",
        ),
    ),
    Category(
        "road_damage",
        "Hư hỏng mặt đường",
        "Road damage",
        (
            "o ga",
            "o voi",
            "hu hong duong",
            "mat duong",
            "duong hong",
            "nut duong",
            "sut lun",
            "pothole",
            "road damage",
            "vo duong",
        ),
    ),
    Category(
        "garbage",
        "Rác thải, vệ sinh môi trường",
        "Garbage",
        ("rac", "rac thai", "bai rac", "do rac", "xa rac", "garbage", "trash", "rubbish"),
    ),
    Category(
        "flooding",
        "Ngập úng, cống, hố ga",
        "Flooding, drains and manholes",
        (
            "ngap",
            "ngap nuoc",
            "ngap ung",
            "cong",
            "ho ga",
            "nap cong",
            "cong tac",
            "flood",
            "flooding",
            "drain",
            "sewer",
            "manhole",
        ),
    ),
    Category(
        "tree",
        "Cây xanh",
        "Trees",
        (
            "cay",
            "cay do",
            "cay nga",
            "nhanh cay",
            "cay xanh",
            "gay canh",
            "tree",
            "fallen tree",
            "branch",
        ),
    ),
    Category(
        "urban_order",
        "Trật tự đô thị",
        "Urban order",
        (
            "lan chiem",
            "lan chiem via he",
            "via he",
            "xay dung trai phep",
            "xay trai phep",
            "quang cao",
            "bang ron",
            "to roi",
            "encroachment",
            "illegal building",
            "advertising",
        ),
    ),
    Category(
        "traffic",
        "Giao thông, đèn tín hiệu, biển báo",
        "Traffic, signals and signs",
        (
            "den giao thong",
            "den tin hieu",
            "den xanh den do",
            "bien bao",
            "ket xe",
            "tac duong",
            "un tac",
            "traffic",
            "traffic light",
            "road sign",
            "congestion",
        ),
    ),
    Category(
        "water_supply",
        "Cấp nước",
        "Water supply",
        (
            "mat nuoc",
            "cup nuoc",
            "vo ong nuoc",
            "ong nuoc",
            "nuoc yeu",
            "nuoc duc",
            "nuoc ban",
            "no water",
            "water supply",
            "burst pipe",
        ),
    ),
    Category(
        "power_outage",
        "Mất điện, dây điện",
        "Power outage, power lines",
        (
            "mat dien",
            "cup dien",
            "cat dien",
            "day dien",
            "dien",
            "chap dien",
            "power outage",
            "power cut",
            "blackout",
            "power line",
        ),
    ),
    Category(
        "noise",
        "Tiếng ồn",
        "Noise",
        ("on", "tieng on", "karaoke", "hat karaoke", "loa keo", "noise", "noisy"),
    ),
    Category(
        "security",
        "An ninh trật tự",
        "Security",
        (
            "trom",
            "cuop",
            "danh nhau",
            "an ninh",
            "dang nghi",
            "theft",
            "fight",
            "security",
            "robbery",
        ),
    ),
    Category(
        "forest_fire",
        "Cháy rừng, đốt rơm rạ",
        "Forest fire, burning",
        (
            "chay rung",
            "dot rom",
            "dot rom ra",
            "dot rac",
            "khoi",
            "chay",
            "forest fire",
            "wildfire",
            "burning",
            "smoke",
        ),
    ),
    Category("other", "Vấn đề khác", "Other", ("khac", "other")),
)

BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}


def name(code: str, language: str = "vi") -> str:
    """Display name of a category code in the citizen's language."""
    category = BY_CODE.get(code)
    if category is None:
        return code
    return category.name_en if language == "en" else category.name_vi


# Folded phrases that are also everyday words once their marks are gone, with the
# spellings that mean the problem: "công nhân", "cổng", "cộng" are not a drain ("cống"),
# "cảm ơn" is not noise ("ồn"), "chạy" is not a fire ("cháy"). Where the citizen typed
# marks, the syllables must be spelt so; without marks the phrase still matches.
ACCENTED: dict[str, tuple[str, ...]] = {
    "cong": ("cống",),
    "nap cong": ("nắp cống",),
    "cay": ("cây",),
    "on": ("ồn",),
    "chay": ("cháy",),
    "khoi": ("khói",),
    "dien": ("điện",),
    "rac": ("rác",),
    "trom": ("trộm",),
    "cuop": ("cướp",),
    "ngap": ("ngập",),
    "to roi": ("tờ rơi",),
    "mat duong": ("mặt đường",),
    "mat nuoc": ("mất nước",),
    "mat dien": ("mất điện",),
    "cat dien": ("cắt điện",),
    "nuoc ban": ("nước bẩn",),
    "ong nuoc": ("ống nước",),
    "cay do": ("cây đổ",),
    "via he": ("vỉa hè",),
}

# Two-syllable words, folded, that hold a one-syllable phrase but mean something else:
# unaccented "cong nhan" is a worker, not a drain; "so dien thoai" a phone number, not a
# power line; "cay xang" a petrol station, not a tree.
OTHER_WORDS: frozenset[str] = frozenset(
    " ".join(word.split())
    for word in """cong nhan|cong an|cong chung|cong vien|cong dan|cong trinh|cong ty|cong viec
    |cong lap|cong cong|cong khai|thi cong|vu cong|khoi cong|cam on|on dinh|on thi|chay xe
    |xe chay|chay bo|khoi dong|khoi nghiep|khoi phuc|cay xang|cay so|dien thoai
    |dien tich|dien bien|dien vien|dien dan|dai dien|dien mao|dien hinh|rac roi""".split("|")
)


def other_word_at(folded: list[str], index: int) -> bool:
    """Whether the syllable at ``index`` is half of one of the OTHER_WORDS."""
    pairs = (folded[index - 1 : index + 1] if index > 0 else [], folded[index : index + 2])
    return any(len(pair) == 2 and " ".join(pair) in OTHER_WORDS for pair in pairs)


def spelt_as(typed: Sequence[str], spellings: Iterable[Sequence[str]]) -> bool:
    """Whether syllables as typed can be one of ``spellings`` (each a list of syllables):
    a syllable typed with marks must be spelt so, an unmarked one matches any. No spelling
    known: any spelling."""
    forms = list(spellings)
    return not forms or any(
        len(form) == len(typed)
        and all(t == f or not has_vietnamese_marks(t) for t, f in zip(typed, form, strict=True))
        for form in forms
    )


def _found(phrase: str, folded: list[str], typed: list[str], english: bool) -> bool:
    """Whether the folded phrase occurs as whole syllables, spelt as meant where marked,
    not inside one of the OTHER_WORDS, and (a Vietnamese word) not in an English message."""
    if english and phrase in ACCENTED:  # "on" in "the lamp on Le Loi street"
        return False
    words = phrase.split()
    size = len(words)
    return any(
        folded[i : i + size] == words
        and spelt_as(typed[i : i + size], [m.split() for m in ACCENTED.get(phrase, ())])
        and (size > 1 or not other_word_at(folded, i))
        for i in range(len(folded) - size + 1)
    )


def match(text: str | None) -> str | None:
    """The category code a value or phrase names, or None.

    Accepts codes ("streetlight"), display names and everyday phrases, accented or not;
    the longest phrase found in the text wins, so "đèn giao thông" is traffic, not streetlight.
    """
    if not text:
        return None
    typed = unicodedata.normalize("NFC", text).lower().replace("_", " ").split()
    folded = [fold(word) for word in typed]
    if "_".join(folded) in BY_CODE:
        return "_".join(folded)
    english = detect_language(text) == "en"
    best: tuple[int, str] | None = None
    for category in CATEGORIES:
        for phrase in (*category.phrases, fold(category.name_vi), fold(category.name_en)):
            if (best is None or len(phrase) > best[0]) and _found(phrase, folded, typed, english):
                best = (len(phrase), category.code)
    return best[1] if best else None
