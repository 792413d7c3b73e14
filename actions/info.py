"""Answer questions about city services from the knowledge base."""

from __future__ import annotations

import logging
import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values, language, latest_text
from actions.messages import button, send
from bot.base import settings
from bot.base.codes import who
from bot.base.texts import text
from knowledge_base.retriever import CONFIDENCE_THRESHOLD, Hit, Retriever

log = logging.getLogger("hue_assist.actions.info")

START_REPORT_DOCS = frozenset({"field-report-how"})


def format_answer(hit: Hit, lang: str) -> str:
    """The answer, its source link and an invitation to ask more."""
    doc = hit.document
    source = text("kb_source", lang, url=doc.source)
    return f"{doc.answer(lang)}\n\n{source}\n{text('anything_else', lang)}"


class ActionAnswerInfo(Action):
    """Answer from the best document, or say it is not sure and offer the closest topics."""

    def __init__(self) -> None:
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {}  # Sanic copies the actions into its worker process by pickling them

    def __setstate__(self, state: dict) -> None:
        # In the worker: load the embedding model and index now, off the request path;
        # otherwise the first citizen to ask a question waits several seconds.
        self.__init__()
        threading.Thread(target=self._warm, name="kb-warm", daemon=True).start()

    def _warm(self) -> None:
        try:
            self.retriever().warm()
        except Exception:  # the first search will retry and log what is wrong
            log.exception("kb warm-up failed")

    def name(self) -> str:
        return "action_answer_info"

    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = Retriever(settings.load().kb_dir)
            return self._retriever

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        lang = language(tracker)
        chosen = [v for v in entity_values(tracker, "kb_id") if isinstance(v, str)]
        if chosen and (doc := self.retriever().get(chosen[0])):
            dispatcher.utter_message(text=format_answer(Hit(doc, 0.0, 1.0), lang))
            return [SlotSet("kb_id", None)]
        hits = self.retriever().search(latest_text(tracker), top=3)
        log.info(
            "kb answer",
            extra={"who": who(tracker.sender_id), "top": hits[0].document.id if hits else None},
        )
        if hits and hits[0].confidence >= CONFIDENCE_THRESHOLD:
            buttons = None
            if hits[0].document.id in START_REPORT_DOCS:
                # Someone asking how to report usually wants to report: offer to start now.
                buttons = [button("button_report_now", lang, "/report_incident")]
            dispatcher.utter_message(text=format_answer(hits[0], lang), buttons=buttons)
            return []
        self.not_sure(dispatcher, hits, lang)
        return []

    @staticmethod
    def not_sure(dispatcher: CollectingDispatcher, hits: list[Hit], lang: str) -> None:
        hotline = settings.load().hotline
        if hits:
            buttons = [
                {"title": h.document.title, "payload": f'/ask_info{{"kb_id": "{h.document.id}"}}'}
                for h in hits[:2]
            ]
            send(dispatcher, "kb_not_sure", lang, buttons, hotline=hotline)
        else:
            send(dispatcher, "kb_no_answer", lang, hotline=hotline)
