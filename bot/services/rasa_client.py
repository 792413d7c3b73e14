"""A small HTTP client for the Rasa server: REST channel, NLU parse, tracker events."""

from __future__ import annotations

from typing import Any

import httpx

from bot.base.text import clean

MAX_MESSAGE_CHARS = 4000  # longer messages are cut before Rasa sees them (the form's limit)


class RasaUnavailable(RuntimeError):
    """Rasa could not be reached; the message says where it was looked for."""


def prepare(text: str) -> str:
    """What Rasa is given: NFC, no control characters, at most MAX_MESSAGE_CHARS."""
    return clean(text)[:MAX_MESSAGE_CHARS]


class RasaClient:
    """Rasa's HTTP API. ``token`` is Rasa's ``--auth-token`` (``Settings.rasa_token``):
    without it the API (parse, trackers, status) answers 401."""

    def __init__(self, base_url: str, timeout: float = 30.0, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        params = {"token": token} if token else None
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, params=params)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RasaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        try:
            response = self._http.post(path, json=payload)
        except httpx.TransportError as error:
            raise RasaUnavailable(f"Rasa is not reachable at {self.base_url} ({error})") from None
        if response.status_code >= 500 or response.status_code == 404:
            raise RasaUnavailable(
                f"Rasa at {self.base_url} answered {response.status_code} for {path}"
            )
        response.raise_for_status()
        return response.json()

    def is_up(self) -> bool:
        try:
            return self._http.get("/", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def model_loaded(self) -> bool:
        """True once the server answers /status with a loaded model."""
        try:
            response = self._http.get("/status", timeout=2)
        except httpx.TransportError:
            return False
        return response.status_code == 200 and bool(response.json().get("model_file"))

    def parse(self, text: str) -> dict[str, Any]:
        return self._post("/model/parse", {"text": prepare(text)})

    def send(self, sender: str, message: str, metadata: dict | None = None) -> list[dict[str, Any]]:
        """One user message through the REST channel; the bot's replies."""
        payload: dict[str, Any] = {"sender": sender, "message": prepare(message)}
        if metadata:
            payload["metadata"] = metadata
        return self._post("/webhooks/rest/webhook", payload) or []

    def restart(self, sender: str) -> None:
        """Start a conversation afresh; also un-pauses one that was handed to a human.

        A plain ``resume`` would leave the messages written to the human in the tracker,
        and the dialogue policies would read them as unanswered turns.
        """
        self._post(f"/conversations/{sender}/tracker/events", {"event": "restart"})
