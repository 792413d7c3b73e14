"""Recording → call record: hash, transcribe, understand the caller, store, draft a report.

One recording is one transaction: the call row, its segments (redacted and raw apart), the
caller's number (apart) and the draft are written together or not at all, so a crash leaves
nothing half-done, and a recording whose hash is already stored is never redone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.base.clock import iso, now
from bot.domain.emergency import Alert, detect
from bot.domain.redact import PHONE, redact_text
from bot.storage import audit
from bot.storage.store import Store
from voice import drafts, metadata, summary
from voice.audio import AudioError
from voice.config import VoiceConfig
from voice.model import ModelError
from voice.transcribe import Transcript, transcribe_file

log = logging.getLogger(__name__)

Parser = Callable[[str], dict[str, Any]]  # text → Rasa's /model/parse answer
Suggester = Callable[[str], tuple[str, str] | None]  # question → (document id, answer)
# Intents that say what the call was about; greetings and thanks only if nothing else was said.
SUBSTANTIVE = ("report_incident", "ask_info", "check_status", "give_feedback", "request_human")
MAX_TURNS_PARSED = 12


@dataclass(frozen=True)
class Outcome:
    path: Path
    call_id: str | None
    status: str  # processed | duplicate | failed
    draft_report_id: str | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()  # e.g. the English-only model asked for Vietnamese

    def shape(self) -> dict[str, Any]:
        """The contract's ``voice process --json`` object (``error`` added on failure)."""
        out: dict[str, Any] = {
            "call_id": self.call_id,
            "status": self.status,
            "draft_report_id": self.draft_report_id,
        }
        if self.error:
            out["error"] = self.error
        return out


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_NAME_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)\d{8,10}(?!\d)")


def display_name(name: str, caller_number: str | None) -> str:
    """A file name fit to display: PBX names carry the caller's number."""
    if caller_number:
        name = name.replace(caller_number, PHONE)
    return redact_text(_NAME_PHONE.sub(PHONE, name))


def call_id_for(sha256: str) -> str:
    return f"C-{sha256[:12]}"


def turns(transcript: Transcript) -> list[tuple[str, str]]:
    """(role, redacted text) of each turn: consecutive segments of one role joined."""
    out: list[tuple[str, str]] = []
    for channel, segment in transcript.dialogue():
        if out and out[-1][0] == channel.role:
            out[-1] = (channel.role, f"{out[-1][1]} {segment.redacted}")
        else:
            out.append((channel.role, segment.redacted))
    return out


def caller_turns(transcript: Transcript) -> list[str]:
    """What the caller said; everything said on a mono recording (no roles there)."""
    all_turns = turns(transcript)
    if any(role == "caller" for role, _ in all_turns):
        return [text for role, text in all_turns if role == "caller"]
    return [text for role, text in all_turns if role == "unknown"]


@dataclass(frozen=True)
class Understanding:
    intent: str | None
    confidence: float
    entities: list[dict[str, Any]]
    text: str  # the caller's words the intent was read from


def understand(texts: list[str], parse: Parser) -> Understanding:
    """The call's intent and entities from the caller's turns (and all of them together).

    A substantive intent (a report, a question…) beats greetings around it; the entities of
    every turn are kept, the chosen reading's first.
    """
    candidates = [t for t in texts if t.strip()][:MAX_TURNS_PARSED]
    if len(candidates) > 1:
        candidates.append(" ".join(candidates))
    readings = []
    for text in candidates:
        result = parse(text)
        intent = (result.get("intent") or {}).get("name")
        confidence = float((result.get("intent") or {}).get("confidence") or 0.0)
        entities = [
            {"entity": e.get("entity"), "value": e.get("value")}
            for e in result.get("entities") or []
        ]
        readings.append((intent in SUBSTANTIVE, confidence, intent, entities, text))
    if not readings:
        return Understanding(None, 0.0, [], "")
    best = max(readings, key=lambda r: (r[0], r[1]))
    entities: list[dict[str, Any]] = []
    for reading in [best, *readings]:
        for entity in reading[3]:
            if entity not in entities:
                entities.append(entity)
    return Understanding(best[2], best[1], entities, best[4])


class CallProcessor:
    """Processes recordings into call records in one store, with one NLU and knowledge base."""

    def __init__(
        self,
        store: Store,
        config: VoiceConfig,
        parse: Parser,
        suggest: Suggester | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.parse = parse
        self.suggest = suggest

    def seen(self, sha256: str) -> dict[str, Any] | None:
        rows = self.store.db.execute(
            "SELECT call_id, status, draft_report_id, error FROM calls WHERE audio_sha256 = ?",
            [sha256],
        ).fetchall()
        if not rows:
            return None
        call_id, status, draft_id, error = rows[0]
        return {"call_id": call_id, "status": status, "draft": draft_id, "error": error}

    def process(self, path: Path, stereo: bool | None = None) -> Outcome:
        """One recording → an :class:`Outcome`; bad audio is a per-file failure, recorded.

        Errors of the NLU (``RasaUnavailable``) or the model propagate: they are not the
        file's fault, and the file is left to be retried.
        """
        try:
            sha = sha256_of(path)
        except OSError as error:
            return Outcome(path, None, "failed", error=f"cannot read the file: {error.strerror}")
        earlier = self.seen(sha)
        if earlier is not None:
            status = "failed" if earlier["status"] == "failed" else "duplicate"
            return Outcome(path, earlier["call_id"], status, earlier["draft"], earlier["error"])
        call_id = call_id_for(sha)
        meta = metadata.read(path)
        try:
            transcript = transcribe_file(path, self.config, stereo)
        except AudioError as error:
            self._store_failure(call_id, sha, path, meta, str(error))
            log.warning("call failed", extra={"call_id": call_id, "reason": str(error)})
            return Outcome(path, call_id, "failed", error=str(error))
        except ModelError:
            raise
        except Exception as error:  # noqa: BLE001 - one odd file must not stop the batch
            reason = f"lỗi chép lời / transcription failed ({type(error).__name__}: {error})"
            log.exception("call failed", extra={"call_id": call_id})
            self._store_failure(call_id, sha, path, meta, reason)
            return Outcome(path, call_id, "failed", error=reason)
        said = caller_turns(transcript)
        reading = understand(said, self.parse)
        # A person in danger: the call goes to the top of the review queue with a draft,
        # whatever the NLU made of the rest.
        alert = detect(" ".join(said))
        draft = None
        if reading.intent == "report_incident" or alert is not None:
            draft = drafts.build(" ".join(said), reading.entities, alert)
        suggestion = None
        if reading.intent == "ask_info" and self.suggest is not None:
            suggestion = self.suggest(reading.text)
        draft_id = self._store(
            call_id, sha, path, meta, transcript, reading, draft, suggestion, alert
        )
        log.info(
            "call processed",
            extra={
                "call_id": call_id,
                "intent": reading.intent,
                "draft": draft_id,
                "urgent": alert.kind if alert else None,
            },
        )
        return Outcome(path, call_id, "processed", draft_id, warnings=tuple(transcript.warnings))

    def _call_row(self, call_id: str, sha: str, path: Path, meta: metadata.CallMeta) -> dict:
        return {
            "call_id": call_id,
            "audio_sha256": sha,
            "file_name": display_name(path.name, meta.caller_number),
            "received_at": meta.received_at,
            "processed_at": iso(now()),
            "operator": meta.operator,
        }

    def _store_failure(
        self, call_id: str, sha: str, path: Path, meta: metadata.CallMeta, error: str
    ) -> None:
        row = self._call_row(call_id, sha, path, meta) | {"status": "failed", "error": error}
        with self.store.transaction() as db:
            db["calls"].insert(row)
            db["call_contacts"].insert(
                {"call_id": call_id, "caller_number": meta.caller_number, "source_path": str(path)}
            )

    def _store(
        self,
        call_id: str,
        sha: str,
        path: Path,
        meta: metadata.CallMeta,
        transcript: Transcript,
        reading: Understanding,
        draft: drafts.Draft | None,
        suggestion: tuple[str, str] | None,
        alert: Alert | None = None,
    ) -> str | None:
        row = self._call_row(call_id, sha, path, meta) | {
            "emergency": alert.kind if alert else None,
            "duration": round(transcript.duration, 2),
            "status": "pending",
            "intent": reading.intent,
            "intent_confidence": round(reading.confidence, 4),
            "entities": json.dumps(reading.entities, ensure_ascii=False),
            "confidence": round(transcript.confidence, 4),
            "summary": summary.summarise(caller_turns(transcript)),
            "kb_answer_id": suggestion[0] if suggestion else None,
            "kb_answer_text": suggestion[1] if suggestion else None,
            "language": transcript.language,
            "model": transcript.model,
            "channels": len(transcript.channels),
            "hallucinations_dropped": transcript.dropped,
            "warnings": json.dumps(transcript.warnings, ensure_ascii=False),
        }
        segments, raws = [], []
        for idx, (channel, segment) in enumerate(transcript.dialogue()):
            segments.append(
                {
                    "call_id": call_id,
                    "idx": idx,
                    "channel": channel.channel,
                    "role": channel.role,
                    "start": round(segment.start, 2),
                    "end": round(segment.end, 2),
                    "text_redacted": segment.redacted,
                    "confidence": round(segment.confidence, 4),
                    "flags": json.dumps(segment.flags),
                }
            )
            raws.append({"call_id": call_id, "idx": idx, "text": segment.text})
        with self.store.transaction() as db:
            db["calls"].insert(row)
            db["call_contacts"].insert(
                {"call_id": call_id, "caller_number": meta.caller_number, "source_path": str(path)}
            )
            db["call_segments"].insert_all(segments)
            db["call_segments_raw"].insert_all(raws)
            draft_id = drafts.insert(db, call_id, draft) if draft is not None else None
            if draft_id:
                db.execute(
                    "UPDATE calls SET draft_report_id = ? WHERE call_id = ?", [draft_id, call_id]
                )
        return draft_id


def load_call(
    store: Store, call_id: str, show_pii: bool = False, actor: str | None = None
) -> dict[str, Any] | None:
    """A stored call with its dialogue; raw text and the caller's number only with
    ``show_pii``, and then the view is written to the audit trail in the same transaction."""
    rows = list(store.db.query("SELECT * FROM calls WHERE call_id = ?", [call_id]))
    if not rows:
        return None
    call = rows[0]
    call["entities"] = json.loads(call["entities"] or "[]")
    call["warnings"] = json.loads(call["warnings"] or "[]")
    segments = list(
        store.db.query(
            'SELECT idx, channel, role, start, "end", text_redacted AS text, confidence, flags '
            "FROM call_segments WHERE call_id = ? ORDER BY idx",
            [call_id],
        )
    )
    if show_pii:
        with store.transaction() as db:
            raw = dict(
                db.execute(
                    "SELECT idx, text FROM call_segments_raw WHERE call_id = ?", [call_id]
                ).fetchall()
            )
            contact = db.execute(
                "SELECT caller_number, source_path FROM call_contacts WHERE call_id = ?",
                [call_id],
            ).fetchone()
            audit.record(
                db,
                actor=actor or audit.default_actor(),
                action="show_pii",
                subject=call_id,
                detail={"what": "call transcript and caller number", "segments": len(raw)},
            )
        for segment in segments:
            segment["text"] = raw.get(segment["idx"], segment["text"])
        call["caller_number"], call["source_path"] = contact or (None, None)
    for segment in segments:
        segment["flags"] = json.loads(segment["flags"] or "[]")
    call["segments"] = segments
    return call
