"""Supervisor review of hotline calls: the queue, corrections, and drafts filed or rejected.

A library API; ``hue-assist review`` is a thin layer over it. Transcript text is redacted
everywhere here; raw text is only read through ``voice.calls.load_call(show_pii=True)``,
which audits the view. Every decision records who made it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.base.clock import iso, now
from bot.domain import categories, gazetteer
from bot.domain.redact import redact_text
from bot.storage.report_query import period
from bot.storage.store import NotFound, Store, StoreError
from voice import calls, drafts

LOW_CONFIDENCE = 0.6  # a call or segment under this is flagged for a careful read
REVIEW_TARGET_HOURS = 24  # a call waiting longer is overdue for review
MAX_SEGMENT_TEXT = 2000


@dataclass
class QueueFilter:
    since: str | None = None
    until: str | None = None
    categories: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


def queue(
    store: Store, filters: QueueFilter | None = None, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Calls waiting for review: urgent first (a person in danger), then overdue, then lowest
    confidence first."""
    filters = filters or QueueFilter()
    overdue_before = iso(now() - timedelta(hours=REVIEW_TARGET_HOURS))
    when, params = period("c.received_at", filters.since, filters.until)
    clauses, params = ["c.status = 'pending'", when], [overdue_before, *params]
    for column, values in (
        ("d.category", filters.categories),
        ("d.ward", filters.wards),
        ("d.channel", filters.channels),
    ):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    sql = (
        "SELECT c.call_id, c.received_at, c.duration, c.confidence, c.intent, "
        "c.draft_report_id, c.summary, d.category, d.ward, c.emergency, "
        "(c.received_at < ?) AS overdue FROM calls c "
        "LEFT JOIN draft_reports d ON d.draft_id = c.draft_report_id "
        f"WHERE {' AND '.join(clauses)} "
        "ORDER BY c.emergency IS NULL, overdue DESC, c.confidence IS NULL, c.confidence, "
        "c.received_at "
        "LIMIT ? OFFSET ?"
    )
    rows = list(store.db.query(sql, [*params, limit, offset]))
    for row in rows:
        row["overdue"] = bool(row["overdue"])
        row["urgent"] = row["emergency"] is not None
        row["flagged"] = row["confidence"] is not None and row["confidence"] < LOW_CONFIDENCE
    return rows


def _call_id(store: Store, ref: str) -> str:
    """A call id from a call id (``C-…``) or a draft id (``D-…``)."""
    ref = (ref or "").strip()
    if ref.upper().startswith("D-"):
        row = store.db.execute(
            "SELECT call_id FROM draft_reports WHERE draft_id = ?", [ref.upper()]
        ).fetchone()
    else:
        row = store.db.execute("SELECT call_id FROM calls WHERE call_id = ?", [ref]).fetchone()
    if row is None:
        raise NotFound(f"không có cuộc gọi hay phiếu nháp {ref!r} (no such call or draft)")
    return row[0]


def _latest_revisions(store: Store, call_id: str) -> dict[int, dict[str, Any]]:
    rows = store.db.query(
        "SELECT idx, text, who, at FROM transcript_revisions WHERE call_id = ? ORDER BY id",
        [call_id],
    )
    return {row["idx"]: row for row in rows}


def show(
    store: Store, ref: str, *, show_pii: bool = False, actor: str | None = None
) -> dict[str, Any]:
    """A call for review: dialogue (with corrections applied), NLU, draft, suggestion."""

    call_id = _call_id(store, ref)
    call = calls.load_call(store, call_id, show_pii=show_pii, actor=actor)
    if call is None:
        raise NotFound(f"no call {ref!r}")
    revisions = _latest_revisions(store, call_id)
    for segment in call["segments"]:
        revision = revisions.get(segment["idx"])
        segment["low_confidence"] = (
            segment.get("confidence") is not None and segment["confidence"] < LOW_CONFIDENCE
        ) or "low_confidence" in segment.get("flags", [])
        if revision and not show_pii:
            segment["original_text"] = segment["text"]
            segment["text"] = revision["text"]
            segment["revised_by"], segment["revised_at"] = revision["who"], revision["at"]
    call["draft"] = (
        drafts.get(store.db, call["draft_report_id"]) if call.get("draft_report_id") else None
    )
    return call


def edit_segment(store: Store, ref: str, idx: int, text: str, *, who: str) -> dict[str, Any]:
    """Store a correction of one segment as a revision (redacted; the original is kept)."""

    call_id = _call_id(store, ref)
    text = " ".join((text or "").split())
    if not text:
        raise StoreError("the corrected text is empty")
    if len(text) > MAX_SEGMENT_TEXT:
        raise StoreError(f"the corrected text is over {MAX_SEGMENT_TEXT} characters")
    exists = store.db.execute(
        "SELECT 1 FROM call_segments WHERE call_id = ? AND idx = ?", [call_id, idx]
    ).fetchone()
    if not exists:
        raise NotFound(f"call {call_id} has no segment {idx}")
    redacted = redact_text(text)
    moment = iso(now())
    with store.transaction() as db:
        db.execute(
            "INSERT INTO transcript_revisions (call_id, idx, text, who, at) VALUES (?, ?, ?, ?, ?)",
            [call_id, idx, redacted, who, moment],
        )
    return {"call_id": call_id, "segment": idx, "text": redacted, "who": who, "at": moment}


def rederive_draft(store: Store, ref: str, *, who: str) -> dict[str, Any]:
    """Rebuild the draft from the corrected caller turns (category, place, description)."""

    call = show(store, ref)
    draft = call.get("draft")
    if draft is None or draft["state"] != "draft":
        raise StoreError("this call has no open draft to re-derive")
    caller = " ".join(s["text"] for s in call["segments"] if s["role"] in ("caller", "unknown"))
    built = drafts.build(caller, [])
    category = built.category if built.category != "other" else draft["category"]
    with store.transaction() as db:
        db.execute(
            "UPDATE draft_reports SET category = ?, location = COALESCE(?, location), "
            "ward = COALESCE(?, ward), description = ?, missing = ?, updated_at = ?, "
            "review_note = ? WHERE draft_id = ?",
            [
                category,
                built.location,
                built.ward,
                built.description or draft["description"],
                json.dumps(built.missing),
                iso(now()),
                f"re-derived by {who}",
                draft["draft_id"],
            ],
        )
    return drafts.get(store.db, draft["draft_id"]) or {}


def _open_draft(store: Store, ref: str) -> tuple[str, dict[str, Any]]:

    call_id = _call_id(store, ref)
    row = store.db.execute(
        "SELECT draft_id FROM draft_reports WHERE call_id = ? ORDER BY id DESC LIMIT 1", [call_id]
    ).fetchone()
    draft = drafts.get(store.db, row[0]) if row else None
    if draft is None:
        raise NotFound(f"call {call_id} has no draft report")
    if draft["state"] != "draft":
        raise StoreError(f"draft {draft['draft_id']} is already {draft['state']}")
    return call_id, draft


def approve(
    store: Store,
    ref: str,
    *,
    who: str,
    category: str | None = None,
    location: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """File the draft as a real report (routing, duplicate check, history), marking the draft
    and the call reviewed in the same transaction."""
    call_id, draft = _open_draft(store, ref)
    code = category or draft["category"]
    if code not in categories.BY_CODE:
        raise StoreError(f"unknown category {code!r}; one of {', '.join(categories.BY_CODE)}")
    address = (location or draft.get("location") or "").strip() or None
    ward = gazetteer.find_in(address) if location else draft.get("ward")
    if not address:
        raise StoreError("the draft has no place: give --location")
    text = (description or draft["description"] or "").strip()
    phone_row = store.db.execute(
        "SELECT caller_number FROM call_contacts WHERE call_id = ?", [call_id]
    ).fetchone()
    existing = store.find_duplicate(service_code=code, address=address, ward=ward)
    notice = f"possible duplicate of {existing['service_request_id']}" if existing else None
    moment = iso(now())

    def mark(db: Any, report_code: str) -> None:
        filed = db.execute(
            "UPDATE draft_reports SET state = 'filed', report_id = ?, reviewed_by = ?, "
            "reviewed_at = ?, updated_at = ? WHERE draft_id = ? AND state = 'draft'",
            [report_code, who, moment, moment, draft["draft_id"]],
        )
        if filed.rowcount != 1:  # another supervisor approved it meanwhile: this report
            raise StoreError(  # rolls back with the transaction, one draft files one report
                f"draft {draft['draft_id']} was filed or rejected meanwhile; see review show"
            )
        db.execute(
            "UPDATE calls SET status = 'reviewed', reviewed_by = ?, reviewed_at = ? "
            "WHERE call_id = ?",
            [who, moment, call_id],
        )

    report = store.file_report(
        service_code=code,
        description=text,
        channel="hotline",
        address=address,
        ward=ward,
        phone=phone_row[0] if phone_row else None,
        actor=who,
        emergency=draft.get("emergency"),
        note=f"filed from hotline call {call_id} ({draft['draft_id']})"
        + (f"; {notice}" if notice else ""),
        on_filed=mark,
    )
    report["service_notice"] = notice
    return report


def reject(store: Store, ref: str, *, who: str, reason: str) -> dict[str, Any]:
    """Reject the draft (the call was not a report, or not one for the city), with the reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise StoreError("a reason is needed (--reason)")
    call_id = _call_id(store, ref)
    has_draft = store.db.execute(
        "SELECT 1 FROM draft_reports WHERE call_id = ?", [call_id]
    ).fetchone()
    moment = iso(now())
    if not has_draft:  # a question or a wrong number: the call is reviewed, nothing to file
        with store.transaction() as db:
            cursor = db.execute(
                "UPDATE calls SET status = 'reviewed', reviewed_by = ?, reviewed_at = ?, "
                "review_note = ? WHERE call_id = ? AND status = 'pending'",
                [who, moment, reason[:1000], call_id],
            )
        if cursor.rowcount == 0:
            raise StoreError(f"call {call_id} is not waiting for review")
        return {"call_id": call_id, "draft_id": None, "state": "reviewed"}
    call_id, draft = _open_draft(store, ref)
    with store.transaction() as db:
        db.execute(
            "UPDATE draft_reports SET state = 'rejected', review_note = ?, reviewed_by = ?, "
            "reviewed_at = ?, updated_at = ? WHERE draft_id = ?",
            [reason[:1000], who, moment, moment, draft["draft_id"]],
        )
        db.execute(
            "UPDATE calls SET status = 'reviewed', reviewed_by = ?, reviewed_at = ?, "
            "review_note = ? WHERE call_id = ?",
            [who, moment, reason[:1000], call_id],
        )
    return {"call_id": call_id, "draft_id": draft["draft_id"], "state": "rejected"}
