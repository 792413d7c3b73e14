"""Structured log lines for our services: ``time level logger message key=value …``.

Callers pass who/what/id in ``extra`` (a hashed sender, a report code, a channel), never
message text or personal data; this formatter prints those fields after the message.
"""

from __future__ import annotations

import logging
import os
import sys

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in sorted(extras.items()))
        return line


def configure(level: str | None = None) -> None:
    """Log our ``hue_assist.*`` loggers to stderr (level from HUE_ASSIST_LOG_LEVEL, INFO)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("hue_assist")
    logger.handlers[:] = [handler]
    logger.setLevel(level or os.environ.get("HUE_ASSIST_LOG_LEVEL", "INFO"))
    logger.propagate = False
