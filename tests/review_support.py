"""Hotline calls written straight into a real store, as the voice pipeline writes them.

The review and statistics tests need many calls in known states; transcribing audio for each
would take minutes, so these rows take the voice tables' exact shape instead (the pipeline
itself is tested end to end in test_voice_process.py and test_review_end_to_end.py).
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.base.clock import iso, now
from bot.storage.store import Store
from voice import drafts


def seed_call(
    store: Store,
    call_id: str,
    *,
    confidence: float,
    intent: str = "report_incident",
    draft: drafts.Draft | None = None,
    received_at: datetime | None = None,
    caller_number: str = "0905123456",
    segments: list[tuple[str, str, str]] | None = None,
) -> str | None:
    """One pending call with its segments (role, redacted, raw) and an optional draft."""
    segments = segments or [
        ("caller", "Đèn đường hỏng ở 12 Lê Lợi, số tôi là [SĐT]", "Đèn đường hỏng ở 12 Lê Lợi, số tôi là 0905123456"),
        ("agent", "Dạ, tổng đài ghi nhận ạ.", "Dạ, tổng đài ghi nhận ạ."),
    ]  # fmt: skip
    moment = iso(received_at or now())
    with store.transaction() as db:
        db["calls"].insert(
            {
                "call_id": call_id,
                "audio_sha256": call_id.ljust(64, "0"),
                "file_name": f"{call_id}.wav",
                "received_at": moment,
                "processed_at": moment,
                "duration": 42.5,
                "status": "pending",
                "intent": intent,
                "intent_confidence": 0.9,
                "entities": json.dumps([{"entity": "category", "value": "streetlight"}]),
                "confidence": confidence,
                "summary": segments[0][1],
                "language": "vi",
                "model": "tiny.en",
                "channels": 2,
                "warnings": "[]",
            }
        )
        db["call_contacts"].insert({"call_id": call_id, "caller_number": caller_number})
        for idx, (role, redacted, raw) in enumerate(segments):
            db["call_segments"].insert(
                {
                    "call_id": call_id, "idx": idx, "channel": "left" if role == "caller" else "right",
                    "role": role, "start": idx * 5.0, "end": idx * 5.0 + 4.0,
                    "text_redacted": redacted, "confidence": 0.4 if idx == 0 else 0.9,
                    "flags": json.dumps(["low_confidence"] if idx == 0 else []),
                }
            )  # fmt: skip
            db["call_segments_raw"].insert({"call_id": call_id, "idx": idx, "text": raw})
        draft_id = drafts.insert(db, call_id, draft) if draft else None
        if draft_id:
            db.execute(
                "UPDATE calls SET draft_report_id = ? WHERE call_id = ?", [draft_id, call_id]
            )
    return draft_id


def streetlight_draft(location: str = "12 Lê Lợi", ward: str = "Vỹ Dạ") -> drafts.Draft:
    return drafts.Draft(
        "streetlight", "Đèn đường hỏng ở 12 Lê Lợi, số tôi là [SĐT]", location, ward
    )
