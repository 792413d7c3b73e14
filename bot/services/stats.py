"""The numbers the city publishes, over a period: share processed, satisfaction, volumes.

- processed share ("tỷ lệ xử lý"): closed reports out of all filed in the period;
- satisfaction ("mức độ hài lòng"): ratings of 4 or 5 out of all rated;
- median time to resolve: filing to the ``resolved`` state, in hours;
- volumes by category, ward and channel; overdue count now; calls and their confidence;
- Zalo messages sent in the period and what they cost: billable (48 hours to 7 days after
  the citizen last wrote), template messages, and notifications nobody could send.

One grouped scan of the reports does the counting, so the answer stays fast at 183,000.
"""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from bot.base.clock import iso, now
from bot.domain import lifecycle
from bot.storage import outbox
from bot.storage.report_query import period
from bot.storage.store import Store


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median_hours(store: Store, clause: str, params: list[str]) -> float | None:
    """Median filing-to-resolved time: counted on one index, read at the middle of another
    that is ordered by duration (no sort of 170,000 values)."""
    resolved = "state = 'resolved' AND hours_to_close IS NOT NULL"
    n = store.db.execute(
        f"SELECT count(*) FROM reports INDEXED BY reports_resolved WHERE {clause} AND {resolved}",
        params,
    ).fetchone()[0]
    if n == 0:
        return None
    middle = [
        row[0]
        for row in store.db.execute(
            f"SELECT hours_to_close FROM reports INDEXED BY reports_hours "
            f"WHERE {clause} AND {resolved} ORDER BY hours_to_close LIMIT ? OFFSET ?",
            [*params, 2 - n % 2, (n - 1) // 2],
        )
    ]
    return round(statistics.fmean(middle), 1)


def compute(store: Store, since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Statistics for reports filed (and calls received) in [since, until)."""
    at = iso(now())
    clause, params = period("requested_datetime", since, until)

    def grouped(column: str) -> dict[str, int]:
        rows = store.db.execute(
            f"SELECT {column}, count(*) FROM reports WHERE {clause} GROUP BY 1 ORDER BY 2 DESC",
            params,
        )
        return {(key if key is not None else "(không rõ)"): n for key, n in rows}

    by_state = grouped("state")
    total = sum(by_state.values())
    closed = sum(n for state, n in by_state.items() if state in lifecycle.CLOSED_STATES)
    rated, satisfied = store.db.execute(
        f"SELECT count(*), coalesce(sum(rating >= 4), 0) FROM reports "
        f"WHERE {clause} AND rating IS NOT NULL",
        params,
    ).fetchone()
    median = _median_hours(store, clause, params)
    overdue = store.db.execute(
        "SELECT count(*) FROM reports WHERE status = 'open' AND expected_datetime < ?", [at]
    ).fetchone()[0]
    urgent = dict(
        store.db.execute(
            f"SELECT emergency, count(*) FROM reports WHERE {clause} AND emergency IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC",
            params,
        ).fetchall()
    )
    urgent_open = store.db.execute(
        "SELECT count(*) FROM reports WHERE emergency IS NOT NULL AND status = 'open'"
    ).fetchone()[0]
    return {
        "since": since,
        "until": until,
        "reports": total,
        "closed": closed,
        "processed_share": _share(closed, total),
        "rated": rated,
        "satisfaction_share": _share(satisfied, rated),
        "median_hours_to_resolve": median,
        "overdue_now": overdue,
        "urgent": {"reports": sum(urgent.values()), "open_now": urgent_open, "by_kind": urgent},
        "by_state": by_state,
        "by_category": grouped("service_code"),
        "by_ward": grouped("ward"),
        "by_channel": grouped("channel"),
        "calls": _calls(store, since, until),
        "handovers": _handovers(store, since, until),
        "zalo": outbox.costs(store.db, "zalo", since, until),
    }


def _handovers(store: Store, since: str | None, until: str | None) -> dict[str, Any]:
    """Conversations handed to a person in the period: how many, how fast a person first
    answered (median minutes), how many nobody claimed in time ("abandoned": given back by
    the timeout), how they ended, and replies per operator."""
    clause, params = period("requested_at", since, until)
    rows = store.db.execute(
        f"SELECT state, release_reason, claimed_at IS NOT NULL, requested_at, first_reply_at"
        f" FROM handovers WHERE {clause}",
        params,
    ).fetchall()
    waits = sorted(
        (datetime.fromisoformat(reply) - datetime.fromisoformat(asked)).total_seconds() / 60
        for _, _, _, asked, reply in rows
        if reply
    )
    ended: dict[str, int] = {}
    for state, reason, _, _, _ in rows:
        key = "closed" if state == "closed" else (reason or state)
        ended[key] = ended.get(key, 0) + 1
    reply_clause, reply_params = period("at", since, until)
    replies = dict(
        store.db.execute(
            "SELECT operator, count(*) FROM conversation_messages"
            f" WHERE author = 'operator' AND {reply_clause}"
            " GROUP BY 1 ORDER BY 2 DESC, 1",
            reply_params,
        ).fetchall()
    )
    return {
        "requested": len(rows),
        "claimed": sum(1 for row in rows if row[2]),
        "median_minutes_to_first_reply": round(statistics.median(waits), 1) if waits else None,
        "abandoned": ended.get("timeout", 0),
        "outcomes": ended,
        "replies_by_operator": replies,
    }


def _calls(store: Store, since: str | None, until: str | None) -> dict[str, Any]:
    clause, params = period("received_at", since, until)
    count, mean, pending, urgent = store.db.execute(
        "SELECT count(*), avg(confidence), sum(status = 'pending'), "
        f"sum(emergency IS NOT NULL) FROM calls WHERE {clause} AND status != 'failed'",
        params,
    ).fetchone()
    return {
        "transcribed": count,
        "mean_confidence": round(mean, 4) if mean is not None else None,
        "waiting_for_review": pending or 0,
        "urgent": urgent or 0,
    }
