"""The worker: hands inbox messages to Rasa and queues the replies, exactly once.

Each citizen's messages go one at a time, in order; different citizens are served
concurrently. When Rasa or the action server is down a message waits (backing off) and is
tried again. A message whose earlier attempt reached Rasa but whose answer never came back
(timeout, gateway killed) is looked up in Rasa's tracker first: if Rasa did process it,
the replies are taken from there instead of asking twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import httpx

from bot.base import texts
from bot.base.settings import pick_rasa
from bot.gateway.breakers import EVERYONE, Breakers, retry_delay
from bot.gateway.citizens import CitizenTasks
from bot.gateway.handed import Held, held_replies
from bot.gateway.urgent import alert_reply, detect, with_alert
from bot.services.channels.base import ChannelAdapter, MediaUnavailable
from bot.services.rasa_client import prepare
from bot.storage import conversations, handovers, inbox, media
from bot.storage.database import Database
from voice.notes import transcribe_note

log = logging.getLogger("hue_assist.gateway.worker")

# The gateway's own replies, in both languages (the citizen's language is Rasa's to know).
VOICE_REPLY = {"text": texts.both("voice_not_heard")}
FAILED_REPLY = {"text": texts.both("message_failed")}
PHOTO_FAILED_REPLY = {"text": texts.both("photo_not_opened")}

ACTIONS_OK_FOR = 1.0  # seconds a healthy action server check is trusted
MAX_FAILURES = 5  # unexpected errors on one message before it is set aside (~15 s)
PEEK = 64  # due rows read beyond the free slots, for citizens whose Rasa is held back


class NotHeard(RuntimeError):
    """A voice note that could not be fetched or understood: the citizen is asked to type."""


class Unavailable(RuntimeError):
    """Rasa, the action server or a channel's media is down for now: try again later.

    ``scope``: whose messages would hit the same trouble: ``EVERYONE`` (the action server),
    a Rasa server's URL (the citizens pinned to it), or None (this message only, e.g. its
    photo). The worker then holds those messages back (see ``breakers``).
    """

    def __init__(self, message: str, scope: str | None = EVERYONE) -> None:
        super().__init__(message)
        self.scope = scope


def reply_of(message: Mapping[str, Any]) -> dict[str, Any]:
    """A Rasa REST reply (or tracker bot event) as an outbox payload."""
    data = message.get("data") or {}
    reply: dict[str, Any] = {"text": message.get("text") or ""}
    buttons = message.get("buttons") or data.get("buttons") or []
    if buttons:
        reply["buttons"] = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons
        ]
    image = message.get("image") or data.get("image")
    if image:
        reply["image"] = image
    return reply


def replies_in_tracker(events: list[dict[str, Any]], inbox_id: int) -> list[dict] | None:
    """The bot's replies to our message if Rasa has it in the tracker, else None."""
    found = False
    replies: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if found:
                break
            found = (event.get("metadata") or {}).get("inbox_id") == inbox_id
        elif found and kind == "bot":
            replies.append(reply_of(event))
    return replies if found else None


def claim_unless_held(db: Any, inbox_id: int, sender_id: str) -> handovers.Handover | None:
    """The citizen's open handover, if a person has the conversation (the message is kept
    for them, not sent to Rasa); otherwise the attempt is counted, as before any Rasa call."""
    case = handovers.open_for(db, sender_id)
    if case is None:
        inbox.claim(db, inbox_id)
    return case


def complete_held(db: Any, row: inbox.InboxRow, held: Held) -> list[int]:
    """Mark a kept message done with the gateway's replies to it, in one transaction."""
    replies, kinds = held.settle(db)
    return inbox.complete(db, row, replies, kinds=kinds)


class Worker:
    """Runs in the gateway's event loop; every database call is short and synchronous."""

    def __init__(
        self,
        database: Database,
        rasa_urls: Sequence[str],
        action_server_url: str,
        adapters: Mapping[str, ChannelAdapter],
        home: Any,
        public_url: str,
        concurrency: int = 32,
        on_done: Callable[[], None] | None = None,
        disaster_line: str | None = None,
        rasa_token: str | None = None,
    ) -> None:
        self.database = database
        self.rasa_token = rasa_token  # Rasa's API (the tracker) needs it
        self.disaster_line = disaster_line
        self.on_done = on_done
        self.rasa_urls = tuple(url.rstrip("/") for url in rasa_urls)
        self.actions_health = action_server_url.rsplit("/webhook", 1)[0] + "/health"
        self.adapters = adapters
        self.home = home
        self.public_url = public_url
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(60.0, connect=3.0),
            limits=httpx.Limits(max_connections=concurrency + 4),
        )
        self._citizens = CitizenTasks(concurrency)
        # Voice notes on a thread of their own (capped in length by voice.notes): Whisper's
        # CPU never takes the default pool that the rest of the gateway's threads share.
        self._voice = ThreadPoolExecutor(1, thread_name_prefix="voice-notes")
        self._breakers = Breakers()
        self._actions_ok_at = -ACTIONS_OK_FOR  # loop.time() of the last healthy check

    def wake(self) -> None:
        self._citizens.wake()

    def state(self) -> str:
        return self._breakers.state()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        citizens = self._citizens
        while True:
            pause = self._breakers.paused_for_everyone(loop.time())
            if pause > 0:
                await asyncio.sleep(pause)
                continue
            free = citizens.free
            # Read past the free slots: some citizens' Rasa server may be held back.
            rows = (
                await self.database.read(inbox.due, set(citizens.busy), free + PEEK)
                if free > 0
                else []
            )
            for row in rows:
                if free <= 0:
                    break
                scope = self._rasa(row)
                if not self._breakers.may_send(scope, loop.time()):
                    continue
                free -= 1
                self._breakers.started(scope)
                citizens.start(row.sender_id, self._serve(row, scope))
            await citizens.idle()

    async def aclose(self) -> None:
        await self._citizens.cancel()
        await self.http.aclose()
        self._voice.shutdown(wait=False, cancel_futures=True)

    async def _serve(self, row: inbox.InboxRow, scope: str) -> None:
        try:
            answer = await self._answer(row)
            if isinstance(answer, Held):
                queued = await self.database.write(complete_held, row, answer)
            else:
                queued = await self.database.write(inbox.complete, row, answer)
            self._breakers.succeeded(scope)
            if queued and self.on_done is not None:
                self.on_done()
            log.info(
                "answered",
                extra={"channel": row.channel, "event": "answered", "id": row.id},
            )
        except Unavailable as error:
            delay = retry_delay(row.attempts + 1)
            if error.scope is not None:
                self._actions_ok_at = -ACTIONS_OK_FOR  # check again before the next one
                now = asyncio.get_running_loop().time()
                delay = self._breakers.failed(error.scope, str(error), now)
            await self.database.write(inbox.postpone, row.id, str(error), delay)
            log.warning(
                "waiting: %s",
                error,
                extra={"channel": row.channel, "event": "postponed", "id": row.id},
            )
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the others
            await self._failed(row, error)
        finally:
            self._breakers.finished(scope)

    async def _failed(self, row: inbox.InboxRow, error: Exception) -> None:
        """An unexpected error (a bug, a malformed answer): retry a few times, then give up.

        Giving up keeps the message (state 'failed', with the error) and tells the citizen,
        so one bad message does not hold up the citizen's later ones for ever.
        """
        extra = {"channel": row.channel, "id": row.id, "failures": row.failures + 1}
        if row.failures + 1 >= MAX_FAILURES:
            log.error("message set aside: %r", error, extra={**extra, "event": "gave_up"})
            queued = await self.database.write(inbox.give_up, row, repr(error), FAILED_REPLY)
            if queued and self.on_done is not None:
                self.on_done()
            return
        log.exception("message failed", extra={**extra, "event": "failed"})
        delay = retry_delay(row.failures + 1, base=1.0)
        await self.database.write(inbox.postpone_failed, row.id, repr(error), delay)

    async def _answer(self, row: inbox.InboxRow) -> list[dict[str, Any]] | Held:
        """Rasa's replies to the message, or what the gateway says to it while a person has
        the conversation (``Held``)."""
        if row.attempts > 0:
            earlier = await self._from_tracker(row)
            if earlier is not None:
                log.info(
                    "replies recovered from Rasa's tracker",
                    extra={"channel": row.channel, "event": "recovered", "id": row.id},
                )
                return earlier
        try:
            text = await self._text_for(row)
        except NotHeard:
            return [VOICE_REPLY]
        except MediaUnavailable as error:
            if error.permanent:
                return [PHOTO_FAILED_REPLY]
            raise Unavailable(f"media: {error}", scope=None) from None
        if not text:
            return []
        try:
            await self._check_actions()
            case = await self.database.write(claim_unless_held, row.id, row.sender_id)
            if case is not None:
                alerted = detect(text) is not None and await self.database.read(
                    inbox.alerted, row.id
                )
                held = held_replies(case, text, alerted, self.disaster_line)
                if row.kind == "audio":  # the operator reads what was heard, as the citizen does
                    held = replace(held, heard={"text": texts.text("heard", "vi", text=text)})
                return held
            replies = await self._ask_rasa(row, text)
        except Unavailable:
            await self._alert_early(row, text)
            raise
        replies = await self._safety_net(row, text, replies)
        if row.kind == "audio":  # say what was heard, so a misheard note is noticed
            # (in Vietnamese: the gateway does not know the citizen's language)
            replies.insert(0, {"text": texts.text("heard", "vi", text=text)})
        return replies

    async def _ask_rasa(self, row: inbox.InboxRow, text: str) -> list[dict[str, Any]]:
        """One message through Rasa (its attempt counted by ``claim_unless_held``)."""
        body = {
            "sender": row.sender_id,
            "message": text,
            "metadata": {"inbox_id": row.id, "channel": row.channel},
        }
        rasa = self._rasa(row)
        try:
            response = await self.http.post(f"{rasa}/webhooks/rest/webhook", json=body)
        except httpx.TransportError as error:
            raise Unavailable(f"{rasa}: {type(error).__name__}", scope=rasa) from None
        if response.status_code != 200:
            raise Unavailable(f"{rasa}: http {response.status_code}", scope=rasa)
        return [reply_of(message) for message in response.json() or []]

    async def _alert_early(self, row: inbox.InboxRow, text: str) -> None:
        """Rasa cannot answer now: a citizen in danger gets the number anyway, at once."""
        alert = detect(text)
        if alert is None:
            return
        reply = alert_reply(alert, text, self.disaster_line)
        sent = await self.database.write(inbox.alert, row.id, row.sender_id, reply)
        if sent:
            log.warning(
                "emergency answered without rasa",
                extra={"channel": row.channel, "event": "alert", "id": row.id},
            )
            if self.on_done is not None:
                self.on_done()

    async def _safety_net(
        self, row: inbox.InboxRow, text: str, replies: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Rasa's replies, with the emergency number added where Rasa could not say it (a
        paused conversation) and not repeated where the gateway already said it."""
        if detect(text) is None:
            return replies
        if await self.database.read(inbox.alerted, row.id):
            return [r for r in replies if not (r.get("text") or "").startswith("🚨")]
        return with_alert(text, replies, self.disaster_line)

    def _rasa(self, row: inbox.InboxRow) -> str:
        """The Rasa process that holds this citizen's conversation."""
        return pick_rasa(self.rasa_urls, row.sender_id)

    async def _check_actions(self) -> None:
        """Rasa answers even when the action server is down (losing the action's work).

        A success is trusted for ``ACTIONS_OK_FOR`` seconds: asking before every message
        cost the gateway as much as the message itself under load.
        """
        now = asyncio.get_running_loop().time()
        if now - self._actions_ok_at < ACTIONS_OK_FOR:
            return
        try:
            response = await self.http.get(self.actions_health, timeout=3.0)
        except httpx.TransportError as error:
            raise Unavailable(f"action server: {type(error).__name__}") from None
        if response.status_code != 200:
            raise Unavailable(f"action server: http {response.status_code}")
        self._actions_ok_at = now

    async def _from_tracker(self, row: inbox.InboxRow) -> list[dict[str, Any]] | None:
        rasa = self._rasa(row)
        url = f"{rasa}/conversations/{row.sender_id}/tracker"
        try:
            params = {"include_events": "ALL", "token": self.rasa_token or ""}
            response = await self.http.get(url, params=params)
        except httpx.TransportError as error:
            raise Unavailable(f"{rasa}: {type(error).__name__}", scope=rasa) from None
        if response.status_code != 200:
            raise Unavailable(f"{rasa} tracker: http {response.status_code}", scope=rasa)
        return replies_in_tracker(response.json().get("events") or [], row.id)

    async def _hear(self, row: inbox.InboxRow) -> str:
        """A voice note through the voice pipeline (in a thread: Whisper is CPU work)."""
        adapter = self.adapters.get(row.channel)
        if adapter is None:
            raise NotHeard(f"no adapter for {row.channel}")
        try:
            data = await adapter.fetch_media(row.payload["media"])
        except MediaUnavailable as error:
            if not error.permanent:
                raise
            raise NotHeard(str(error)) from None
        loop = asyncio.get_running_loop()
        text = await loop.run_in_executor(self._voice, transcribe_note, data)
        if text is None:
            raise NotHeard("not understood")
        return prepare(text)

    async def _text_for(self, row: inbox.InboxRow) -> str:
        """What Rasa is told: the channel's shapes become text the conversation reads."""
        payload = row.payload
        if row.kind == "location":
            coordinates = json.dumps({"lat": payload["lat"], "long": payload["long"]})
            return f"/report_incident{coordinates}"
        if row.kind == "image":
            adapter = self.adapters.get(row.channel)
            if adapter is None:
                raise MediaUnavailable(f"no adapter for {row.channel}", permanent=True)
            data = await adapter.fetch_media(payload["media"])
            try:
                name = media.save(self.home, data)
            except media.MediaError as error:
                raise MediaUnavailable(str(error), permanent=True) from None
            url = media.url_for(self.public_url, name)
            # the channel's own link expires: the operator's desk shows the stored copy
            await self.database.write(conversations.set_media, row.id, url)
            return url
        if row.kind == "audio":
            return await self._hear(row)
        if row.kind == "follow":
            return "/greet"
        return prepare(payload.get("text") or "")
