"""Conversations handed to a human operator: who waits, and giving them back."""

from __future__ import annotations

from typing import Any

from bot.base.clock import iso, now
from bot.storage.connection import Connection


class Handovers(Connection):
    """The handover methods of ``Store``."""

    def request_handover(self, sender_id: str) -> None:
        """Mark a conversation as waiting for a human operator."""
        with self.transaction() as db:
            db["handovers"].upsert(
                {
                    "sender_id": sender_id,
                    "reporter": self.reporter_for(sender_id),
                    "requested_at": iso(now()),
                    "released_at": None,
                    "released_by": None,
                },
                pk="sender_id",
            )

    def release_handover(self, sender_id: str, by: str) -> bool:
        """Give a conversation back to the assistant; False if it was not handed over."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE handovers SET released_at = ?, released_by = ? "
                "WHERE sender_id = ? AND released_at IS NULL",
                [iso(now()), by, sender_id],
            )
            return cursor.rowcount > 0

    def pending_handovers(self) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT sender_id, requested_at FROM handovers WHERE released_at IS NULL "
                "ORDER BY requested_at"
            )
        )
