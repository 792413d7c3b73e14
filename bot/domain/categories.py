"""Report categories (Open311 ``service_code``) with their names and everyday phrasings."""

from __future__ import annotations

from dataclasses import dataclass

from bot.base.text import fold


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


def match(text: str | None) -> str | None:
    """The category code a value or phrase names, or None.

    Accepts codes ("streetlight"), display names and everyday phrases, accented or not;
    the longest phrase found in the text wins, so "đèn giao thông" is traffic, not streetlight.
    """
    if not text:
        return None
    folded = " ".join(fold(text).replace("_", " ").split())
    if folded.replace(" ", "_") in BY_CODE:
        return folded.replace(" ", "_")
    padded = f" {folded} "
    best: tuple[int, str] | None = None
    for category in CATEGORIES:
        for phrase in (*category.phrases, fold(category.name_vi), fold(category.name_en)):
            if f" {phrase} " in padded and (best is None or len(phrase) > best[0]):
                best = (len(phrase), category.code)
    return best[1] if best else None
