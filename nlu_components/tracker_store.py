"""A SQLite tracker store for Rasa that keeps the conversations it serves in memory.

Rasa's ``SQLTrackerStore`` cost half of the Rasa process's time per turn (measured with
py-spy under 200 users): every message reloaded the session's events through the
SQLAlchemy ORM, replayed them into a tracker, counted them again before saving, and
committed with a full fsync. This store writes the same ``events`` table (``type: SQL``
reads it back), in WAL mode, and keeps the tracker it has just saved, so the next message
of that conversation starts from it.

The kept tracker is only used when it is provably current: nobody else holds it, it has
not changed since it was saved, and the newest stored event of that conversation is
still the one it saved last (another process writing the same conversation invalidates
it). Otherwise the tracker is loaded from the database, as ``SQLTrackerStore`` does.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import TrackerEventDiffEngine, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from nlu_components import patches

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER NOT NULL PRIMARY KEY,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
);
CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);
"""

SESSION_START = f"""
SELECT coalesce(max(id), 0) FROM events
WHERE sender_id = ? AND type_name = '{SessionStarted.type_name}'
"""


@dataclass
class _Kept:
    """A saved tracker, how many of its events are stored, and the newest stored id."""

    tracker: DialogueStateTracker
    stored: int
    last_id: int
    in_use: bool = False


class SQLiteTrackerStore(TrackerStore):
    """Rasa tracker store: SQLite in WAL mode, with the latest trackers kept in memory.

    Configured in endpoints.yml as ``type: nlu_components.tracker_store.SQLiteTrackerStore``
    with ``db`` (the file) and optionally ``keep`` (how many conversations to keep).
    """

    def __init__(
        self,
        domain: Any = None,
        db: str = "rasa.db",
        keep: int = 2000,
        event_broker: Any = None,
        **kwargs: Any,
    ) -> None:
        patches.check()  # the same table layout as Rasa's SQL store (see patches)
        super().__init__(domain, event_broker, **kwargs)
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode; writes open their own transaction. Rasa calls from one thread,
        # but its thread pools may too, so sqlite3's thread check is off.
        self._db = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        # WAL with NORMAL survives a killed process; only a power cut may lose the last turn.
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(SCHEMA)
        self._keep = max(0, int(keep))
        self._kept: OrderedDict[str, _Kept] = OrderedDict()

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        """A new model may have other slots: trackers built for the old one are dropped."""
        self._domain = domain or Domain.empty()
        if hasattr(self, "_kept"):
            self._kept.clear()

    # Reading ---------------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the conversation's latest session, or None if it has none."""
        kept = self._kept.get(sender_id)
        if kept is not None and not kept.in_use and self._current(sender_id, kept):
            kept.in_use = True
            self._kept.move_to_end(sender_id)
            return kept.tracker
        # Not kept, changed, or held by another reader (which may never save it): load.
        rows = self._rows(sender_id, all_sessions=False)
        tracker = self._tracker(sender_id, rows)
        if tracker is not None:
            self._keep_tracker(sender_id, _Kept(tracker, len(rows), rows[-1][0], in_use=True))
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Every session of the conversation (not kept: it is read, not continued)."""
        return self._tracker(conversation_id, self._rows(conversation_id, all_sessions=True))

    async def keys(self) -> Iterable[str]:
        return [row[0] for row in self._db.execute("SELECT DISTINCT sender_id FROM events")]

    def _current(self, sender_id: str, kept: _Kept) -> bool:
        """Whether the kept tracker is exactly what is stored."""
        if len(kept.tracker.events) != kept.stored:
            return False  # changed after its last save (a turn that failed half-way)
        return self._last_id(sender_id) == kept.last_id

    def _last_id(self, sender_id: str) -> int:
        row = self._db.execute(
            "SELECT coalesce(max(id), 0) FROM events WHERE sender_id = ?", (sender_id,)
        ).fetchone()
        return int(row[0])

    def _rows(self, sender_id: str, all_sessions: bool) -> list[tuple[int, str]]:
        since = 0 if all_sessions else self._db.execute(SESSION_START, (sender_id,)).fetchone()[0]
        return self._db.execute(
            "SELECT id, data FROM events WHERE sender_id = ? AND id >= ? ORDER BY id",
            (sender_id, since),
        ).fetchall()

    def _tracker(self, sender_id: str, rows: list[tuple[int, str]]) -> DialogueStateTracker | None:
        if not rows:
            return None
        events = [json.loads(data) for _, data in rows]
        return DialogueStateTracker.from_dict(
            sender_id, events, self.domain.slots, self.max_event_history
        )

    # Writing ---------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's events that are not stored yet, in one transaction."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        kept = self._kept.get(sender_id)
        mine = kept is not None and kept.tracker is tracker
        # A tracker from elsewhere: count what is stored, as SQLTrackerStore does.
        stored = kept.stored if mine else len(self._rows(sender_id, all_sessions=False))
        new = list(itertools.islice(tracker.events, stored, None))
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            # Did someone else append to this conversation since this tracker was read?
            overtaken = mine and self._last_id(sender_id) != kept.last_id
            self._db.executemany(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name,"
                " data) VALUES (?, ?, ?, ?, ?, ?)",
                [_row(sender_id, event.as_dict()) for event in new],
            )
            last_id = self._last_id(sender_id)
        new_session = stored > 0 and any(isinstance(e, SessionStarted) for e in new)
        if mine and not (new_session or overtaken):
            self._keep_tracker(sender_id, _Kept(tracker, len(tracker.events), last_id))
        elif mine or (kept is not None and not kept.in_use):
            # The next retrieve loads what is stored: from a new session on, with another
            # writer's events, or after a tracker that did not come from here.
            self._kept.pop(sender_id, None)

    def _keep_tracker(self, sender_id: str, kept: _Kept) -> None:
        if self._keep == 0:
            return
        self._kept[sender_id] = kept
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self._keep:
            self._kept.popitem(last=False)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Publish new events to an event broker, if one is configured.

        Rasa's version retrieves the stored tracker to diff against it, which would take
        the kept one; this one diffs against a fresh load.
        """
        if self.event_broker is None:
            return
        old = self._tracker(tracker.sender_id, self._rows(tracker.sender_id, all_sessions=False))
        new_events = TrackerEventDiffEngine.event_difference(old, tracker)
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)


def _row(sender_id: str, data: dict[str, Any]) -> tuple[Any, ...]:
    """The columns SQLTrackerStore writes for one event."""
    intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
    return (
        sender_id,
        data.get("event"),
        data.get("timestamp"),
        intent,
        data.get("name"),
        json.dumps(data),
    )
