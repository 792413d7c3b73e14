"""What operators do with a conversation handed to a person: the one library under the web desk
(``bot/gateway/desk.py``) and ``hue-assist handover`` (``bot/cli/handover.py``).

Every change reads the case, checks the rules (``bot.domain.handover.check``) and writes,
with its audit row, in one transaction. Giving a conversation back to the assistant also
un-pauses it in Rasa (``resume``), before anything is written: if Rasa cannot be told,
nothing changes and the operator is told so.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlite_utils

from bot.base import settings as settings_mod
from bot.base.clock import iso, now, stamp
from bot.base.codes import channel_of, who
from bot.base.text import sanitize
from bot.base.texts import text as citizen_text
from bot.domain import categories, desk_config, handover, lifecycle, public
from bot.domain.handover import Refused
from bot.domain.redact import redact_text
from bot.services.rasa_client import RasaClient
from bot.storage import audit, conversations, handovers, outbox, users
from bot.storage.errors import NotFound, StoreError
from bot.storage.store import Store

log = logging.getLogger("hue_assist.services.desk")

MAX_REPLY = 2000  # one Zalo message; Telegram's limit is 4,096
Resume = Callable[[str], None]  # un-pauses a citizen's conversation in Rasa

__all__ = ["Actor", "NotFound", "Refused", "StoreError"]


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in account (``via="web"``) or the CLI's ``--as`` (``via="cli"``)."""

    name: str
    role: str
    via: str


def cli_actor(store: Store, name: str) -> Actor:
    """The terminal's actor: an account's role when the name is one, else a supervisor's (the
    terminal is the supervisors' tool; whoever runs it can read the database anyway, so the
    rules there keep people from answering at once, they are not a lock)."""
    user = users.get(store.db, name)
    role = user.role if user is not None and user.active else "supervisor"
    return Actor(name, role, "cli")


def rasa_resume(settings: settings_mod.Settings | None = None) -> Resume:
    """Un-pause through the Rasa that holds the conversation (a ``restart`` event: the
    messages written to the operator are not replayed to the assistant as open turns)."""
    settings = settings or settings_mod.load()

    def resume(sender_id: str) -> None:
        with RasaClient(
            settings.rasa_for(sender_id), token=settings.rasa_token, timeout=10.0
        ) as client:
            client.restart(sender_id)

    return resume


def _audit(db: sqlite_utils.Database, actor: Actor, action: str, case: handovers.Handover) -> None:
    audit.record(
        db,
        actor=actor.name,
        action=action,
        subject=f"handover:{case.id}",
        detail={"via": actor.via, "channel": case.channel},
    )


def _case(
    db: sqlite_utils.Database, sender_id: str, *, open_only: bool = True
) -> handovers.Handover:
    """The citizen's open case (``open_only``) or latest one: ``NotFound`` when they never
    had one, ``Refused("not_open")`` when theirs has ended (the desk says it moved on)."""
    case = handovers.open_for(db, sender_id) if open_only else None
    if case is None:
        case = handovers.latest_for(db, sender_id)
        if case is None:
            raise NotFound(f"{sender_id}: no conversation handed to an operator")
        if open_only:
            raise Refused("not_open", "this conversation is no longer handed over")
    return case


def _log(event: str, actor: Actor, case: handovers.Handover) -> None:
    log.info(
        "desk %s",
        event,
        extra={"event": event, "operator": actor.name, "via": actor.via, "id": case.id,
               "who": who(case.sender_id), "channel": case.channel},
    )  # fmt: skip


# -- reading --------------------------------------------------------------------------------


def _shown(value: str | None, raw: bool) -> str | None:
    """Redacted unless ``raw``, line by line: an operator's paragraphs stay paragraphs."""
    if raw or value is None:
        return value
    return "\n".join(redact_text(line) for line in value.split("\n"))


@lru_cache(maxsize=4096)
def _queue_line(kind_text: str) -> dict[str, Any]:
    """A queue entry's first or last message (``json_array(kind, text)`` from SQL), redacted.
    Kept: a queue rebuilt after one change shows the other 499 conversations' lines again."""
    kind, body = json.loads(kind_text)
    return {"kind": kind, "text": _shown(body, False)}


def _message(kind_text: str | None) -> dict[str, Any] | None:
    return dict(_queue_line(kind_text)) if kind_text else None


def queue(store: Store) -> dict[str, Any]:
    """Open conversations for the desk, redacted, with a version that changes with them."""
    version = handovers.queue_version(store.db)
    items = handovers.queue(store.db)
    for item in items:
        item["first"] = _message(item["first"])
        item["last"] = _message(item["last"])
        item.pop("language", None)
    return {"version": version, "items": items}


def _reports(store: Store, sender_id: str, raw: bool) -> list[dict[str, Any]]:
    rows = store.db.execute(
        "SELECT service_request_id, service_code, service_name, state, status, emergency,"
        " address, ward, requested_datetime, expected_datetime FROM reports WHERE reporter = ?"
        " ORDER BY requested_datetime DESC LIMIT 20",
        [store.reporter_for(sender_id)],
    ).fetchall()
    names = (
        "service_request_id", "service_code", "service_name", "state", "status", "emergency",
        "address", "ward", "requested_datetime", "expected_datetime",
    )  # fmt: skip
    out = [dict(zip(names, row, strict=True)) for row in rows]
    for report in out:
        report["address"] = _shown(report["address"], raw)
        report["state_name"] = lifecycle.name(report["state"])
    return out


def _with_reports(
    messages: list[dict[str, Any]], reports: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The transcript with each report the citizen filed in its place, as one story."""
    if not messages:
        return messages
    first = messages[0]["at"][:19]  # to the second: reports are stamped to the second
    events = [
        {
            "id": f"report:{r['service_request_id']}",
            "direction": "event",
            "author": "system",
            "kind": "report",
            "text": " · ".join(
                str(v)
                for v in (r["service_request_id"], r["service_name"], r["address"], r["state_name"])
                if v
            ),
            "at": r["requested_datetime"],
            "report": r["service_request_id"],
        }
        for r in reports
        if r["requested_datetime"][:19] >= first  # within the transcript shown
    ]
    return sorted(messages + events, key=lambda m: m["at"])


def watch(store: Store, sender_id: str, actor: Actor) -> str:
    """May ``actor`` follow this conversation live? Its version, or a refusal."""
    case = _case(store.db, sender_id, open_only=False)
    handover.check("view", case.case, actor=actor.name, role=actor.role)
    return conversation_version(store, sender_id)


def conversation_version(store: Store, sender_id: str) -> str:
    case = handovers.latest_for(store.db, sender_id)
    state = f"{case.id}.{case.updated_at}" if case else "-"
    return f"{conversations.version(store.db, sender_id)}.{state}"


def view(
    store: Store,
    sender_id: str,
    actor: Actor,
    *,
    raw: bool = False,
    since_version: str | None = None,
) -> dict[str, Any]:
    """The whole transcript (redacted unless ``raw``), the citizen's reports with their state
    and the case. Opening a conversation is audited, a raw view every time; a desk's refresh
    of a conversation it shows (``since_version``) is not, and when nothing moved since that
    version the answer is only ``{"unchanged": true}``."""
    case = _case(store.db, sender_id, open_only=False)
    handover.check("view_raw" if raw else "view", case.case, actor=actor.name, role=actor.role)
    if since_version is not None and not raw:
        current = conversation_version(store, sender_id)
        if current == since_version:
            return {"version": current, "unchanged": True}
    audited = since_version is None
    messages = conversations.transcript(store.db, sender_id)
    for message in messages:
        message["text"] = _shown(message["text"], raw)
    reports = _reports(store, sender_id, raw)
    result = {
        "sender_id": sender_id,
        "channel": case.channel,
        "handover": case.public(),
        "messages": _with_reports(messages, reports),
        "reports": reports,
        "raw": raw,
        "version": conversation_version(store, sender_id),
    }
    if audited or raw:
        with store.transaction() as db:
            _audit(db, actor, "desk_view_raw" if raw else "desk_view", case)
    return result


# -- changes --------------------------------------------------------------------------------


def claim(store: Store, sender_id: str, actor: Actor) -> handovers.Handover:
    """Take a waiting conversation (one operator at a time); claiming one's own is a no-op."""
    with store.transaction() as db:
        case = _case(db, sender_id)
        handover.check("claim", case.case, actor=actor.name, role=actor.role)
        if case.claimed_by != actor.name:
            handovers.claim(db, case.id, actor.name, iso(now()))
            _audit(db, actor, "handover_claim", case)
        case = _case(db, sender_id)
    _log("claim", actor, case)
    return case


def transfer(store: Store, sender_id: str, actor: Actor, to: str) -> handovers.Handover:
    """Hand a conversation to another (active) operator."""
    with store.transaction() as db:
        case = _case(db, sender_id)
        handover.check("transfer", case.case, actor=actor.name, role=actor.role)
        target = users.get(db, (to or "").strip().lower())
        if target is None or not target.active:
            raise Refused("no_such_operator", f"no active account {to!r}")
        handovers.claim(db, case.id, target.name, iso(now()))
        audit.record(
            db,
            actor=actor.name,
            action="handover_transfer",
            subject=f"handover:{case.id}",
            detail={"via": actor.via, "channel": case.channel, "to": target.name},
        )
        case = _case(db, sender_id)
    _log("transfer", actor, case)
    return case


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


def reply_text(message: str) -> str:
    """An operator's reply as sent: NFC, no control characters, its line breaks kept (a
    chat message's ``clean`` would run paragraphs and lists together)."""
    text = sanitize(message).replace("\r\n", "\n").replace("\r", "\n")  # NFC, no lone surrogates
    lines = [" ".join(_CONTROL_RE.sub(" ", line).split()) for line in text.split("\n")]
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def reply(store: Store, sender_id: str, actor: Actor, message: str) -> int:
    """Queue the operator's message for the citizen's channel (the outbox delivers it, and
    shows a channel's refusal on the message); the outbox row's id."""
    body = reply_text(message)
    if not body:
        raise StoreError("an empty reply")
    if len(body) > MAX_REPLY:
        raise StoreError(f"a reply over {MAX_REPLY} characters")
    with store.transaction() as db:
        case = _case(db, sender_id)
        handover.check("reply", case.case, actor=actor.name, role=actor.role)
        at = stamp()
        outbox_id = outbox.enqueue(
            db, sender_id, {"text": body}, kind="operator", at=at, operator=actor.name
        )
        handovers.replied(db, case.id, actor.name, iso(now()))
        _audit(db, actor, "handover_reply", case)
    _log("reply", actor, case)
    return outbox_id


def _notice(db: sqlite_utils.Database, case: handovers.Handover, reason: str) -> None:
    config = desk_config.load()
    body = handover.ended(reason, config, case.language, now())
    outbox.enqueue(db, case.sender_id, {"text": body}, kind="notice", at=stamp())


def end(
    store: Store, sender_id: str, actor: Actor, resume: Resume, *, close: bool = False
) -> handovers.Handover:
    """Release the conversation to the assistant (or close it: finished), telling the citizen.

    Rasa is un-paused first (``RasaUnavailable`` leaves everything as it was); the case is
    then checked again, in case it moved meanwhile.
    """
    action = "close" if close else "release"
    with store.transaction() as db:
        case = _case(db, sender_id)
        handover.check(action, case.case, actor=actor.name, role=actor.role)
    resume(sender_id)
    with store.transaction() as db:
        again = _case(db, sender_id)
        if again.id != case.id:
            raise Refused("not_open", "this conversation is no longer handed over")
        handover.check(action, again.case, actor=actor.name, role=actor.role)
        state = "closed" if close else "released"
        handovers.end(db, case.id, state, actor.name, "operator", iso(now()))
        _notice(db, again, "closed" if close else "released")
        _audit(db, actor, f"handover_{action}", again)
    _log(action, actor, again)
    return _case(store.db, sender_id, open_only=False)


def expire(store: Store, resume: Resume, at: datetime | None = None) -> list[tuple[str, str]]:
    """Give back what nobody will answer: a case unclaimed for the claim timeout, and every
    waiting case once the office has closed. The citizen is told why, and what to do.

    A case whose Rasa cannot be reached stays waiting and is tried again next time.
    """
    at = at or now()
    config = desk_config.load()
    office_open = config.is_open(at)
    cutoff = iso(at - config.claim_timeout)
    ended: list[tuple[str, str]] = []
    for case in handovers.waiting(store.db):
        if office_open and case.requested_at >= cutoff:
            continue
        reason = "timeout" if office_open else "office_closed"
        try:
            resume(case.sender_id)
        except Exception as error:  # noqa: BLE001 - one unreachable Rasa must not stop the rest
            log.warning(
                "handover not given back yet: %s",
                type(error).__name__,
                extra={"event": "expire_failed", "id": case.id, "who": who(case.sender_id)},
            )
            continue
        with store.transaction() as db:
            if handovers.end(db, case.id, "released", "desk", reason, iso(at)):
                _notice(db, case, reason)
                ended.append((case.sender_id, reason))
        log.info(
            "handover given back",
            extra={"event": reason, "id": case.id, "who": who(case.sender_id)},
        )
    return ended


def file_report(
    store: Store,
    sender_id: str,
    actor: Actor,
    *,
    category: str,
    location: str,
    description: str,
    ward: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """File a report for the citizen, as the chat would: the duplicate check first
    (``{"duplicate": report}`` unless ``force``), then routing, history and the code told to
    the citizen through their channel (``{"filed": report}``)."""
    with store.transaction() as db:
        case = _case(db, sender_id)
        handover.check("report", case.case, actor=actor.name, role=actor.role)
    if category not in categories.BY_CODE:
        raise StoreError(f"unknown category {category!r}")
    if not force:
        existing = store.find_duplicate(service_code=category, address=location, ward=ward)
        if existing is not None:
            return {"duplicate": _public_report(public.face(existing))}  # someone else's

    def tell(db: sqlite_utils.Database, code: str) -> None:
        said = citizen_text("report_filed", "en" if case.language == "en" else "vi", code=code)
        outbox.enqueue(db, sender_id, {"text": said}, kind="notice", at=stamp())
        handovers.touch(db, case.id)
        _audit(db, actor, "handover_report", case)

    report = store.file_report(
        service_code=category,
        description=description,
        channel=channel_of(sender_id),
        sender_id=sender_id,
        address=location,
        ward=ward,
        language=case.language,
        actor=actor.name,
        note=f"filed by {actor.name} from the operators' desk ({actor.via})",
        on_filed=tell,
    )
    _log("report", actor, case)
    return {"filed": _public_report(report)}


def follow(store: Store, sender_id: str, actor: Actor, code: str) -> dict[str, Any]:
    """The citizen follows an existing report instead of filing it again."""
    with store.transaction() as db:
        case = _case(db, sender_id)
        handover.check("report", case.case, actor=actor.name, role=actor.role)
    store.subscribe(code, sender_id, case.language)
    report = store.get_report(code)
    assert report is not None
    with store.transaction() as db:
        _audit(db, actor, "handover_follow", case)
    return {"followed": _public_report(report)}


def _public_report(report: dict[str, Any]) -> dict[str, Any]:
    keys = ("service_request_id", "service_name", "state", "address", "agency_responsible")
    return {key: report.get(key) for key in keys}


def operators(store: Store) -> list[dict[str, str]]:
    """Active accounts a conversation can be transferred to."""
    return [{"name": u.name, "role": u.role} for u in users.all_users(store.db) if u.active]


def latest_question(store: Store, sender_id: str, actor: Actor) -> str | None:
    """The citizen's latest message, for the knowledge-base suggestions."""
    case = _case(store.db, sender_id, open_only=False)
    handover.check("view", case.case, actor=actor.name, role=actor.role)
    return conversations.latest_from_citizen(store.db, sender_id)


def suggestions(hits: list[Any]) -> list[dict[str, Any]]:
    """Knowledge-base hits as the desk shows them: the answer, its source, how sure."""
    return [
        {
            "id": hit.document.id,
            "title": hit.document.title,
            "answer": hit.document.answer_vi,
            "source": hit.document.source,
            "department": hit.document.department,
            "confidence": round(hit.confidence, 3),
        }
        for hit in hits
    ]
