"""Query expansion for the lexical index: everyday words → the words the documents use.

Citizens write "lltp", "hộ khẩu" or "hôn thú"; the documents say "lý lịch tư pháp",
"thường trú", "kết hôn". Visitors ask in English about documents written in Vietnamese, and
the bundled embedding model is English-only, so a small bilingual glossary of city-service
vocabulary is what lets the lexical index answer them. Keys and expansions are accent-folded
word sequences; a key matches whole words of the folded query.

English keys are chosen not to collide with Vietnamese syllables ("ban", "con", "to"…).
"""

from __future__ import annotations

from bot.base.text import fold_words

# Vietnamese abbreviations, older and everyday terms.
VIETNAMESE: dict[str, str] = {
    "lltp": "ly lich tu phap",
    "tien an": "ly lich tu phap",
    "pa": "phan anh",
    "mk": "mat khau",
    "pass": "mat khau",
    "tk": "tai khoan",
    "otp": "ma xac thuc",
    "bhyt": "bao hiem y te",
    "cmnd": "can cuoc",
    "cccd": "can cuoc",
    "gpxd": "giay phep xay dung",
    "dvc": "dich vu cong",
    "hon thu": "ket hon",
    "ho khau": "thuong tru",
    "nhap khau": "thuong tru",
    "chung tu": "khai tu",
    "qua doi": "khai tu",
    "sinh em be": "khai sinh",
    "giay chung sinh": "khai sinh",
    "so hong": "so do",
    "cup dien": "mat dien",
    "o ga": "phan anh hien truong",
    "xa ban": "cong kenh",
    "sao y": "chung thuc ban sao",
    "cong chung": "chung thuc",
    "du khach": "du lich",
    "kinh thanh": "dai noi",
}

# English → Vietnamese, one entry per idea that the services cover.
ENGLISH: dict[str, str] = {
    # Hue-S account and app
    "account": "tai khoan dang ky",
    "sign up": "dang ky tai khoan",
    "signup": "dang ky tai khoan",
    "register": "dang ky",
    "registration": "dang ky",
    "password": "mat khau",
    "log in": "dang nhap",
    "login": "dang nhap",
    "verify": "xac thuc",
    "verification": "xac thuc",
    "identity": "dinh danh",
    "foreigner": "nguoi nuoc ngoai",
    "app": "ung dung",
    "hotline": "tong dai",
    "phone number": "so dien thoai tong dai",
    "city services": "dich vu tong dai",
    "official account": "zalo oa",
    # civil status and papers
    "birth": "khai sinh",
    "newborn": "khai sinh",
    "baby": "khai sinh",
    "marriage": "ket hon",
    "married": "ket hon",
    "marry": "ket hon",
    "death": "khai tu",
    "died": "khai tu",
    "passed away": "khai tu",
    "residence": "cu tru tam tru",
    "temporary residence": "tam tru",
    "renting": "thue tro tam tru",
    "criminal record": "ly lich tu phap",
    "certified copy": "chung thuc ban sao",
    "notarize": "chung thuc",
    "notarized": "chung thuc",
    "id card": "can cuoc",
    "identity card": "can cuoc",
    "land": "dat",
    "land certificate": "so do",
    "land price": "gia dat",
    "building permit": "giay phep xay dung",
    "construction permit": "giay phep xay dung",
    "business": "ho kinh doanh",
    "online public services": "dich vu cong truc tuyen",
    # bills and utilities
    "electricity": "dien",
    "power": "dien",
    "outage": "mat dien",
    "blackout": "mat dien",
    "power cut": "cat dien",
    "bill": "thanh toan tien hoa don",
    "pay": "thanh toan",
    "payment": "thanh toan",
    "water": "nuoc",
    "tap water": "nuoc may",
    "dirty": "nuoc duc",
    "brown": "nuoc duc",
    "leak": "vo ong",
    # waste
    "garbage": "rac",
    "rubbish": "rac",
    "trash": "rac",
    "waste": "rac",
    "collection": "thu gom",
    "mattress": "cong kenh nem",
    "furniture": "cong kenh",
    "rubble": "xa ban",
    "sanitation fee": "phi ve sinh tien rac",
    # health and schools
    "doctor": "kham benh",
    "hospital": "benh vien kham benh",
    "appointment": "dat lich",
    "vaccine": "tiem chung",
    "vaccinated": "tiem chung",
    "vaccination": "tiem chung",
    "rabies": "tiem phong dai",
    "insurance": "bao hiem y te",
    "health insurance": "bao hiem y te",
    "school": "truong tuyen sinh",
    "enrol": "tuyen sinh",
    "enroll": "tuyen sinh",
    "enrollment": "tuyen sinh",
    "tuition": "hoc phi",
    "school fees": "hoc phi",
    "contest": "cuoc thi",
    "quiz": "cuoc thi",
    # emergencies and safety
    "emergency": "khan cap",
    "ambulance": "cap cuu 115",
    "collapsed": "cap cuu 115",
    "police": "cong an 113",
    "stolen": "cong an 113",
    "theft": "cong an 113",
    "robbed": "cong an 113",
    "fire brigade": "cuu hoa 114",
    "forest fire": "chay rung",
    "wildfire": "chay rung",
    "smoke": "chay khoi",
    "flood": "lu ngap",
    "floods": "lu ngap",
    "flooded": "ngap lu",
    "heavy rain": "mua lu",
    "storm": "bao",
    "donate": "ung ho",
    "donation": "ung ho",
    "relief": "cuu tro ho tro",
    "camera": "camera",
    "cameras": "camera",
    "footage": "hinh anh camera",
    "cctv": "camera",
    "personal data": "du lieu ca nhan",
    "privacy": "du lieu ca nhan",
    "open data": "du lieu mo",
    "dataset": "du lieu mo",
    "statistics": "so lieu",
    # tourism and transport
    "tourist": "du lich",
    "visit": "tham quan",
    "sightseeing": "tham quan",
    "festival": "le hoi festival",
    "ticket": "ve",
    "tickets": "ve",
    "imperial city": "dai noi",
    "citadel": "dai noi",
    "tomb": "lang",
    "tombs": "lang",
    "overcharged": "chat chem",
    "overcharge": "chat chem",
    "scam": "chat chem",
    "rip off": "chat chem",
    "cyclo": "xich lo",
    "complain": "phan anh",
    "complaint": "phan anh",
    "traffic fine": "phat nguoi",
    "traffic fines": "phat nguoi",
    "fine": "phat",
    "fines": "phat",
    "motorbike": "xe may",
    "scooter": "xe may",
    "car": "o to",
    "park": "do xe",
    "parking": "do xe giu xe",
    "bus": "xe buyt",
    "airport": "san bay",
    # field reports
    "pothole": "phan anh hien truong",
    "streetlight": "phan anh den duong",
    "report": "phan anh",
    "status": "theo doi trang thai",
    "rating": "danh gia",
    "meeting": "hop",
    "dashboard": "dashboard",
}

_GLOSSARY: dict[tuple[str, ...], str] = {
    tuple(key.split()): value for key, value in {**VIETNAMESE, **ENGLISH}.items()
}
_LONGEST = max(len(key) for key in _GLOSSARY)


def expand(text: str) -> str:
    """Document words for the everyday or English words of ``text`` ("" when none match).

    Longest match first, so "tap water" expands once as a whole, not also as "water".
    """
    words = fold_words(text)
    found: list[str] = []
    position = 0
    while position < len(words):
        for size in range(min(_LONGEST, len(words) - position), 0, -1):
            value = _GLOSSARY.get(tuple(words[position : position + size]))
            if value is not None:
                found.append(value)
                position += size
                break
        else:
            position += 1
    return " ".join(dict.fromkeys(found))
