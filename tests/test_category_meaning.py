"""The category from what a report means (bot/services/category_meaning.py), with the real
multilingual-e5-small model. None of these sentences names a listed phrase, and none comes
from bench/data/reports_1022.jsonl (the held-out set stays out of tests)."""

from __future__ import annotations

import pytest

from bot.domain import categories
from bot.services import category_meaning
from voice import drafts

NO_PHRASE = [
    (
        "Người dân phản ánh hệ thống chiếu sáng trong kiệt 7 Ngô Quyền không hoạt động mấy đêm nay",
        "streetlight",
    ),
    (
        "Người dân phản ánh tuyến đường vào trường học bị sụp một hố sâu, xe máy đi qua "
        "rất nguy hiểm",
        "road_damage",
    ),
    (
        "Người dân phản ánh khu vực tổ 2 phường An Hòa không có nước máy từ sáng đến giờ",
        "water_supply",
    ),
    (
        "Người dân phản ánh quán nhậu mở nhạc rất to đến nửa đêm làm cả xóm mất ngủ",
        "noise",
    ),
]
VAGUE = [
    "cho mình báo một sự cố",
    "mình có việc cần phản ánh với phường",
    "I would like to report something",
]


@pytest.fixture(scope="module")
def model():
    built = category_meaning.classifier()
    assert built is not None, "the bundled e5 model should load"
    return built


def test_the_examples_cover_every_category_and_the_vague_requests():
    examples = category_meaning.training_examples()
    codes = {e.code for e in examples}
    assert codes == {*categories.BY_CODE, category_meaning.VAGUE}
    assert not any("[" in e.text or "{" in e.text for e in examples)  # annotations stripped


@pytest.mark.parametrize(("text", "code"), NO_PHRASE)
def test_a_report_with_no_listed_phrase_gets_its_category_from_meaning(model, text, code):
    assert categories.match(text) is None  # phrases alone would not know
    guess = model.guess(text)
    assert guess.code == code, guess


def test_a_vague_request_gets_no_category(model):
    for text in VAGUE:
        assert model.guess(text).code is None
        assert category_meaning.guess(text) is None


def test_embedding_model_none_turns_meaning_off(monkeypatch):
    monkeypatch.setenv("EMBEDDING_MODEL", "none")
    assert category_meaning.classifier() is None
    assert category_meaning.guess(NO_PHRASE[0][0]) is None
    assert category_meaning.guesses([t for t, _ in NO_PHRASE]) == [None] * len(NO_PHRASE)
    draft = drafts.build(NO_PHRASE[0][0], [])
    assert (draft.category, "category" in draft.missing) == ("other", True)


def test_a_call_draft_with_no_listed_phrase_gets_the_meaning_guess(model):
    text, code = NO_PHRASE[3]
    draft = drafts.build(text, [])
    assert (draft.category, "category" in draft.missing) == (code, False)
