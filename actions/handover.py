"""Hand a conversation to a human operator and stop answering until it is given back.

In office hours (``bot/domain/data/desk.yml``, sample) the conversation waits in the operators'
desk and Rasa pauses; the gateway then keeps the citizen's messages for the operator and
says once that they were passed on. Outside office hours the citizen is told honestly when
operators are back and the assistant carries on.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language, open_store
from bot.base.clock import now
from bot.base.codes import who
from bot.domain import desk_config, handover

log = logging.getLogger("hue_assist.actions.handover")


class ActionHandover(Action):
    """Mark the conversation for a human and pause the bot (or say when operators are back).

    Rasa ignores a paused conversation's messages until ``hue-assist handover release``, the
    desk, or the desk's timeout restarts it.
    """

    def name(self) -> str:
        return "action_handover"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language(tracker)
        at = now()
        open_now, said = handover.requested(desk_config.load(), lang, at)
        with open_store() as store:
            case = store.request_handover(tracker.sender_id, lang, open_now=open_now)
        log.info(
            "handover requested",
            extra={"who": who(tracker.sender_id), "id": case.id, "open": open_now},
        )
        dispatcher.utter_message(text=said)
        return [ConversationPaused()] if open_now else []
