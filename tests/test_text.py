"""Normalisation, folding, language detection, the ward gazetteer and categories."""

import unicodedata

from bot.base.text import clean, detect_language, fold, fold_words
from bot.domain import categories, gazetteer


def test_fold_strips_vietnamese_diacritics_and_keeps_length():
    assert fold("Đèn đường bị hỏng") == "den duong bi hong"
    text = "Phường Vỹ Dạ, Huế"
    assert len(fold(text)) == len(text)


def test_clean_brings_nfd_to_nfc_and_drops_control_characters():
    nfd = unicodedata.normalize("NFD", "Đèn đường\x00 bị\u200b hỏng\t\n")
    assert clean(nfd) == "Đèn đường bị hỏng"
    assert clean("   ") == ""
    assert clean(None) == ""


def test_fold_words_expands_teencode():
    assert fold_words("ko dc j") == ["khong", "duoc", "gi"]


def test_language_detection():
    assert detect_language("đèn đường hỏng") == "vi"
    assert detect_language("den duong bi hong roi") == "vi"
    assert detect_language("the street light is broken, please help") == "en"
    assert detect_language("ok", previous="en") == "en"
    assert detect_language("👍", previous=None) is None
    assert detect_language("/affirm", previous="vi") == "vi"


def test_gazetteer_has_40_units_and_reads_them_as_typed():
    assert len(gazetteer.WARDS) == 40
    assert gazetteer.lookup("vy da") == "Vỹ Dạ"
    assert gazetteer.lookup("Phường Vĩ Dạ") == "Vỹ Dạ"
    assert gazetteer.lookup("chan may - lang co") == "Chân Mây-Lăng Cô"
    assert gazetteer.lookup("Hà Nội") is None
    assert gazetteer.find_in("kiet 12 Nguyen Hue, phuong thuan hoa") == "Thuận Hóa"


def test_categories_match_codes_phrases_and_prefer_the_longest():
    assert categories.match("streetlight") == "streetlight"
    assert categories.match("cột đèn bị nghiêng") == "streetlight"
    assert categories.match("den giao thong khong sang") == "traffic"
    assert categories.match("o ga to lam") == "road_damage"
    assert categories.match("xyz") is None


def test_a_word_typed_with_its_marks_is_not_taken_for_a_folded_phrase():
    # "cong", "on", "chay" are the folded drain, noise and fire; typed with marks these are
    # other words. Without marks the phrase still matches (people type that way).
    assert categories.match("công nhân làm nhanh quá") is None
    assert categories.match("cổng trường bị khóa") is None
    assert categories.match("cảm ơn nhiều") is None
    assert categories.match("xe chạy nhanh") is None
    assert categories.match("to rồi") is None
    assert categories.match("cống bị nghẹt") == "flooding"
    assert categories.match("cong bi nghet") == "flooding"
    assert categories.match("karaoke ồn quá") == "noise"
    assert categories.match("thùng rác công cộng đầy") == "garbage"
    # Unmarked: inside another everyday word, or in English, it is not the phrase either.
    assert categories.match("cong nhan lam tot lam") is None
    assert categories.match("so dien thoai cua em") is None
    assert categories.match("cay xang o dau gan nhat") is None
    assert categories.match("who do I call on a Sunday") is None
    assert categories.match("cay do chan duong") == "tree"
    assert categories.match("mat dien tu sang") == "power_outage"
