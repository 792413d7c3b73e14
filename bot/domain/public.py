"""What of a report the public may see: one definition for Open311, `check_status`,
`reports list`, exports without personal data, and the desk."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.redact import redact_text

# Never the phone, the chat address, the reporter's pseudonym or internal notes.
PUBLIC_COLUMNS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "ward",
    "lat",
    "long",
    "media_url",
    "state",
    "channel",
    "duplicate_of",
    "rating",
    "emergency",
)

# Open311: the spec's request fields, in the spec's order; ours (state, channel…) follow.
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
EXTRA_FIELDS = ("state", "ward", "channel", "duplicate_of")
# What a public view reads from the table: the public fields and the stored public text.
FACE_COLUMNS = (*PUBLIC_COLUMNS, "public_description", "public_address")
assert set(EXTRA_FIELDS) <= set(PUBLIC_COLUMNS)
assert {f for f in REQUEST_FIELDS if f in PUBLIC_COLUMNS} | {
    "service_notice",
    "address_id",
    "zipcode",
} == set(REQUEST_FIELDS)


# -- the public face of a report ------------------------------------------------------------
#
# What the public reads (Open311, ``check_status``, exports without ``--include-pii``, the
# desk's public view) is written for the public: the description as the redactor leaves it,
# the address without its house number, coordinates to 3 decimals, and only the notes a
# supervisor wrote for the public (``status_notes``; internal notes stay in the history).

COORD_DECIMALS = 3  # 0.001° ≈ 111 m north–south and 107 m east–west at Huế (16.5° N):
# enough to find the street and the block, not the house.

# Words that announce a house (or plot, alley) number, as typed with or without marks
# ("lộ" in "quốc lộ 1A" is a road, not "lô").
_HOUSE_WORDS = frozenset(
    "số nhà kiệt hẻm ngõ ngách lô căn so nha kiet hem ngo ngach lo can".split()
)
_NUMBER = re.compile(r"\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*")


def _part_without_house(part: str) -> str:
    """One comma-separated part of an address without its house number: a number opening
    the part ("27 Hùng Vương") or following a house word ("kiệt 45/12", "số 7"), and those
    words. "Tổ 12", "quốc lộ 1A", "đường 3/2" and "km 12+500" are places, not homes."""
    words = part.split()
    keep: list[str] = []
    for i, word in enumerate(words):
        after_house_word = bool(keep) and keep[-1].lower() in _HOUSE_WORDS
        if _NUMBER.fullmatch(word) and (i == 0 or after_house_word):
            while keep and keep[-1].lower() in _HOUSE_WORDS:
                keep.pop()
            continue
        keep.append(word)
    return " ".join(keep)


def coarse_address(address: str | None) -> str | None:
    """The address without personal numbers or the house number ("27 Hùng Vương, phường
    Thuận Hóa" → "Hùng Vương, phường Thuận Hóa")."""
    if not address:
        return address
    parts = [_part_without_house(part) for part in redact_text(address).split(",")]
    return ", ".join(p.strip() for p in parts if p.strip()) or None


def coarse(value: float | None) -> float | None:
    """A coordinate at the published precision."""
    return None if value is None else round(float(value), COORD_DECIMALS)


def public_note(note: str | None) -> str | None:
    """A supervisor's note for the public, as it may be published and sent."""
    return redact_text(note) if note else note


def face(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` (a report, any columns) as the public may see it."""
    out = dict(row)
    description = out.pop("public_description", None)
    address = out.pop("public_address", None)
    if "description" in out:
        out["description"] = description or redact_text(row.get("description"))
    if "address" in out:
        out["address"] = (
            address if address or not row.get("address") else coarse_address(row["address"])
        )
    for name in ("lat", "long"):
        if name in out:
            out[name] = coarse(row.get(name))
    if out.get("status_notes"):
        out["status_notes"] = public_note(out["status_notes"])
    return out
