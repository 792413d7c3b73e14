"""One citizen message, channel-neutral: what the inbox stores and the channels produce."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["text", "image", "location", "audio", "follow"]


@dataclass(frozen=True)
class Incoming:
    """One citizen message, channel-neutral: what the inbox stores."""

    channel: str
    message_id: str  # the channel's id, unique per channel: the de-duplication key
    user_id: str
    kind: Kind
    text: str = ""
    media: str = ""  # the channel's reference to a photo/voice note (URL or file id)
    lat: float | None = None
    long: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sender_id(self) -> str:
        return f"{self.channel}:{self.user_id}"

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.media:
            data["media"] = self.media
        if self.lat is not None and self.long is not None:
            data["lat"], data["long"] = self.lat, self.long
        data.update(self.extra)
        return data
