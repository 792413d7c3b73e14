"""The store: one SQLite file with reports and handovers, as one object.

``Store(path)`` opens the database (``connection``), applies the migrations (``schema``)
and offers the report (``reports``) and handover (``handovers``) methods; tables of other
areas (outbox, inbox, calls, audit) are reached through ``store.db`` by their own modules.
"""

from __future__ import annotations

from bot.storage.errors import NotAllowed, NotFound, StoreError
from bot.storage.handovers import Handovers
from bot.storage.reports import MAX_DESCRIPTION, Reports

__all__ = ["MAX_DESCRIPTION", "NotAllowed", "NotFound", "Store", "StoreError"]


class Store(Reports, Handovers):
    """Reports and handovers over one SQLite file."""
