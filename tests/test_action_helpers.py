"""The small text rules inside the actions: cancel words, codes, ratings, phone numbers."""

import re

import pytest

from actions.feedback import rating_in
from actions.report_form import describes_problem, is_cancel, phone_in
from bot.base.codes import find_code
from bot.domain import gazetteer


@pytest.mark.parametrize("text", ["thôi", "thoi", "Hủy", "huy bo", "cancel", "thôi không báo nữa"])
def test_cancel_words(text):
    assert is_cancel(text)


@pytest.mark.parametrize("text", ["thôi được rồi gửi đi", "12 Lê Lợi", "không"])
def test_not_cancel(text):
    assert not is_cancel(text)


@pytest.mark.parametrize(
    "text, code",
    [
        ("kiem tra PA-2026-000123 giup", "PA-2026-000123"),
        ("pa 2025 004512", "PA-2025-004512"),
        ("ma pa_2026_000001", "PA-2026-000001"),
        ("PA-26-123", None),
    ],
)
def test_find_code(text, code):
    assert find_code(text) == code


@pytest.mark.parametrize(
    "text, rating",
    [
        ("5 sao", 5),
        ("cho 4/5", 4),
        ("nam sao nhe", 5),
        ("rat hai long", 5),
        ("không hài lòng chút nào", 2),
        ("tạm được", 3),
        ("xử lý quá tệ", 1),
        ("cảm ơn", None),
    ],
)
def test_rating_in(text, rating):
    assert rating_in(text) == rating


@pytest.mark.parametrize(
    "text, phone",
    [
        ("sdt 0905 123 456", "0905123456"),
        ("+84 912.345.678", "+84912345678"),
        ("0234 3822 123", "02343822123"),
        ("12345", None),
    ],
)
def test_phone_in(text, phone):
    assert phone_in(text) == phone


def test_describes_problem_needs_the_problem_and_some_detail():
    assert describes_problem("đèn đường trước nhà 12 Lê Lợi tắt 3 hôm nay")
    assert not describes_problem("tôi muốn phản ánh")
    assert not describes_problem("đèn đường")


@pytest.mark.parametrize(
    ("span", "message", "place"),
    [
        ("kiệt 45 Nguyễn Huệ", "", True),
        ("34 Ba Trieu", "", True),
        ("truoc truong Quoc Hoc", "", True),
        ("cho An Cuu", "", True),
        ("Vỹ Dạ", "", True),
        ("Le Loi riverside", "", True),
        ("xe dap di", "mat duong nut nhieu cho, xe dap di rat kho", False),
        ("nga", "xe may de te nga lam", False),
        ("duong ong", "nuoc ro ri tu duong ong ca tuan nay", False),  # a pipe, not a street
        ("đường Lê Lợi", "", True),
        ("gà sâu", "ổ gà sâu quá", False),  # folded: "ga sau", a station, behind
        ("ga sau", "o ga sau qua", True),  # without accents it cannot be told apart
        ("đường ống", "nước rò rỉ từ đường ống", False),
        ("Xe dap di", "Xe dap di rat kho", False),  # capitalised only as the first word
    ],
)
def test_a_place_picked_up_in_passing_must_look_like_one(span, message, place):
    assert gazetteer.looks_like_place(span, message) is place


def test_every_place_in_the_training_data_looks_like_one():
    """The check must never refuse a place written the way the NLU data writes them."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "nlu_data" / "nlu"
    places = [
        span
        for path in root.glob("*.yml")
        for span in re.findall(r"\[([^\]]+)\]\(location\)", path.read_text(encoding="utf-8"))
    ]
    assert len(places) > 100
    assert [p for p in places if not gazetteer.looks_like_place(p)] == []
