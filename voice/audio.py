"""Reading recordings: validate, then decode to 16 kHz in bounded-size chunks.

faster-whisper's ``decode_audio`` holds a whole file in memory (a two-hour stereo call is
about 1.4 GB as float32 plus its int16 buffer); this decoder does the same resampling with
PyAV but hands out ``chunk_s``-second pieces, cut at the quietest moment near the boundary
so a word is rarely split.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
_CUT_FRAME_S = 0.2  # energy is compared over frames this long when choosing a cut
_CUT_LOOKBACK_S = 10.0  # the cut is chosen among the last seconds of a chunk
_GROUP_SAMPLES = 500_000  # decoded samples resampled at once (as faster-whisper does)


class AudioError(ValueError):
    """A recording that cannot be used, with a reason fit to show a person."""


@dataclass(frozen=True)
class AudioInfo:
    path: Path
    size: int
    channels: int
    sample_rate: int
    codec: str
    declared_duration: float | None  # from the container; None when it does not say


@dataclass(frozen=True)
class Chunk:
    offset: float  # seconds from the start of the recording
    channels: tuple[np.ndarray, ...]  # float32 at 16 kHz, one array per channel

    @property
    def duration(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE if self.channels else 0.0


def probe(path: Path) -> AudioInfo:
    """Check that ``path`` is a readable recording with an audio stream; say why not."""
    import av  # lazy: PyAV (ffmpeg) only when audio is decoded

    if not path.exists():
        raise AudioError(f"không tìm thấy tệp / no such file: {path.name}")
    if not path.is_file():
        raise AudioError(f"không phải tệp / not a file: {path.name}")
    size = path.stat().st_size
    if size == 0:
        raise AudioError("tệp rỗng / empty file (0 bytes)")
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError("không có luồng âm thanh / no audio stream in the file")
            stream = container.streams.audio[0]
            duration = None
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration:
                duration = container.duration / 1_000_000
            return AudioInfo(
                path=path,
                size=size,
                channels=int(stream.codec_context.channels or 1),
                sample_rate=int(stream.codec_context.sample_rate or 0),
                codec=stream.codec_context.name,
                declared_duration=duration,
            )
    except AudioError:
        raise
    except (av.FFmpegError, OSError, ValueError) as error:
        raise AudioError(
            f"không đọc được âm thanh / not a readable audio file ({type(error).__name__}: "
            f"{getattr(error, 'strerror', None) or error})"
        ) from None


def duration_over(path: Path, limit_s: float) -> bool:
    """Whether the recording lasts longer than ``limit_s``: its packets are counted (read,
    not decoded), stopping past the limit; a container's declared length is not trusted
    (a small file can claim anything, and a 10 MB Opus note holds hours)."""
    import av  # lazy: PyAV (ffmpeg) only when audio is read

    total = 0.0
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                return False
            stream = container.streams.audio[0]
            for packet in container.demux(stream):
                if packet.duration and packet.time_base is not None:
                    total += float(packet.duration * packet.time_base)
                elif packet.size and stream.codec_context.sample_rate:  # no duration: bound it
                    total += packet.size / max(1, stream.codec_context.sample_rate)
                if total > limit_s:
                    return True
    except (av.FFmpegError, OSError, ValueError):
        return False  # not readable: transcription will say so
    return False


def _frames(container) -> Iterator:  # noqa: ANN001 - av container
    """Decoded frames grouped into blocks of about 500 000 samples (resampling many small
    frames one by one costs more CPU), skipping the damaged frames of a corrupt file."""
    import av  # lazy: PyAV (ffmpeg) only when audio is decoded

    fifo = av.audio.fifo.AudioFifo()
    iterator = container.decode(audio=0)
    while True:
        try:
            frame = next(iterator)
        except StopIteration:
            break
        except av.error.InvalidDataError:
            continue
        frame.pts = None
        fifo.write(frame)
        if fifo.samples >= _GROUP_SAMPLES:
            yield fifo.read()
    if fifo.samples:
        yield fifo.read()


def _cut_point(data: np.ndarray, target: int) -> int:
    """The sample index near ``target`` where the loudest channel is quietest."""
    frame = int(_CUT_FRAME_S * SAMPLE_RATE)
    start = max(0, target - int(_CUT_LOOKBACK_S * SAMPLE_RATE))
    window = np.abs(data[:, start:target]).max(axis=0)
    n = len(window) // frame
    if n == 0:
        return target
    energy = window[: n * frame].reshape(n, frame).mean(axis=1)
    return start + int(np.argmin(energy)) * frame + frame // 2


def chunks(path: Path, stereo: bool, chunk_s: float) -> Iterator[Chunk]:
    """16 kHz float32 audio in pieces of about ``chunk_s`` seconds (two channels if ``stereo``).

    Raises :class:`AudioError` for a file that decodes to nothing.
    """
    import av  # lazy: PyAV (ffmpeg) only when audio is decoded

    n_channels = 2 if stereo else 1
    target = max(int(chunk_s * SAMPLE_RATE), SAMPLE_RATE)
    resampler = av.audio.resampler.AudioResampler(
        format="s16", layout="stereo" if stereo else "mono", rate=SAMPLE_RATE
    )
    pending: list[np.ndarray] = []
    pending_len = 0
    offset = 0
    total = 0
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            for frame in itertools.chain(_frames(container), [None]):
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1, n_channels).T
                    pending.append(samples.astype(np.float32) / 32768.0)
                    pending_len += samples.shape[1]
                    total += samples.shape[1]
                    if pending_len >= target + _CUT_LOOKBACK_S * SAMPLE_RATE:
                        data = np.concatenate(pending, axis=1)
                        cut = _cut_point(data, target)
                        yield Chunk(offset / SAMPLE_RATE, tuple(data[:, :cut]))
                        offset += cut
                        pending, pending_len = [data[:, cut:]], data.shape[1] - cut
    except av.FFmpegError as error:
        raise AudioError(f"lỗi giải mã / decoding failed ({error})") from None
    if total == 0:
        raise AudioError("không giải mã được mẫu âm thanh nào / the file holds no decodable audio")
    if pending_len:
        data = np.concatenate(pending, axis=1)
        yield Chunk(offset / SAMPLE_RATE, tuple(data))
