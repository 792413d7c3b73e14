"""Reports: filing, lookup, the lifecycle with its history, subscriptions and ratings.

Every change writes its ``report_history`` row and queues the citizen's notification in the
same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from bot.base.clock import iso, now
from bot.base.codes import CHANNELS, CODE_RE, NOTIFIABLE, channel_of
from bot.base.text import sanitize
from bot.domain import categories, duplicates, gazetteer, lifecycle, notifications, routing
from bot.domain.emergency import KINDS as EMERGENCY_KINDS
from bot.domain.public import coarse_address, public_note
from bot.domain.redact import redact_text
from bot.storage import outbox
from bot.storage.connection import Connection
from bot.storage.errors import NotAllowed, NotFound, StoreError

MAX_DESCRIPTION = 4000


def _plain(value: str | None, what: str, limit: int) -> str | None:
    """Text as stored: control characters, lone surrogates and non-characters removed
    (``bot.base.text.sanitize``), length checked (HTML is kept as text and escaped wherever
    it is shown)."""
    if value is None:
        return None
    value = sanitize(value).strip()
    if len(value) > limit:
        raise StoreError(f"{what} over {limit} characters")
    return value


def _imported(report: dict[str, Any]) -> dict[str, Any]:
    """One imported report checked like a new one, with its derived columns filled in."""
    match = CODE_RE.match(str(report.get("service_request_id") or ""))
    if not match:
        raise StoreError(f"bad code {report.get('service_request_id')!r}")
    row = dict(report)
    row.pop("history", None)
    row["description"], row["address"] = _check_report(
        row["service_code"],
        row.get("description") or "",
        row.get("address"),
        row.get("ward"),
        row.get("lat"),
        row.get("long"),
    )
    row["public_description"] = redact_text(row["description"])
    row["public_address"] = coarse_address(row["address"])
    state = row.get("state") or "received"
    if state not in lifecycle.STATES:
        raise StoreError(f"unknown state {state!r}")
    if row.get("channel") not in CHANNELS:
        raise StoreError(f"unknown channel {row.get('channel')!r}")
    row.update(
        year=int(match.group(1)),
        seq=int(match.group(2)),
        state=state,
        status=lifecycle.status_of(state),
        service_name=row.get("service_name") or categories.name(row["service_code"]),
        address_key=duplicates.address_key(row.get("address"), row.get("ward")),
        updated_datetime=row.get("updated_datetime") or row["requested_datetime"],
    )
    if row["status"] == "closed":
        row["closed_datetime"] = row.get("closed_datetime") or row["updated_datetime"]
        filed = datetime.fromisoformat(row["requested_datetime"])
        closed = datetime.fromisoformat(row["closed_datetime"])
        row["hours_to_close"] = round((closed - filed).total_seconds() / 3600, 3)
    return row


def _check_report(
    service_code: str,
    description: str,
    address: str | None,
    ward: str | None,
    lat: float | None,
    long: float | None,
) -> tuple[str, str | None]:
    """Validate a new report's fields; returns the cleaned description and address."""
    if service_code not in categories.BY_CODE:
        raise StoreError(f"unknown category {service_code!r}")
    description = _plain(description or "", "description", MAX_DESCRIPTION) or ""
    if not description:
        raise StoreError("a report needs a description")
    address = _plain(address, "address", 500) or None
    if (lat is None) != (long is None):
        raise StoreError("give both lat and long, or neither")
    if lat is not None and not -90 <= lat <= 90:
        raise StoreError("lat must be between -90 and 90")
    if long is not None and not -180 <= long <= 180:
        raise StoreError("long must be between -180 and 180")
    if not (address or lat is not None):
        raise StoreError("a report needs an address or coordinates")
    return description, address


class Reports(Connection):
    """The report methods of ``Store``."""

    def file_report(
        self,
        *,
        service_code: str,
        description: str,
        channel: str,
        sender_id: str | None = None,
        address: str | None = None,
        ward: str | None = None,
        lat: float | None = None,
        long: float | None = None,
        media_url: str | None = None,
        phone: str | None = None,
        language: str | None = None,
        actor: str = "citizen",
        note: str | None = None,
        emergency: str | None = None,
        on_filed: Callable[[sqlite_utils.Database, str], None] | None = None,
    ) -> dict[str, Any]:
        """File a new report: a fresh ``PA-YYYY-NNNNNN`` code, routed to its department, with
        its first history row, all in one transaction (``on_filed(db, code)`` runs inside it,
        e.g. to mark the hotline draft it came from as filed).

        ``emergency`` (a kind from ``bot.domain.emergency``) makes it urgent: routed to the city's
        operations centre and listed before every other report."""
        description, address = _check_report(service_code, description, address, ward, lat, long)
        if channel not in CHANNELS:
            raise StoreError(f"unknown channel {channel!r}")
        if emergency is not None and emergency not in EMERGENCY_KINDS:
            raise StoreError(f"unknown emergency kind {emergency!r}")
        ward = gazetteer.lookup(ward) if ward else gazetteer.find_in(address)
        moment = now()
        route = routing.load().route(service_code, ward, urgent=emergency is not None)
        reporter = self.reporter_for(sender_id) if sender_id else None
        with self.transaction() as db:
            seq = db.execute(
                "INSERT INTO report_sequence (year, last) VALUES (?, 1) "
                "ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
                [moment.year],
            ).fetchone()[0]
            code = f"PA-{moment.year}-{seq:06d}"
            db["reports"].insert(
                {
                    "service_request_id": code,
                    "year": moment.year,
                    "seq": seq,
                    "service_code": service_code,
                    "service_name": categories.name(service_code),
                    "description": description,
                    "public_description": redact_text(description),
                    "address": address,
                    "public_address": coarse_address(address),
                    "address_key": duplicates.address_key(address, ward),
                    "ward": ward,
                    "lat": lat,
                    "long": long,
                    "media_url": media_url,
                    "status": "open",
                    "state": "received",
                    "agency_responsible": route.agency,
                    "channel": channel,
                    "reporter": reporter,
                    "requested_datetime": iso(moment),
                    "updated_datetime": iso(moment),
                    "expected_datetime": iso(route.expected(moment)),
                    "emergency": emergency,
                }
            )
            if phone or sender_id:
                db["report_contacts"].insert(
                    {
                        "service_request_id": code,
                        "phone": phone,
                        "sender_id": sender_id,
                        "language": language,
                    }
                )
            filed = f"filed via {channel}" + (f" (urgent: {emergency})" if emergency else "")
            self._history(db, code, actor, None, "received", note or filed)
            if on_filed is not None:
                on_filed(db, code)
        report = self.get_report(code)
        assert report is not None
        return report

    def import_reports(self, reports: Iterable[dict[str, Any]], actor: str = "import") -> int:
        """Bulk-load reports from another system (e.g. Hue-S's history) in one transaction.

        Each dict has the report's columns, ``service_request_id`` in ``PA-YYYY-NNNNNN`` form
        and optionally ``history`` (rows of at, actor, old_state, new_state, note); without
        it one "imported" row is written. Sequences move past the imported codes, so new
        codes are never reused. Any invalid row rolls the whole import back.
        """
        columns = (
            "service_request_id", "year", "seq", "service_code", "service_name", "description",
            "address", "address_key", "ward", "lat", "long", "media_url", "status", "state",
            "status_notes", "agency_responsible", "channel", "reporter", "duplicate_of",
            "rating", "rating_comment", "requested_datetime", "updated_datetime",
            "expected_datetime", "closed_datetime", "hours_to_close", "emergency",
            "public_description", "public_address",
        )  # fmt: skip
        insert_report = (
            f"INSERT INTO reports ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        )
        insert_history = (
            "INSERT INTO report_history (service_request_id, at, actor, old_state, new_state,"
            " note) VALUES (?, ?, ?, ?, ?, ?)"
        )
        count = 0
        last: dict[int, int] = {}
        with self.transaction() as db:
            report_rows: list[tuple] = []
            history_rows: list[tuple] = []
            for report in reports:
                row = _imported(report)
                last[row["year"]] = max(last.get(row["year"], 0), row["seq"])
                report_rows.append(tuple(row.get(c) for c in columns))
                history = report.get("history") or [
                    {"at": row["requested_datetime"], "actor": actor, "new_state": row["state"],
                     "note": "imported"}
                ]  # fmt: skip
                for h in history:
                    history_rows.append(
                        (row["service_request_id"], h["at"], h.get("actor") or actor,
                         h.get("old_state"), h.get("new_state"), h.get("note"))
                    )  # fmt: skip
                count += 1
                if len(report_rows) >= 5000:
                    db.conn.executemany(insert_report, report_rows)
                    db.conn.executemany(insert_history, history_rows)
                    report_rows, history_rows = [], []
            db.conn.executemany(insert_report, report_rows)
            db.conn.executemany(insert_history, history_rows)
            for year, seq in last.items():
                db.execute(
                    "INSERT INTO report_sequence (year, last) VALUES (?, ?) ON CONFLICT (year) "
                    "DO UPDATE SET last = max(last, excluded.last)",
                    [year, seq],
                )
        return count

    def get_report(self, code: str) -> dict[str, Any] | None:
        """A report with its history, or None for an unknown code."""
        code = (code or "").strip().upper()
        rows = list(self.db.query("SELECT * FROM reports WHERE service_request_id = ?", [code]))
        if not rows:
            return None
        report = rows[0]
        report.pop("address_key", None)
        report["history"] = list(
            self.db.query(
                "SELECT at, actor, old_state, new_state, note FROM report_history "
                "WHERE service_request_id = ? ORDER BY id",
                [code],
            )
        )
        return report

    def _require(self, code: str) -> dict[str, Any]:
        report = self.get_report(code)
        if report is None:
            raise NotFound(f"unknown report {code!r}")
        return report

    def phone_of(self, code: str) -> str | None:
        """The reporter's phone number: personal data, only for who needs to call back."""
        row = self.db.execute(
            "SELECT phone FROM report_contacts WHERE service_request_id = ?", [code]
        ).fetchone()
        return row[0] if row else None

    def undelivered_notifications(self, code: str) -> list[dict[str, Any]]:
        """Status notifications of a report that did not reach a citizen, for operators:
        why (``reason``: window, blocked, banned, …), to whom (the reporter, whose phone may
        be on file so a person can call, or a follower) and when it was queued."""
        rows = self.db.execute(
            "SELECT o.created_at, o.channel, o.reason, o.last_error, o.sender_id = c.sender_id,"
            " c.phone IS NOT NULL AND c.phone != '' FROM outbox o"
            " LEFT JOIN report_contacts c ON c.service_request_id = o.service_request_id"
            " WHERE o.service_request_id = ? AND o.kind = 'notification'"
            " AND o.state IN ('undeliverable', 'failed') ORDER BY o.id",
            [code],
        ).fetchall()
        return [
            {
                "queued_at": at,
                "channel": channel,
                "reason": reason or "failed",
                "error": error,
                "to": "reporter" if mine else "follower",
                "phone_on_file": bool(mine and phone),
            }
            for at, channel, reason, error, mine, phone in rows
        ]

    def latest_report_of(self, sender_id: str) -> dict[str, Any] | None:
        """The citizen's most recent report (by pseudonym), or None."""
        rows = list(
            self.db.query(
                "SELECT service_request_id FROM reports WHERE reporter = ? "
                "ORDER BY requested_datetime DESC, seq DESC LIMIT 1",
                [self.reporter_for(sender_id)],
            )
        )
        return self.get_report(rows[0]["service_request_id"]) if rows else None

    def find_duplicate(
        self,
        *,
        service_code: str,
        address: str | None = None,
        ward: str | None = None,
        lat: float | None = None,
        long: float | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any] | None:
        """The nearest open report of the same category from the last 7 days at the same
        place (within 250 m, or same ward and a similar address), or None."""
        since = iso((at or now()) - timedelta(days=duplicates.WINDOW_DAYS))
        ward = gazetteer.lookup(ward) if ward else gazetteer.find_in(address)
        key = duplicates.address_key(address, ward)
        rows = self.db.execute(
            "SELECT service_request_id, lat, long, ward, address_key FROM reports "
            "WHERE service_code = ? AND requested_datetime >= ? AND status = 'open' "
            "ORDER BY requested_datetime DESC",
            [service_code, since],
        ).fetchall()
        best: tuple[float, str] | None = None
        for code, rlat, rlong, rward, rkey in rows:
            if None not in (lat, long, rlat, rlong):
                metres = duplicates.distance_m(lat, long, rlat, rlong)  # type: ignore[arg-type]
                if metres <= duplicates.RADIUS_M and (best is None or metres < best[0]):
                    best = (metres, code)
            elif best is None and ward and rward == ward and duplicates.similar(key, rkey or ""):
                best = (duplicates.RADIUS_M, code)
        return self.get_report(best[1]) if best else None

    def subscribe(self, code: str, sender_id: str, language: str | None = None) -> bool:
        """Follow a report (instead of filing a duplicate); False if already following."""
        report = self._require(code)
        moment = iso(now())
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO report_subscriptions VALUES (?, ?, ?, ?)",
                [report["service_request_id"], sender_id, language, moment],
            )
            if cursor.rowcount == 0:
                return False
            self._history(
                db,
                report["service_request_id"],
                "citizen",
                report["state"],
                report["state"],
                f"a citizen follows this report (via {channel_of(sender_id)})",
            )
        return True

    def set_state(
        self,
        code: str,
        new_state: str,
        *,
        actor: str,
        note: str | None = None,
        duplicate_of: str | None = None,
        agency: str | None = None,
        internal_note: str | None = None,
    ) -> dict[str, Any]:
        """Move a report along its lifecycle (only allowed moves), with a history row and a
        notification to the reporter and followers, in one transaction.

        ``note`` is for the public: sent to the citizen and published (as the redactor
        leaves it); ``internal_note`` stays in the history, for staff."""
        report = self._require(code)
        code = report["service_request_id"]
        old = report["state"]
        if new_state == old and new_state == "assigned" and agency:
            pass  # re-assignment to another department
        else:
            try:
                lifecycle.check(old, new_state)
            except lifecycle.TransitionError as error:
                raise StoreError(str(error)) from None
        if new_state == "duplicate":
            original = self.get_report(duplicate_of or "")
            if original is None or original["service_request_id"] == code:
                raise StoreError("a duplicate needs --duplicate-of with another report's code")
            duplicate_of = original["service_request_id"]
        note = public_note(_plain(note, "note", 2000))
        internal_note = _plain(internal_note, "internal note", 2000)
        moment = iso(now())
        changes: dict[str, Any] = {
            "state": new_state,
            "status": lifecycle.status_of(new_state),
            "updated_datetime": moment,
            "status_notes": note if note is not None else report["status_notes"],
        }
        if duplicate_of:
            changes["duplicate_of"] = duplicate_of
        if agency:
            changes["agency_responsible"] = agency
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE reports SET state = ?, status = ?, updated_datetime = ?, "
                "status_notes = ?, duplicate_of = COALESCE(?, duplicate_of), "
                "agency_responsible = COALESCE(?, agency_responsible), closed_datetime = ?, "
                "hours_to_close = (julianday(?) - julianday(requested_datetime)) * 24 "
                "WHERE service_request_id = ? AND state = ?",
                [
                    changes["state"],
                    changes["status"],
                    moment,
                    changes["status_notes"],
                    duplicate_of,
                    agency,
                    moment if changes["status"] == "closed" else None,
                    moment if changes["status"] == "closed" else None,
                    code,
                    old,
                ],
            )
            if cursor.rowcount != 1:
                raise StoreError(f"{code} changed meanwhile; look again and retry")
            history_note = "; ".join(
                part
                for part in (
                    internal_note,
                    f"public note: {note}" if note and internal_note else note,
                    f"assigned to {agency}" if agency and not (note or internal_note) else None,
                )
                if part
            )
            self._history(db, code, actor, old, new_state, history_note)
            self._notify(db, {**report, **changes}, moment)
        return self._require(code)

    def assign(
        self,
        code: str,
        agency: str,
        *,
        actor: str,
        note: str | None = None,
        internal_note: str | None = None,
    ) -> dict:
        """Give a report to a department (state ``assigned``), notifying the citizen."""
        agency = _plain(agency, "agency", 200) or ""
        if not agency.strip():
            raise StoreError("an agency name is needed")
        return self.set_state(
            code,
            "assigned",
            actor=actor,
            note=note,
            agency=agency.strip(),
            internal_note=internal_note,
        )

    def _notify(self, db: sqlite_utils.Database, report: dict[str, Any], at: str) -> None:
        """Queue the status change for the reporter and every follower (the outbox)."""
        code = report["service_request_id"]
        rows = db.execute(
            "SELECT sender_id, language, 0 FROM report_contacts "
            "WHERE service_request_id = ? AND sender_id IS NOT NULL "
            "UNION ALL SELECT sender_id, language, 1 FROM report_subscriptions "
            "WHERE service_request_id = ? ORDER BY 3, 1",
            [code, code],
        ).fetchall()
        told: set[str] = set()
        for sender_id, language, _ in rows:
            if sender_id not in told and channel_of(sender_id) in NOTIFIABLE:
                told.add(sender_id)
                outbox.enqueue(
                    db,
                    sender_id,
                    notifications.status_change(report, language),
                    kind="notification",
                    at=at,
                    service_request_id=code,
                )

    def _history(
        self,
        db: sqlite_utils.Database,
        code: str,
        actor: str,
        old: str | None,
        new: str | None,
        note: str | None,
    ) -> None:
        db["report_history"].insert(
            {
                "service_request_id": code,
                "at": iso(now()),
                "actor": actor,
                "old_state": old,
                "new_state": new,
                "note": note,
            }
        )

    def follows(self, code: str, sender_id: str) -> bool:
        """Whether ``sender_id`` filed the report (its pseudonym) or follows it."""
        row = self.db.execute(
            "SELECT 1 FROM reports WHERE service_request_id = ? AND reporter = ? "
            "UNION ALL SELECT 1 FROM report_subscriptions "
            "WHERE service_request_id = ? AND sender_id = ? LIMIT 1",
            [code, self.reporter_for(sender_id), code, sender_id],
        ).fetchone()
        return row is not None

    def may_rate(self, report: dict[str, Any], sender_id: str) -> NotAllowed | None:
        """None when ``sender_id`` may rate (or re-rate) the report, else why not.

        Only the reporter or a follower of a closed report rates it, once: whoever gave
        its rating may change it, nobody else may replace it."""
        code = report["service_request_id"]
        if not self.follows(code, sender_id):
            return NotAllowed("not_yours", f"{code} was not filed or followed by this citizen")
        if report.get("status") != "closed":
            return NotAllowed("not_closed", f"{code} is not closed yet")
        rated_by = report.get("rated_by")
        if rated_by and rated_by != self.reporter_for(sender_id):
            return NotAllowed("rated", f"{code} was already rated by another follower")
        return None

    def rate_report(
        self,
        code: str,
        rating: int,
        comment: str | None,
        *,
        sender_id: str,
        actor: str = "citizen",
    ) -> None:
        """Store a 1–5 satisfaction rating and comment from ``sender_id``, with a history row.

        Refused (``NotAllowed``) unless :meth:`may_rate` allows it: a stranger with a
        report's code cannot rate it, nor rate an open one."""
        if not 1 <= rating <= 5:
            raise StoreError("rating must be between 1 and 5")
        report = self._require(code)
        refused = self.may_rate(report, sender_id)
        if refused is not None:
            raise refused
        comment = _plain(comment, "comment", 1000)
        moment = iso(now())
        before = report.get("rating")
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE reports SET rating = ?, rating_comment = ?, rated_by = ?, "
                "updated_datetime = ? WHERE service_request_id = ? "
                "AND (rated_by IS NULL OR rated_by = ?)",
                [
                    rating,
                    comment,
                    self.reporter_for(sender_id),
                    moment,
                    report["service_request_id"],
                    self.reporter_for(sender_id),
                ],
            )
            if cursor.rowcount != 1:
                raise NotAllowed("rated", f"{code} was already rated by another follower")
            note = f"rated {rating}/5" if before is None else f"rating {before}/5 → {rating}/5"
            self._history(
                db,
                report["service_request_id"],
                actor,
                report["state"],
                report["state"],
                note,
            )
