"""The voice worker (``python -m voice.worker``): watches ``HUE_ASSIST_HOME/inbox/calls/``.

Started by ``hue-assist up``. Each recording that has stopped growing is processed into a
call record and moved to ``processed/`` or ``failed/``. While Rasa is unreachable, files wait
in the inbox (that is not their fault). A heartbeat file says the worker is alive and ready.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import time
from pathlib import Path
from types import FrameType

from bot.base import settings as settings_mod
from bot.base.clock import iso, now
from bot.services.rasa_client import RasaClient, RasaUnavailable
from bot.storage.store import Store
from voice import config as voice_config
from voice.calls import CallProcessor, Outcome
from voice.inbox import move, recordings
from voice.knowledge import kb_suggester
from voice.model import get_model

log = logging.getLogger("voice.worker")
READY_FILE = "voice-worker.ready"


def inbox_dir(settings: settings_mod.Settings) -> Path:
    return settings.home / "inbox" / "calls"


def ready_path(settings: settings_mod.Settings) -> Path:
    return settings.home / READY_FILE


class JsonFormatter(logging.Formatter):
    """One JSON object per line: message plus the ``extra`` fields (never transcript text)."""

    _PLAIN = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "at": iso(now()),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        payload |= {k: v for k, v in vars(record).items() if k not in self._PLAIN}
        return json.dumps(payload, ensure_ascii=False, default=str)


class Worker:
    def __init__(
        self,
        settings: settings_mod.Settings,
        config: voice_config.VoiceConfig,
        settle_s: float = 2.0,
        poll_s: float = 2.0,
    ) -> None:
        self.settings = settings
        self.config = config
        self.settle_s = settle_s
        self.poll_s = poll_s
        self.stopping = False
        self.inbox = inbox_dir(settings)

    def heartbeat(self, state: str) -> None:
        path = ready_path(self.settings)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "at": iso(now()), "state": state}))
        tmp.replace(path)

    def run_once(self, store: Store, client: RasaClient) -> list[Outcome]:
        """Process what is in the inbox now; stops early (files kept) if Rasa goes away."""
        processor = CallProcessor(
            store, self.config, client.parse, kb_suggester(self.settings.kb_dir)
        )
        outcomes = []
        for path in recordings(self.inbox, self.settle_s):
            if self.stopping:
                break
            try:
                outcome = processor.process(path)
            except RasaUnavailable as error:
                log.warning(
                    "rasa unavailable; files wait in the inbox", extra={"error": str(error)}
                )
                break
            move(outcome)
            outcomes.append(outcome)
            log.info(
                "call handled",
                extra={"call_id": outcome.call_id, "status": outcome.status},
            )
            self.heartbeat("working")
        return outcomes

    def run(self, once: bool = False) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        get_model(self.config)  # load now: a bad WHISPER_MODEL fails at start, not at a call
        store = Store(self.settings.db_path)
        try:
            with RasaClient(self.settings.rasa_url, token=self.settings.rasa_token) as client:
                self.heartbeat("ready")
                log.info("voice worker ready", extra={"inbox": str(self.inbox)})
                while not self.stopping:
                    if client.model_loaded():
                        self.run_once(store, client)
                    else:
                        log.info("waiting for rasa", extra={"url": self.settings.rasa_url})
                    self.heartbeat("ready")
                    if once:
                        break
                    time.sleep(self.poll_s)
        finally:
            store.close()
            ready_path(self.settings).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="hue-assist voice worker")
    parser.add_argument("--once", action="store_true", help="process the inbox once and exit")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds a file must be still")
    args = parser.parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    # httpx logs each request's URL at INFO: Rasa's token is in it (issue 15).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    worker = Worker(settings_mod.load(), voice_config.load(), settle_s=args.settle)

    def stop(signum: int, frame: FrameType | None) -> None:
        worker.stopping = True  # the file in progress is finished, or redone after a kill

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.run(once=args.once)


if __name__ == "__main__":
    main()
