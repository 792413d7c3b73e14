"""Hand a conversation to a human operator and stop answering until it is released."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language, open_store
from actions.messages import send
from bot.base.codes import who

log = logging.getLogger("hue_assist.actions.handover")


class ActionHandover(Action):
    """Give the hotline, mark the conversation for a human, and pause the bot.

    Rasa ignores a paused conversation's messages until a ``resume`` event arrives, which
    ``hue-assist handover release`` sends.
    """

    def name(self) -> str:
        return "action_handover"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        with open_store() as store:
            store.request_handover(tracker.sender_id)
        log.info("handover requested", extra={"who": who(tracker.sender_id)})
        send(dispatcher, "handover", language(tracker))
        return [ConversationPaused()]
