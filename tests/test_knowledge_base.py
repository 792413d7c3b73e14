"""Loading service documents and searching them."""

import unicodedata

import pytest

from bot.base.settings import project_root
from knowledge_base.dense import whole_text
from knowledge_base.documents import load_folder
from knowledge_base.retriever import CONFIDENCE_THRESHOLD, Retriever

GOOD = """---
id: pay-water-bill
title: Thanh toán tiền nước
questions:
  - Trả tiền nước ở đâu?
source: https://example.org/nuoc
---
Bạn thanh toán tiền nước trên Hue-S, mục Thanh toán.
English:
Pay your water bill in the Hue-S app.
"""


@pytest.fixture(scope="module")
def retriever():
    return Retriever(project_root() / "knowledge_base" / "services")


def test_the_project_documents_all_load(retriever):
    retriever.refresh()
    assert retriever.errors == []
    assert len(retriever.documents) >= 10


@pytest.mark.parametrize(
    "question, expected",
    [
        ("làm sao để đăng ký tài khoản Hue-S", "hues-account-register"),
        ("dang ky khai sinh cho con can giay to gi", "birth-registration"),
        ("số điện thoại cấp cứu là gì", "emergency-numbers"),
        ("How do I register my newborn's birth?", "birth-registration"),
        ("where can I get a certified copy of my documents", "certified-copy"),
        ("Can I see traffic cameras in the Hue-S app?", "camera-surveillance"),
    ],
)
def test_search_finds_the_right_document_with_or_without_accents_or_in_english(
    retriever, question, expected
):
    hits = retriever.search(question)
    assert hits and hits[0].document.id == expected
    assert hits[0].confidence >= CONFIDENCE_THRESHOLD


@pytest.mark.parametrize("query", ["", "   ", "😀😀😀", "x" * 5000])
def test_odd_queries_do_not_crash(retriever, query):
    hits = retriever.search(query)
    assert all(0 <= h.confidence <= 1 for h in hits)


def test_nfd_query_finds_the_same_as_nfc(retriever):
    nfc = "thanh toán tiền điện"
    assert [h.document.id for h in retriever.search(unicodedata.normalize("NFD", nfc))] == [
        h.document.id for h in retriever.search(nfc)
    ]


def test_broken_and_duplicate_documents_are_named_and_the_rest_load(tmp_path):
    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "broken.md").write_text("---\nid: [unclosed\n---\nbody")
    (tmp_path / "noid.md").write_text("---\ntitle: x\nquestions: [a]\nsource: s\n---\nbody")
    (tmp_path / "twin-a.md").write_text(GOOD.replace("pay-water-bill", "twin"))
    (tmp_path / "twin-b.md").write_text(GOOD.replace("pay-water-bill", "twin"))
    docs, errors = load_folder(tmp_path)
    assert [d.id for d in docs] == ["pay-water-bill"]
    joined = "\n".join(errors)
    assert "broken.md" in joined and "noid.md: missing id" in joined
    assert "twin-a.md" in joined and "twin-b.md" in joined


def test_english_section_is_served_to_english_speakers(tmp_path):
    (tmp_path / "good.md").write_text(GOOD)
    doc = load_folder(tmp_path)[0][0]
    assert doc.answer("en") == "Pay your water bill in the Hue-S app."
    assert "English" not in doc.answer("vi")


def test_every_project_document_answers_in_english_too(retriever):
    retriever.refresh()
    missing = [d.id for d in retriever.documents.values() if not d.answer_en]
    assert missing == []  # a visitor asking in English gets English, on every topic


def test_the_dense_vector_reads_the_vietnamese_answer_only(tmp_path):
    (tmp_path / "good.md").write_text(GOOD)
    doc = load_folder(tmp_path)[0][0]
    assert "Hue-S, mục Thanh toán" in whole_text(doc) and "Pay your" not in whole_text(doc)


def test_a_changed_document_is_picked_up_without_restart(tmp_path):
    (tmp_path / "good.md").write_text(GOOD)
    live = Retriever(tmp_path)
    assert live.search("tiền nước")[0].document.id == "pay-water-bill"
    (tmp_path / "other.md").write_text(
        GOOD.replace("pay-water-bill", "parking")
        .replace("tiền nước", "gửi xe ô tô")
        .replace("Trả tiền nước", "Gửi xe ô tô")
    )
    assert live.search("gửi xe ô tô")[0].document.id == "parking"
