"""Is a person in danger now? Emergency detection for every message and every call.

A citizen who writes "nha toi bi chay" must get 114 before anything else, whatever the
conversation was doing. This module decides that from the words alone, with no model, so it
runs the same inside Rasa (Python 3.10), in the gateway and on hotline transcripts.

It reads meaning from phrases, not from single words: "cháy" alone is not a fire (a burnt-out
bulb, "cháy túi", "cháy vé"), "ngập" is not a rescue, "đánh" is not an assault ("đánh giá").
The text is folded (accents removed, teencode expanded), then:

1. accented words whose folded form collides with a danger word keep their own sense
   ("chạy" run, "sắp" soon, "lúa" rice never read as "cháy", "sập", "lửa");
2. ordinary senses are struck out ("bóng đèn bị cháy", "kẹt xe", "không ai bị thương");
3. danger phrases are looked for, each of one kind (fire, medical, …), strong or weak;
4. a message about the past ("hôm qua", "đã dập tắt") or a question about rules and numbers
   ("số cứu hỏa là gì?") is not an emergency unless it also says it is happening now.

A missed emergency costs far more than a false alarm, so doubtful phrases lean to alerting.
Recall and precision are measured on a hand-written corpus kept out of these lists
(``bench/emergencies.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.base.text import TEENCODE, fold
from bot.base.texts import TEXTS, text

__all__ = ["KINDS", "Alert", "Kind", "alert_text", "call_line", "detect"]


@dataclass(frozen=True)
class Kind:
    code: str
    numbers: tuple[str, ...]  # the number to call first, then any other that helps
    category: str  # the report category (one of the thirteen codes) a report gets


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("fire", ("114",), "other"),
        Kind("gas_explosion", ("114",), "other"),
        Kind("electrocution", ("115", "114"), "power_outage"),
        Kind("medical", ("115",), "other"),
        Kind("drowning", ("114", "115"), "other"),
        Kind("trapped", ("114",), "other"),
        Kind("violence", ("113",), "security"),
        Kind("distress", ("113", "114", "115"), "other"),
    )
}
# When several kinds are found, the first of this order decides the number to call first.
PRIORITY = ("fire", "gas_explosion", "electrocution", "trapped", "drowning", "violence", "medical")


@dataclass(frozen=True)
class Alert:
    """A message or call about a person in danger."""

    kind: str
    numbers: tuple[str, ...]  # in the order to say them; the first is the one to call now
    cue: str  # the folded words that decided it (for tests and logs; no personal data)
    kinds: tuple[str, ...]  # every kind found, the deciding one first
    forest: bool = False  # a forest, hill or field fire (the report category forest_fire)

    @property
    def category(self) -> str:
        if self.kind == "fire" and self.forest:
            return "forest_fire"
        if self.kind == "trapped" and "flood" in self.cue:
            return "flooding"
        return KINDS[self.kind].category


# -- 1. accented words whose folded form would read as a danger word ----------------------
# Applied before folding, and only in messages typed with accents: there "chạy" (run) can
# never be "cháy" (fire). Without accents both read "chay" and the context decides.
_SENSES = {
    "cháy": "chay_fire",
    "chạy": "chay_run",
    "chảy": "chay_flow",
    "chày": "chay_pestle",
    "chay": "chay_plain",  # bare "chay" among accented words: vegetarian ("ăn chay")
    "lửa": "lua_fire",
    "lúa": "lua_rice",
    "lừa": "lua_cheat",
    "lụa": "lua_silk",
    "lựa": "lua_choose",
    "nổ": "no_blast",
    "nó": "no_it",
    "nợ": "no_debt",
    "no": "no_full",
    "nơ": "no_bow",
    "dành": "danh_keep",
    "danh": "danh_name",
    "đạo": "dao_way",
    "đào": "dao_dig",
    "dạo": "dao_stroll",
    "đảo": "dao_island",
    "dao": "dao_knife",
    "sập": "sap_fall",
    "sắp": "sap_soon",
    "sáp": "sap_wax",
    "két": "ket_safe",
    "giặt": "giat_wash",
    "chìm": "chim_sink",
    "chim": "chim_bird",
    "đuối": "duoi_drown",
    "đuôi": "duoi_tail",
    "đuổi": "duoi_chase",
    "dưới": "duoi_below",
    "máu": "mau_blood",
    "mau": "mau_quick",
    "màu": "mau_colour",
    "xíu": "xiu_little",
    "súng": "sung_gun",
    "sưng": "sung_swollen",
    "sung": "sung_fig",
    "ngát": "ngat_fragrant",
    "ngắt": "ngat_cut",
    "cừu": "cuu_sheep",
    "đâm": "dam_stab",
    "đám": "dam_crowd",
    "đầm": "dam_lagoon",
    "dám": "dam_dare",
    "tổng": "tong_total",
    "tông": "tong_hit",
    "tế": "te_cost",
    "tê": "te_numb",
    "thường": "thuong_usual",
    "thương": "thuong_hurt",
    "khối": "khoi_block",
    "khỏi": "khoi_away",
    "ngã": "nga_fall",
    "rồi": "roi_already",
    "rơi": "roi_fall",
    "rớt": "rot_fall",
    "gặp": "gap_meet",
    "vui": "vui_fun",
    "cán": "can_over",
    "cần": "can_need",
    "cựu": "cuu_old",
    "cửu": "cuu_nine",
    "chắn": "chan_block",
    "mẫu": "mau_sample",
    "ngà": "nga_ivory",
    "nga": "nga_plain",
}
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    """Folded words joined by single spaces, accented senses kept apart (see ``_SENSES``)."""
    text = unicodedata.normalize("NFC", text or "").lower()
    accented = fold(text) != text
    words: list[str] = []
    for word in _WORD_RE.findall(text):
        if accented and word in _SENSES:
            words.append(_SENSES[word])
            continue
        if word == "r":  # chat shorthand for "rồi" (already), never "rơi" (fall)
            words.append("roi_already")
            continue
        folded = fold(word)
        words.extend(TEENCODE.get(folded, folded).split())
    return " ".join(words)


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


# A word as typed without accents, or with the accents of the dangerous sense.
CHAY = r"chay(?:_fire)?"  # cháy
LUA = r"lua(?:_fire)?"  # lửa
NO = r"no(?:_blast)?"  # nổ
SAP = r"sap(?:_fall)?"  # sập
MAU = r"mau(?:_blood)?"  # máu
DAO = r"dao(?:_knife)?"  # dao
DAM = r"dam(?:_stab)?"  # đâm
TONG = r"tong(?:_hit)?"  # tông
CHIM = r"chim(?:_sink)?"  # chìm
SUNG = r"sung(?:_gun)?"  # súng
NGA = r"nga(?:_fall)?"  # ngã
G2 = r"(?:\w+ ){0,2}"  # up to two words between
G3 = r"(?:\w+ ){0,3}"
G6 = r"(?:\w+ ){0,6}"

# What burns: "cháy nhà", "nhà … bị cháy". Vehicles only with the accented "cháy" or with
# other signs of fire: unaccented "chay xe" is far more often "chạy xe" (riding).
_BURNS = _any(
    "nha", "can nha", "nha toi", "nha em", "nha minh", "nha tui", "kho", "nha kho", "xuong",
    "can ho", "chung cu", "toa nha", "khach san", "cua hang", "nha may", "cay xang",
    "cong ty", "truong hoc", "benh vien", "rung", "ray", "bep", "quan", "tiem", "nha hang",
    "sieu thi", "phong tro", "day dien", "tru dien", "cot dien", "bien ap", "tram bien ap",
    "o dien", "cong to", "nha ben canh", "nha hang xom", "xom", "khu tro", "day tro",
    "mai nha", "ban cong", "phong ngu", "phong khach", "can phong", "tiem vang", "karaoke",
    "quan bar", "vuon", "rung thong", "rung keo", "rung tram", "rung phong ho", "doi thong",
    "doi keo", "qua doi", "nui", "bai rac", "ghe", "thuyen", "xe bon", "cho dong ba",
    "cho an cuu", "cho ben ngu", "cho tay loc", "cho xep", r"tang (?:tren|duoi|\d+|hai|ba)",
    r"lau (?:tren|\d+|hai|ba)", "khu dan cu", "dong rom", "nha xuong", "kho hang",
)  # fmt: skip
_VEHICLE = _any("xe", "xe may", "o to", "oto", "xe hoi", "xe buyt", "xe tai", "xe khach", "xe con")
_WATER = _any(
    "song", "ho", "gieng", "suoi", "bien", "kenh", "muong", "dam", "dam_lagoon", "pha", "ao",
    "ho ga", "nuoc", "song huong", "ho boi", "be boi", "vuc", "cong", "dong nuoc", "dong song",
)  # fmt: skip
ROI = r"(?:roi|roi_fall|rot|rot_fall|nga|nga_fall|te|te_fall|truot|nhay|lao|bi day)"  # fall
_PERSON = _any(
    "nguoi", "ai do", "nguoi dan", "chau", "con toi", "con em", "be", "em be", "tre",
    "tre em", "tre con", "hoc sinh", "ba", "ong", "me", "bo", "vo", "chong", "ba cu",
    "ong cu", "cu ba", "cu ong", "nguoi gia", "nguoi benh", "thanh nien", "phu nu",
    "dan ong", "nan nhan", "cong nhan", "tai xe", "nguoi di duong", "hang xom", "mot nguoi",
    "nhieu nguoi", "2 nguoi", "hai nguoi", "ba nguoi", "may nguoi", "anh ay", "chi ay",
)  # fmt: skip

# -- 2. ordinary senses, struck out before anything is looked for ------------------------
_ORDINARY = [
    # "cháy" that is not a fire
    r"(?:bong|bong den|den|cau chi|den led|den tuyp|tuyp|den duong|cot den|den cao ap|"
    r"den chieu sang|den trang tri|den giao thong|den pin) "
    + G3
    + "(?:bi |da |lai )?"
    + CHAY
    + r"(?: (?:bong|mat|het|roi|luon))?",
    CHAY + r" (?:bong|bong den|cau chi|den)",
    CHAY + r" (?:tui|vi|hang|ve|phong|suat|tour|nang|da|het hang|sach|hang roi|pho|"
    r"san|het minh|mat|tien|kho)",
    r"(?:com|xoong|noi|chao|banh|thit|ca kho|ca chien|do an|mon an|noi canh|nieu|chao com|banh mi) "
    + G2
    + r"(?:bi )?"
    + CHAY,
    r"(?:an|com|do|mon|quan|tiem|bun|pho|nha hang) chay(?:_plain)?",
    r"chay_plain",
    r"chay (?:bo|tron|xe|viec|deadline|show|so|thu|quang cao|chuong trinh|ads|kpi|doanh so|"
    r"luat|an|chot|di|lai|ve|qua|theo|nhanh|cham|dung|on|tot|may|vao|ra|len|xuong|"
    r"toi|den|sang|khap|loanh quanh|ngang|dai|bon|that nhanh|vun vut|ngoai|bang|tiep)",
    r"(?:nang|nong) (?:\w+ ){0,1}" + CHAY,
    r"(?:phim|tran|game|concert|show|san khau|"
    r"dem nhac|mv|clip|bai hat|giong hat) " + G3 + CHAY,
    r"(?:vang ma|giay tien|nhang|thap huong|thap nhang|nen|nen thom) " + G2 + CHAY,
    r"(?:chuong|coi|he thong|thiet bi|may|den|cam bien) bao " + CHAY,
    r"bao " + CHAY + r" (?:gia|nham|sai|loi)",
    r"(?:khong|chua|chang|khong phai|khong phai la|khong he) "
    r"(?:co )?(?:" + CHAY + "|no|no_blast|ai bi sao)",
    r"(?:nhu|la|dung la|nhu la|chang khac gi|khac gi) (?:an )?cuop",
    r"gia " + G3 + r"cuop",
    r"(?:chet|chet_plain) (?:me|me met|mat)",
    r"duoi(?:_drown)? (?:suc|hoi|ly|nguoi)",
    NO + r" (?:lop|vo xe|banh|banh xe|bong|qua|vai|that|ghe|qua troi|lam|hoai)",
    r"hay (?:bi )?(?:ket|" + CHAY + r"|ngap|mat dien|chap)",
    r"(?:lich )?bao tri",
    r"phong " + CHAY + r"(?: chua " + CHAY + r")?",
    r"pccc",
    r"(?:so|duong day|hotline|tong dai|tong_total dai) (?:dien thoai )?(?:cua )?(?:cuu hoa|"
    r"chua " + CHAY + r"|cap cuu|cong an|canh sat|cuu thuong|cuu ho|cuu nan|113|114|115)",
    # "chết" that is not a death
    r"(?:xe|may|dong co|may xe) (?:bi )?chet (?:may|may roi)?",
    r"chet (?:may|pin|cuoi|met|"
    r"doi|tiet|roi|kho|dan|dui|toi)",
    r"(?:dien thoai|pin|laptop|may tinh|sac) " + G2 + r"(?:chet|" + NO + r"|phong)",
    r"(?:cay|co|hoa|ca|cho|meo|chuot|ga|heo|lon|vit|con vat|xac chuot|xac cho|xac meo|"
    r"coc|ran|chim|chim_bird|bo|trau|de) "
    + G2
    + r"(?:bi )?chet(?: "
    + G3
    + r"(?:nam|boc mui|giua duong|tren duong))?",
    # "ngập", "kẹt", "sập", "nổ", "ngã" that are not danger
    r"ngap (?:nhe|it|mat duong|chan|lenh lang|vung|ung|lut (?:hang nam|mua mua)|trong "
    r"(?:cong viec|no|no_debt|deadline|rac|hang|viec))",
    r"(?:ket|tac|un tac|un|bi ket) (?:xe|duong|giao thong|cung|cuc bo)",
    r"ket (?:tien|von|lich|viec|cong viec|so|mang|sim|the|tai khoan|thu tuc|giay to|visa|"
    r"ho so|o cua|cua cuon|khoa|rac|cong|nuoc|ong)",
    r"ket_safe",
    r"sap (?:xep|toi|den|het|xong|co|duoc|ra|mo|lam|nghi|tet|sua|hong|mua)",
    r"sap_soon",
    r"sap_wax",
    r"(?:dien thoai|lop|lop xe|vo xe|bong bay|bap rang|phao hoa|phao|muc|nuoc ngot|ket qua|"
    r"pin|sac|hang|loa|mang|tin)"
    r" " + G2 + r"(?:bi )?" + NO,
    r"no (?:luc|nuc|ro|tien|xau|co|bung|cang)",
    r"no_(?:it|debt|full|bow)",
    r"phao hoa",
    r"fireworks?",
    r"firecrackers?",
    NGA + r" (?:tu|ba|nam|sau|re)(?! (?:lau|tang|tren|cao|cay|mai|noc|cau thang|xe|xuong))",
    r"nga_(?:ivory|plain)",
    r"an cuu",
    r"(?:cay|canh|nhanh|cot|bien) " + G2 + r"gay chan",
    r"(?:cay|cot|cot den|cot dien|bien|tuong rao) " + G2 + r"sap do",
    r"(?:y|kinh|quoc|thuc|van|that|hoi|cuu) te",
    r"te_(?:numb|cost)",
    # "đánh", "đâm", "cướp", "dao", "súng" that are not violence
    r"danh (?:gia|rang|may|chu|co|bai|bac|thue|so|dau|thuc|roi|bong|dan|tieng|trong|vong|"
    r"lua|ca|cong|phan|xe|gia tri|vay|ban|dong|gio|bac|luong|lan|nhac|ghi ta|de|cap|van|"
    r"nhip|da|thang|con quay|thang tran|tran|loan|cau long|tennis|bong ban|golf|"
    r"bong chuyen|len|duoc|phieu|dau gia|mat|ket)",
    r"danh_(?:keep|name)",
    r"dao_(?:way|dig|stroll|island)",
    r"dao (?:duong|boi|tao|dat|ho|"
    r"mong|ranh|muong|cong|xoi|tien|hoa|lua)",
    r"(?:cam|cho phep|giay phep) dao",
    r"(?:cuop|trom) (?:bien|tim|diem|trong cua|vui|nhin|nghe|ngu)",
    r"(?:nha|xe|tien|dien thoai|xe may|xe dap|do) "
    + G2
    + r"(?:bi )?(?:trom|mat trom|cuop) "
    + G2
    + r"(?:hom qua|tuan truoc|dem qua|thang truoc|tu hom|luc nao|roi ma|lau roi)",
    r"(?:tre|con|hoc sinh|tui nho|may dua|con nit|tre con) " + G2 + r"danh nhau (?:choi|vui|"
    r"gia)",
    r"sung_(?:swollen|fig)",
    r"(?:bi )?sung (?:chan|tay|mat|chi|lo|phu|vu|nuou)",
    r"giet (?:thoi gian|con muoi|muoi|gian|chuot|ruoi|sau|co)",
    r"(?:phim|game|tro choi|"
    r"truyen) " + G3 + r"(?:giet|sung|danh|chem|cuop)",
    # injuries and risks that are not emergencies
    r"(?:khong|chua|k|may ma khong|may la khong) (?:co )?(?:ai|nguoi nao|ai ca|ai do) "
    + G2
    + r"(?:bi )?(?:thuong|thuong_hurt|sao|ket|hu hai|thiet hai|gi|nguy hiem|ben trong|"
    r"chet|o trong)",
    r"(?:no one|nobody|noone|no people|no person) (?:was |is |got |has been |were )?"
    r"(?:hurt|injured|inside|trapped|harmed|home|there|in danger)",
    r"(?:khong|khong co|chua|k) (?:\w+ ){0,1}(?:nguy hiem|sao ca)",
    r"tai nan (?:lao dong|nghe nghiep)? ?(?:bao hiem|boi thuong|so lieu|thong ke)",
    r"(?:bao hiem|boi thuong|thong ke|so lieu|giam|phong tranh|phong ngua|nguy co|de|hay|"
    r"thuong|thuong xuyen|thuong_usual|diem den|diem nong|ho tro nan nhan) "
    + G2
    + r"(?:xay ra |gay |bi |ve )?tai nan",
    r"tai nan (?:gi|nao|the nao|ra sao)",
    r"(?:thuong_usual|binh thuong|bat thuong|thuong xuyen|thuong ngay|de thuong|yeu thuong|"
    r"thuong mai|thuong hieu|thuong luong|tam thuong|phi thuong|nha thuong|thuong binh|"
    r"thuong vu|thuong thuong)",
    r"cap cuu (?:o dau|gio nao|lam viec|bao nhieu|nao)",
    r"(?:khoa|phong|trung tam) cap cuu "
    r"(?:o dau|gio|lam viec|co|nao)",
    r"(?:dau|te) (?:bung|dau|lung|rang|hong|chan|tay|mat|vai) ?(?:nhe|chut|ti|xiu)?",
    r"xiu_little",
    r"ngat_(?:fragrant|cut)",
    r"cuu_sheep",
    r"thom ngat",
    r"(?:cho|doi|mot|"
    r"chut|ti) xiu",
    r"cuu tro",
    r"cuu (?:ho giao thong|ho xe)",
    r"xe cuu ho",
    r"(?:keo|cau) xe",
    r"dot (?:rom|rom ra|rac|rac thai|la|la kho|co|vang ma|vang|giay|nhua|ong|than|cui)"
    r"(?! " + G2 + r"(?:" + CHAY + r" lan|lan sang|lan ra|khong kiem soat))",
    r"khoi (?:bui|xe|thuoc|nhang|huong|tu bep|bep|nuong|thit nuong|do nuong)",
    r"khoi_(?:block|away)",
    # English
    r"(?:can|could|would|will|may) (?:you|u|someone|anyone|somebody|i get|we get) "
    r"(?:please )?help(?: me| us)?(?! (?:now|quickly|fast|immediately))",
    r"(?:help|helps|helped|helping) (?:me )?(?:with|to|find|understand|register|check|pay|"
    r"know|apply|renew|get|out with)",
    r"(?:help desk|helpdesk|helpline|help center|help centre)",
    r"(?:fire|fired|firing) (?:me|him|her|them|staff|an employee|someone|people|workers)",
    r"(?:fire|fired) (?:hydrants?|stations?|exits?|safety|drills?|extinguishers?|alarms?|"
    r"alarm tests?|department number|service number|prevention|regulations?|code|"
    r"inspections?|brigade number|escape)",
    r"(?:just|only) a (?:test|drill)|false alarm",
    r"(?:was|is|s|looks|sounds|tastes|so) (?:so |straight |pure |absolutely )?fire"
    r"(?! in| at| on| near| inside| upstairs| downstairs)",
    r"ceasefire",
    r"campfire",
    r"(?:shot|shoot|shooting) (?:a |the |some )?(?:video|photo|"
    r"film|movie|picture|scene|photos|videos)",
    r"photo shoot",
    r"(?:beat|beats|beating) "
    r"(?:the heat|the traffic|the queue|the rush|the record|eggs)",
    r"(?:traffic|car|road|rush hour|cars) (?:is |was |are )?(?:jam|jammed|stuck)",
    r"stuck in (?:traffic|a jam|the queue|line|a meeting|a traffic jam)",
    r"hits? the road",
    r"(?:drowning|drowned) in (?:work|paperwork|debt|emails|bills|noise|trash|garbage|leaves)",
    r"dying to",
    r"killing (?:time|me with)",
    r"(?:my|the) (?:phone|battery|laptop) "
    r"(?:is |was )?(?:dead|died|dying)",
    r"(?:bleeding|burning) (?:money|cash)",
    r"(?:food|dish|rice|toast|pan|pot) (?:\w+ ){0,2}(?:burnt|burned|burning)",
    r"(?:bulb|lamp|light|fuse|street light|streetlight|lights) (?:\w+ ){0,3}(?:burnt|burned|"
    r"burst|blown|exploded|burned out|burnt out|has burnt)(?: out)?",
    r"sun ?burn(?:t|ed)?",
    r"heartburn",
    r"sold out",
    r"burn(?:ing)? ?out",
    r"burning (?:rubbish|trash|garbage|leaves|straw|rice straw|waste|incense|paper|plastic)",
    r"(?:smoke|smoking) (?:from (?:\w+ ){0,2}(?:cigarettes?|bbq|barbecue|grill|kitchen|cooking|"
    r"incense)|cigarettes?|area|ban|free)",
]
_ORDINARY_RE = re.compile(r"\b(?:" + "|".join(_ORDINARY) + r")\b")

# -- 3. danger phrases: (kind, strong?, pattern) ------------------------------------------
# A strong phrase alone is an emergency; weak ones need a second cue or a word of urgency.
_CUES: list[tuple[str, bool, str]] = [
    # fire
    (
        "fire",
        True,
        r"hoa hoan|(?:dam|vu|dieu) "
        + CHAY
        + r"(?! mau)|dam "
        + LUA
        + r"|ngon "
        + LUA
        + r"|bien "
        + LUA
        + "|"
        + LUA
        + r" (?:dang )?(?:boc|chay|chay_fire|lan|bung|ngut|du|to|"
        r"lon|bao trum|phun|ngun ngut|ruc)|boc "
        + CHAY
        + r"|bung "
        + CHAY
        + r"|boc "
        + LUA
        + "|"
        + CHAY
        + r" (?:lon|du doi|ngut troi|ngun ngut|lan|rat lon|rat to|to|ruc|du|sang|"
        r"lan rong|lan nhanh)|"
        + CHAY
        + " "
        + G2
        + _BURNS
        + r"|chay_fire "
        + G2
        + _VEHICLE
        + r"|"
        + _BURNS
        + " "
        + G3
        + r"(?:bi |dang |da |bat |vua )?(?:"
        + CHAY
        + r"|boc "
        + LUA
        + r")(?! mau| bo| viec| xe| tron| theo| qua| ngang)",
    ),
    (
        "fire",
        True,
        r"(?:" + CHAY + "|" + LUA + r") " + G3 + r"(?:cuu|cuu voi|cuu toi|114|"
        r"cuu hoa|chua " + CHAY + r")|(?:goi|bao|can|cho|toi) " + G2 + r"(?:cuu hoa|xe cuu hoa|"
        r"chua "
        + CHAY
        + r"|canh sat pccc|114)|xe cuu hoa|luc luong chua "
        + CHAY
        + r"|dap (?:"
        + LUA
        + "|"
        + CHAY
        + r")|"
        + _VEHICLE
        + r" "
        + G2
        + r"(?:boc "
        + CHAY
        + r"|boc "
        + LUA
        + r"|chay_fire|"
        + CHAY
        + " "
        + G2
        + r"(?:ngun ngut|du doi|lon|rui|"
        r"tro khung|cuu))",
    ),
    (
        "fire",
        True,
        r"khoi " + G2 + r"(?:mu mit|den kit|den ngom|nghi ngut|cuon cuon|day dac|"
        r"boc cao|bao trum|day nha|tran ngap|ngut troi|mit mu|day phong)|khoi den "
        + G2
        + r"(?:boc|tuon|bay)|(?:dang|bi|vua|da|lai) chay_fire(?! (?:bong|het|hang|ve|tui|nang|da|"
        r"mat|den))|phut (?:" + LUA + r"|khoi)",
    ),
    (
        "fire",
        False,
        r"boc khoi|co khoi|thay khoi|nhieu khoi|khoi|mui khet|toe "
        + LUA
        + r"|chap dien|"
        + CHAY
        + "|"
        + LUA,
    ),
    (
        "fire",
        True,
        r"(?:is |are |was )?on fire|burning down|fire|flames?|blaze|wildfire|"
        r"smoke (?:everywhere|is pouring|pouring|billowing|coming out|filling)|thick smoke|"
        r"black smoke|(?:house|building|car|shop|market|forest|hill|kitchen|flat|room) "
        r"(?:\w+ ){0,2}burning|caught fire|catching fire|set (?:on )?fire",
    ),
    ("fire", False, r"smoke|smell (?:of )?burning|burning smell|sparks?|burning"),
    # gas and explosions
    (
        "gas_explosion",
        True,
        r"(?:ro ri|ro|xi|thoat|bi ro|bi xi) "
        + G2
        + r"(?:khi )?gas|gas "
        + G2
        + r"(?:bi )?(?:ro|xi|ro ri|thoat)|mui (?:khi )?gas|binh gas "
        + G2
        + r"(?:"
        + NO
        + "|"
        + CHAY
        + r"|xi|ro)|(?:vu|tieng) "
        + NO
        + r"|phat "
        + NO
        + r"|"
        + NO
        + r" tung|"
        + NO
        + r" (?:lon|rat to|binh|tram|bien ap|may bien ap|gas|o dien|inh tai|nhu bom)|"
        r"(?:binh|bien ap|tram|o dien|noi hoi|binh nong lanh|binh ac quy|kho|xuong|nha may|"
        r"tru dien|cot dien) " + G2 + r"(?:phat |bi )?" + NO + r"|no_blast|ro ri khi|khi doc|"
        r"ngat khi|ngat khoi|(?:ong|binh|van|day|bep|duong ong) gas (?:\w+ ){0,10}(?:ro|xi|ro ri|"
        r"thoat|phut)|" + NO + r" (?:o|tai) (?:cay xang|tram|kho|nha may|xuong|cho|quan)",
    ),
    (
        "gas_explosion",
        True,
        r"gas leak|leaking gas|gas smell|smell(?:s|ing)? (?:of |like )?gas|"
        r"explosion|exploded|explode|blast|gas cylinder|carbon monoxide",
    ),
    # electrocution
    (
        "electrocution",
        True,
        r"dien giat|giat dien(?! thoai)|bi giat(?! (?:tui|dien thoai|do|day chuyen|vi tien|mat))|dien (?:phong|cao the) "
        + G3
        + r"(?:nguoi|chet|trung)|day dien "
        + r"(?:\w+ ){0,4}(?:dut|roi|dut roi|chung|ho|dang)"
        r" (?:\w+ ){0,8}(?:nguoi|tre|be|nuoc|ngap|giat|toe lua|" + CHAY + r"|dang co dien|chet)",
    ),
    (
        "electrocution",
        True,
        r"electrocut\w*|(?:electric|electrical|bad) shock|shock from|"
        r"got (?:a )?shock|live (?:wire|power line|cable)|"
        r"power line " + G3 + r"(?:down|fell|fallen) " + G6 + r"(?:water|person|man|woman|"
        r"kid|child|people|someone|sparking)|(?:wire|cable) " + G3 + r"sparking",
    ),
    # medical
    (
        "medical",
        True,
        r"bi thuong|bi thuong_hurt|chay "
        + MAU
        + r"|chay_flow "
        + MAU
        + r"|"
        + MAU
        + r" (?:chay|chay_flow|ra|me|dam dia|lenh lang|khong cam)|mat (?:nhieu )?"
        + MAU
        + r"|ngat xiu|ngat lim|bat tinh|hon me|ngung tho|tat tho|khong (?:con )?tho|"
        r"khong (?:con )?(?:phan ung|cu dong|tinh)|co giat|dot quy|dau tim|nhoi mau|ngung tim|"
        r"trung gio|soc phan ve|ngo doc|trung doc|qua lieu|tu tu|cat tay|nhay (?:lau|tu tang)|"
        r"cap cuu|xe cuu thuong|lim di|(?:non|ho|oi) ra " + MAU + r"|dap dau|(?:bi )?(?:dao|"
        r"dao_knife|kinh|may|luoi cua) (?:cat|dam|cua) (?:vao|trung|dut)|(?:bi )?"
        + DAM
        + r" xe|xe "
        + G2
        + DAM
        + r" (?:vao )?(?:nguoi|nhau|xe)|dau nguc "
        + G6
        + r"(?:va mo hoi|kho tho|tim tai|lan ra|te tay|mat tai)|"
        + NGA
        + r" "
        + G2
        + r"(?:bat tinh|xuong dat|"
        r"khong day|nam im|dap dau|chay "
        + MAU
        + r")|xiu (?:roi|luon|do|xuong|ngang)|bi xiu|"
        + _PERSON
        + " "
        + G3
        + r"(?:nam|"
        + NGA
        + r") "
        + G2
        + r"(?:bat dong|giua duong|"
        r"bat tinh|im)|gay (?:chan|tay|xuong|co)|bong nang|vet thuong|sot cao co giat|"
        + _PERSON
        + r" "
        + G2
        + r"(?:chet|tu vong)|chet nguoi|xac nguoi|thi the",
    ),
    (
        "medical",
        True,
        r"(?:bi|vua bi|gap|xay ra|vua xay ra|co|vu) tai nan|tai nan "
        + G6
        + r"(?:nguoi|nam|chay "
        + MAU
        + r"|bi thuong|bat tinh|cap cuu|nang|chet|tu vong|kep|"
        r"ket|do "
        + MAU
        + r"|giua duong)|(?:"
        + TONG
        + "|"
        + DAM
        + r"|can_over|dung) "
        + G2
        + r"(?:nguoi|chet|phai nguoi|trung nguoi|hoc sinh|em be|tre em|ba cu|ong cu|"
        r"nguoi di duong)|bi (?:xe )?(?:" + TONG + "|" + DAM + r"|can|can_over|dung)|xe "
        r"(?:\w+ ){0,2}can(?:_over)? (?:nguoi|qua)",
    ),
    (
        "medical",
        False,
        r"kho tho|dau nguc|tai nan|"
        + NGA
        + r"|te_fall|ngat|mau_blood|"
        + MAU
        + r"|thuong|va mo hoi|tim tai|mat tai|chong mat|non (?:lien tuc|nhieu|mua)|"
        r"lap bap|meo mieng|(?:ong|ong vo ve|ong vo do|ong bap cay|ran|ran doc) (?:dot|can)|"
        r"sung vu",
    ),
    (
        "medical",
        True,
        r"injur(?:ed|y|ies)|bleeding|blood everywhere|unconscious|passed out|"
        r"fainted|collapsed|not breathing|can ?t breathe|cannot breathe|heart attack|stroke|"
        r"seizure|overdose|ambulance|hit by (?:a |the )?(?:car|truck|motorbike|bike|bus|scooter|"
        r"taxi|van)|(?:bad|serious|terrible|car|motorbike|traffic|road) (?:crash|accident)|"
        r"(?:is|are) (?:badly |seriously )?hurt|broke (?:his|her|my) (?:leg|arm|neck)|choking|vomiting blood|coughing blood|"
        r"burn(?:ed|t|s)? (?:on )?(?:my|his|her|their|the child s) (?:arm|hand|face|leg|body|"
        r"skin|back)|allergic reaction|anaphyla\w*|"
        r"dead body|is dying|not moving|lying (?:in|on) the (?:road|street|ground|floor)|"
        r"fell (?:off|from) " + G3 + r"(?:roof|ladder|building|balcony|tree)|suicide|"
        r"poison\w*",
    ),
    (
        "medical",
        False,
        r"accident|hurt|fell|fall|pain|crash|chest pain|stung|sting|"
        r"swelling|swollen|dizzy",
    ),
    # drowning
    (
        "drowning",
        True,
        r"duoi nuoc|duoi_drown|chet duoi|bi duoi|vung vay|choi voi|(?:bi )?nuoc "
        r"(?:lu )?cuon|lu cuon|song cuon|cuon troi|troi mat|bi cuon|(?:cuon|troi) ra xa|"
        r"(?:"
        + _PERSON
        + r"|bi) "
        + G2
        + ROI
        + r" "
        + G2
        + r"(?:xuong )?"
        + _WATER
        + r"|nhay (?:cau|song)|(?:chua|khong|khong thay) (?:ngoi|noi) len|(?:bi|dang) "
        + CHIM
        + r"|(?:lat|"
        + CHIM
        + r") (?:thuyen|ghe|do|tau|xuong|ca no|"
        r"bo)|(?:thuyen|ghe|do|tau|ca no) "
        + G2
        + r"(?:bi )?(?:lat|"
        + CHIM
        + r")|mat tich "
        + G3
        + r"(?:tam|boi|song|bien|ho)|(?:troi|bi troi) (?:ra|theo|giua) (?:song|bien|dong)",
    ),
    (
        "drowning",
        True,
        r"drown\w*|swept away|(?:fell|fallen|slipped|jumped|fall|falls) "
        r"(?:in|into|off) " + G3 + r"(?:river|lake|sea|well|canal|water|pond|pool|bridge)|"
        r"capsiz\w*|(?:boat|ferry|ship) " + G2 + r"sinking|can ?t swim|went under|going under|"
        r"rip current|riptide|undertow|struggling in the water|bottom of the pool",
    ),
    # trapped
    (
        "trapped",
        True,
        r"mac ket|bi ket|ket (?:lai|ben trong|trong|tren|duoi|duoi_below|giua|"
        r"o tren|o trong)|bi vui|vui lap|chon vui|lap vui|vui (?:nguoi|nha|xe|ca nha)|(?:nha|tuong|cau|"
        r"cong trinh|toa nha|tran|tran nha|mai|mai nha|gian giao|ham|mo|nha xuong|cot|can nha|"
        r"tuong rao|ke|ta luy|taluy|nha tro) "
        + G2
        + r"(?:bi |da |vua )?(?:"
        + SAP
        + r"|do "
        + SAP
        + "|"
        + SAP
        + r" xuong|do ap)|"
        + SAP
        + r" (?:nha|tuong|cau|ham|mo|"
        r"gian giao|toa nha|tran|mai)|sat lo "
        + r"(?:\w+ ){0,5}(?:vui|lap|cuon|chon|de|"
        + SAP
        + r") "
        + G3
        + r"(?:nha|nguoi|xe|nhieu)|dat da "
        + G2
        + r"(?:vui|lap|sat)|leo len "
        r"(?:mai|noc|nhan|gac|cay)|(?:ngap|nuoc|lu) " + G3 + r"(?:toi|den|qua|ngang|gan|sat) "
        r"(?:mai|noc|nguc|co|dau nguoi|tang 2|tang hai|gac)|nuoc " + G2 + r"len (?:nhanh|"
        r"rat nhanh|cao|qua nhanh|to)|lu (?:dang )?(?:len|ve) (?:nhanh|rat nhanh)|co lap|"
        r"thang may " + G3 + r"(?:ket|ket cung|mac ket)|(?:ket|mac ket) " + G2 + r"thang may",
    ),
    (
        "trapped",
        True,
        r"trapped|stuck (?:in|inside|on|under) " + G3 + r"(?:lift|"
        r"elevator|house|building|rubble|car|roof|attic|flood|water|mud|debris)|buried|"
        r"locked (?:in|inside) " + G3 + r"(?:car|room|basement|house|van)|(?:water|flood) "
        r"(?:is )?(?:up )?(?:at|to|over|reaching) (?:the |our )?(?:windows|roof|chest|neck|"
        r"waist)|"
        r"(?:building|house|wall|bridge|roof|ceiling) "
        + G2
        + r"collapsed|landslide "
        + G3
        + r"(?:hit|buried|house|houses|people|road)|(?:water|flood) (?:is )?rising "
        + G6
        + r"(?:fast|quickly|roof|can ?t|trapped|stuck)|on the roof|can ?t get out|"
        r"cannot get out",
    ),
    (
        "trapped",
        False,
        r"ket|" + SAP + r"|sat lo|ngap sau|nuoc len|lu|collapse\w*|landslide|"
        r"stuck|flood\w*|khong (?:the |duoc )?thoat (?:ra )?(?:duoc|ngoai|khoi)?",
    ),
    # violence and crime in progress
    (
        "violence",
        True,
        r"(?:bi|dang|vua bi|bi bon|bi no_it) " + G2 + r"danh|danh (?:dap|"
        r"nguoi|hoi dong|chet|ngat|vo|con|chong|me|bo|toi|tui|em|minh|nhau|lon|hoi|chi|anh|"
        r"chau|ba|ong|tre|hoc sinh|hang xom)|hanh hung|bao luc|bao hanh|(?:"
        + DAM
        + r"|chem) "
        + r"(?:\w+ ){0,1}(?:nguoi|nhau|chet|trung|bi thuong)|bi (?:"
        + DAM
        + r"|chem)(?! xe| vao xe)|(?:cam|"
        r"vung|rut|mang|cam theo|dung) (?:\w+ ){0,1}(?:"
        + DAO
        + r"|ma tau|"
        + SUNG
        + r"|gay gooc|tuyp sat|hung khi|rua|cuoc|bua|gach)|(?:cam|vung|rut) kiem|"
        + DAO
        + r" (?:phay|gam|nhon|kiem)|"
        r"(?:cay|pha|be) (?:khoa|cua)|(?:treo|leo) (?:tuong|rao|cong|cua so) "
        + G2
        + r"(?:vao|vo)|ke la "
        + G3
        + r"(?:vao|vo|trong|o trong) nha|ruot (?:danh|chem|"
        + DAM
        + r"|theo)|danh moi nguoi|(?:giu|nam|keo|loi) tay "
        + G3
        + r"(?:keo|loi) "
        r"(?:di|vao|vo)|keo " + G3 + r"(?:vo|vao) (?:hem|kiet|xe|bui)|(?:bi )?giat (?:tui|"
        r"dien thoai|day chuyen|tui xach|vi tien|bop)|"
        r"hung khi|ma tau|(?:ban|" + NO + r"|cam|chia|rut) " + SUNG + r"|sung_gun|cuop|"
        r"dot nhap|pha khoa|trom " + G2 + r"(?:dang|vao nha|trong nha|dot nhap|leo)|(?:dang|co) "
        r"(?:\w+ ){0,1}(?:ke )?trom|bat coc|hiep dam|xam hai|de doa "
        + G2
        + r"(?:giet|chem|"
        + DAM
        + r"|danh)|giet|(?:doi|dinh|muon) (?:\w+ ){0,1}(?:giet|chem|"
        + DAM
        + r")|"
        r"truy sat|danh ghen|khung bo|con do|giang ho|dap pha|nem (?:da|gach|chai)",
    ),
    (
        "violence",
        True,
        r"attack(?:ing|ed)?|beat(?:ing)? (?:me|him|her|us|them|someone|a|his|"
        r"my)|being beaten|beaten up|hit(?:ting)? (?:me|my|her|him)|assault\w*|stab\w*|knife|"
        r"gun|guns|shoot(?:ing)?|shot|shots fired|rob(?:bed|bery|bing)?|mugg\w*|break(?:ing)? "
        r"in|broke in|breaking into|burglar\w*|intruder|kidnap\w*|abduct\w*|domestic violence|"
        r"rape|threaten\w* to kill|going to kill|wants to kill|kill (?:me|him|her|us)|"
        r"grab(?:bed|bing|s)? " + G2 + r"(?:bag|phone|purse|wallet|necklace)|snatch\w*|"
        r"trying to (?:pull|drag|grab|take) (?:me|her|him|us|my)|dragging (?:me|her|him|my)|"
        r"pull(?:ing|ed)? (?:me|her|him) (?:into|in)|"
        r"fight(?:ing)? (?:with|outside|in the street)|bloody fight|thief (?:is )?(?:in|inside)|"
        r"someone (?:is )?(?:in|inside) (?:my|our|the) (?:house|home|room|flat)",
    ),
    (
        "violence",
        False,
        r"danh nhau|trom|de doa|fight|thief|threat\w*|danh|dao_knife|"
        r"(?:following|chasing|stalking) me",
    ),
    # someone calling for help, kind unknown
    (
        "distress",
        True,
        r"cuu (?:voi|toi|tui|em|e|con|minh|chung toi|nguoi|gap|mang|me|bo|"
        r"chau|cuu|ba|anh|chi|be|chung em|vo|chong|nhanh)|kheo cuu|keu cuu|nguy hiem (?:den|toi) "
        r"tinh mang|nguy kich|sos|help me|help us|please help|somebody help|someone help|"
        r"mayday|call (?:the )?police|call an ambulance",
    ),
    (
        "distress",
        False,
        r"khan cap|help|emergency|urgent|gap lam|cuu|(?:goi|bao) "
        + G2
        + r"(?:cong an|canh sat|113)",
    ),
]
_CUE_RES = [
    (kind, strong, re.compile(r"\b(?:" + pattern + r")\b")) for kind, strong, pattern in _CUES
]

# -- 4. about the past, a question, a warning: not happening now -------------------------
_OVER = re.compile(
    r"\b(?:da (?:duoc )?(?:dap tat|dap xong|tat|khong che|on dinh|xu ly xong|cuu duoc|dua di|"
    r"duoc cuu|cap cuu xong|qua khoi|xong|het|giai quyet|ve nha|khoi|rut|ra vien|dap|"
    r"duoc giai cuu|on|on roi|khoe|khoe roi|an toan)|giai cuu xong|duoc cuu song|"
    r"gio (?:on|khoe|khong sao) roi(?:_already)?|"
    r"hom qua|hom kia|hom truoc|tuan truoc|tuan roi|thang truoc|thang roi|nam ngoai|"
    r"nam truoc|nam roi|truoc day|toi qua|dem qua|sang qua|chieu qua|hoi nam|"
    r"nam (?:19|20)\d\d|ngay xua|tung bi|tung xay ra|da tung|lan truoc|yesterday|"
    r"last (?:week|night|month|year)|was put out|were put out|already (?:put out|over|"
    r"rescued|saved|taken)|years? ago|weeks? ago|days? ago|in the past|used to|"
    r"(?:fire|it) (?:is|was) (?:out|over))\b"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:lam (?:gi|sao|the nao) (?:khi|neu|de)|khi (?:co|xay ra|gap|bi)|neu (?:co|xay ra|"
    r"gap|bi|lo|nhu)|lo (?:gap|gap_meet|bi|xay ra|co)|neu "
    + G6
    + r"thi|khi "
    + G6
    + r"thi|ra sao|la "
    + G3
    + r"hay "
    + G3
    + r"(?:vay|nhi|a|ha)|"
    r"the nao|phai lam gi|nen lam gi|co nen|thoat hiem|khac nhau|phai khong|(?:toi|den|ve) "
    r"(?:la|thi)|(?:tinh|mat|chi|"
    r"thu) phi|(?:bao|goi|den|trinh bao) " + G2 + r"o dau|if (?:someone|somebody|a person|i|"
    r"you|we|there)|should i|what if|how much|cost|fee|(?:so|duong day|hotline) "
    + G3
    + r"(?:la (?:gi|bao nhieu|so nao|"
    r"so may)|bao nhieu|nao|may)|goi so (?:nao|may|gi)|so may|phong (?:tranh|chong|ngua)|"
    r"de phong|canh bao|du bao|nguy co|cap (?:do|bao dong)|mua (?:kho|mua|lu|bao|nang)|"
    r"huong dan|quy dinh|thu tuc|ky nang|tap huan|dien tap|tuyen truyen|kien thuc|hoc boi|"
    r"so cuu|bao hiem|boi thuong|thong ke|so lieu|phim|bo phim|tro choi|game|truyen|bai hat|"
    r"tin tuc|bai bao|doc bao|xem bao|nghe noi|tren mang|tren tivi|tren tv|hoi (?:ve|thu)|"
    r"cho (?:toi|em|minh) hoi|xin hoi|what (?:should|do) (?:i|you|we) do (?:if|when|in case)|"
    r"what (?:is|s) the (?:number|phone)|which number|what number|how (?:do|can|to|should)"
    r"(?: i| we| you)? (?:prevent|report|call|avoid|apply)|in case of|if there (?:is|was)|"
    r"safety (?:tips|rules)|movie|film|game|news|article|drill|training|insurance|"
    r"statistics|risk of|warning|forecast|season)\b"
)
_NOW = re.compile(
    r"\b(?:dang(?! ky| nhap| tai| bai| song| ki)|ngay bay gio|bay gio|luc nay|hien (?:dang|tai|"
    r"gio)|van dang|van con|con dang|gap|khan cap|cuu (?:voi|toi|tui|em|e|con|minh|nguoi|gap|"
    r"nhanh)|keu cuu|nhanh len|ngay lap tuc|vua bi|vua moi|vua xay ra|now|right now|"
    r"currently|still|happening|hurry|urgent|immediately|please help)\b"
)
_SMOKE_ONLY = re.compile(r"khoi|smoke|mui khet|burning smell|smell")
_WASTE_BURNING = re.compile(
    r"\b(?:dot (?:rom|rac|la|co|vang|giay|nhua|ong|than|cui|dong|ruong|ray)|burning (?:fields|rubbish|trash|garbage|"
    r"leaves|straw|waste|plastic|incense|paper)|(?:nuong|bbq|barbecue|grill))\b"
)
_FOREST = re.compile(
    r"\b(?:rung|doi|nui|ray|dong|ruong|rom|rom ra|thong|keo|tram|phong ho|forest|hill|"
    r"field|wildfire|woods|bush)\b"
)
_FLOOD = re.compile(r"\b(?:ngap|lu|nuoc|flood\w*|water)\b")


def _strike(folded: str) -> str:
    """The folded text with ordinary senses of danger words replaced by a separator."""
    return _ORDINARY_RE.sub(" | ", folded)


def _found(text: str, folded: str = "") -> list[tuple[str, bool, str]]:
    """Every (kind, strong, words) cue in the struck-out text, in order of appearance."""
    hits: list[tuple[int, str, bool, str]] = []
    for kind, strong, pattern in _CUE_RES:
        for match in pattern.finditer(text):
            hits.append((match.start(), kind, strong, match.group(0)))
    hits.sort()
    if _WASTE_BURNING.search(folded or text):
        # Smoke from burning straw or rubbish is a complaint, not a fire (unless it spreads).
        hits = [h for h in hits if not (h[1] == "fire" and _SMOKE_ONLY.search(h[3]))]
    return [(kind, strong, words) for _, kind, strong, words in hits]


def detect(text: str | None) -> Alert | None:
    """An ``Alert`` when the text says a person is in danger now, else None.

    Buttons ("/affirm") and empty text are never emergencies.
    """
    if not text or text.lstrip().startswith("/"):
        return None
    folded = normalise(text[:4000])
    if not folded:
        return None
    struck = _strike(folded)
    hits = _found(struck, folded)
    if not hits:
        return None
    strong = [h for h in hits if h[1]]
    weak = [h for h in hits if not h[1]]
    now = bool(_NOW.search(struck)) or text.count("!") >= 2
    if not strong:
        # Two weak cues of different kinds ("khói" + "cứu"), or of one kind said urgently.
        kinds = {h[0] for h in weak}
        words = {h[2] for h in weak}
        # Two symptoms ("khó thở" + "ong đốt") are a medical emergency without more.
        if len(words) < 2 or not (len(kinds) >= 2 or now or kinds == {"medical"}):
            return None
        if kinds == {"distress"} and not now:
            return None
        strong = weak
    if not now and (_OVER.search(struck) or _HYPOTHETICAL.search(struck)):
        return None
    return _alert(strong, folded)


def _alert(hits: list[tuple[str, bool, str]], folded: str) -> Alert:
    """The alert for the cues found: the most pressing kind decides the first number."""
    kinds = list(dict.fromkeys(h[0] for h in hits))
    real = [k for k in kinds if k != "distress"]
    ordered = sorted(real, key=PRIORITY.index) or ["distress"]
    kind = ordered[0]
    numbers: list[str] = []
    for k in ordered:
        for number in KINDS[k].numbers:
            if number not in numbers:
                numbers.append(number)
    cue = next(words for k, _, words in hits if k == kind)
    if kind == "trapped" and _FLOOD.search(folded):
        cue = f"{cue} (flood)"
    forest = kind == "fire" and bool(_FOREST.search(folded))
    return Alert(kind, tuple(numbers), cue, tuple(ordered), forest)


# -- what a citizen in danger is told first (the words: bot/base/texts.py) ----------------
# The number comes first and plainly, then one line of what to do now. Huế's numbers are the
# national ones (113 police, 114 fire and rescue, 115 ambulance); a city disaster line is
# added only where ``EMERGENCY_DISASTER_LINE`` configures one.


def call_line(alert: Alert, lang: str) -> str:
    """ "🚨 GỌI NGAY 114 (Cứu hỏa, cứu nạn cứu hộ)", with any other number after it."""
    names = [
        f"{n} ({text(f'service_{n}', lang)})" if f"service_{n}" in TEXTS else n
        for n in alert.numbers
    ]
    first, rest = names[0], names[1:]
    if alert.kind == "distress":
        return text("call_any", lang, numbers=", ".join(names))
    line = text("call_now", lang, number=first)
    if rest:
        line += text("call_also", lang, numbers=", ".join(rest))
    return line + "."


def alert_text(alert: Alert, lang: str, disaster_line: str | None = None) -> str:
    """The first reply to an emergency: the number, then what to do now."""
    lines = [call_line(alert, lang), text(f"advice_{alert.kind}", lang)]
    if disaster_line and alert.kind in ("trapped", "drowning"):
        lines.append(text("disaster_line", lang, number=disaster_line))
    return "\n".join(lines)
