"""Draft field reports made from hotline calls, waiting for a supervisor's review.

A draft is not a report: it has no ``PA-…`` code and no citizen sees it. Review (issue 7)
completes what is ``missing`` and files it with ``Store.file_report``, or rejects it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from bot.base.clock import iso, now
from bot.domain import categories, gazetteer
from bot.domain.emergency import Alert
from bot.services import category_meaning
from bot.storage.store import MAX_DESCRIPTION


@dataclass(frozen=True)
class Draft:
    category: str
    description: str  # the caller's words, redacted
    location: str | None = None
    ward: str | None = None
    missing: list[str] = field(default_factory=list)
    emergency: str | None = None  # the kind of danger the caller described, if any


def _entity(entities: list[dict[str, Any]], name: str) -> str | None:
    """The entity's value; for places, the longest one found ("Lê Lợi" over "đường")."""
    values = [str(e["value"]) for e in entities if e.get("entity") == name and e.get("value")]
    if not values:
        return None
    return max(values, key=len) if name == "location" else values[0]


def build(caller_text: str, entities: list[dict[str, Any]], alert: Alert | None = None) -> Draft:
    """A draft from the caller's redacted words and the NLU's entities.

    The category is the NLU's, else the emergency's (``alert``), else a phrase in the words
    ("đèn đường" → streetlight), else what the words mean when the classifier is confident
    (``category_meaning``; off with ``EMBEDDING_MODEL=none``), else ``other``; the ward is
    checked against Huế's 40 wards and communes. An urgent draft carries the kind of danger.
    """
    category = _entity(entities, "category")
    if category not in categories.BY_CODE:
        category = alert.category if alert else categories.match(caller_text)
        if category is None and caller_text.strip():
            category = category_meaning.guess(caller_text)
    ward = gazetteer.lookup(_entity(entities, "ward")) or gazetteer.find_in(caller_text)
    location = _entity(entities, "location")
    missing = []
    if category is None:
        missing.append("category")
    if not location and not ward:
        missing.append("location")
    if location is None and ward is not None:
        location = f"{gazetteer.kind(ward)} {ward}"
    description = " ".join(caller_text.split())[:MAX_DESCRIPTION]
    emergency = alert.kind if alert else None
    return Draft(category or "other", description, location, ward, missing, emergency)


def insert(db: sqlite_utils.Database, call_id: str, draft: Draft) -> str:
    """Store the draft (inside the caller's transaction); its id, ``D-<n>``."""
    moment = iso(now())
    cursor = db.execute(
        "INSERT INTO draft_reports (call_id, state, channel, category, location, ward, "
        "description, missing, emergency, created_at, updated_at) "
        "VALUES (?, 'draft', 'hotline', ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            call_id,
            draft.category,
            draft.location,
            draft.ward,
            draft.description,
            json.dumps(draft.missing),
            draft.emergency,
            moment,
            moment,
        ],
    )
    draft_id = f"D-{cursor.lastrowid}"
    db.execute("UPDATE draft_reports SET draft_id = ? WHERE id = ?", [draft_id, cursor.lastrowid])
    return draft_id


def get(db: sqlite_utils.Database, draft_id: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM draft_reports WHERE draft_id = ?", [draft_id.upper()]))
    if not rows:
        return None
    row = rows[0]
    row["missing"] = json.loads(row["missing"] or "[]")
    return row
