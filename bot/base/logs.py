"""Structured log lines for our services: one JSON object per record on stderr.

Callers pass who/what/id in ``extra`` (a channel, an event, a hashed sender, a report code,
counts), never message text or personal data; every such field lands in the JSON line.
"""

from __future__ import annotations

import json
import logging
import os

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: str | None = None) -> None:
    """Log every ``hue_assist.*`` logger as JSON lines on stderr, once per process (level from
    HUE_ASSIST_LOG_LEVEL, else GATEWAY_LOG_LEVEL, else INFO)."""
    logger = logging.getLogger("hue_assist")
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    chosen = level or os.environ.get("HUE_ASSIST_LOG_LEVEL") or os.environ.get("GATEWAY_LOG_LEVEL")
    logger.setLevel((chosen or "INFO").upper())
    logger.propagate = False
