"""Duplicate detection at filing, the way FixMyStreet does it: same problem, same place, lately.

A candidate is an open report of the same category filed in the last 7 days, either within
250 m (both have coordinates) or in the same ward with a similar address. Addresses are
compared after folding (no accents, lower case) and dropping words every address shares.
"""

from __future__ import annotations

import math
import re
from difflib import SequenceMatcher

from bot.base.text import fold

RADIUS_M = 250.0
WINDOW_DAYS = 7
SIMILARITY = 0.75
EARTH_M = 6_371_000.0
# Words that say nothing about where: "số 12 đường Lê Lợi, phường Vỹ Dạ" → "12 le loi".
FILLER = {
    "so", "duong", "d", "pho", "kiet", "hem", "ngo", "ngach", "phuong", "p", "xa", "thon",
    "to", "khu", "vuc", "tp", "thanh", "hue", "tinh", "quan", "huyen", "gan", "truoc", "cua",
    "o", "tai", "doan", "cho", "nha", "canh", "doi", "dien", "street", "st", "road",
    "ward", "near", "at", "in", "the", "of",
}  # fmt: skip


def address_key(address: str | None, ward: str | None = None) -> str:
    """A comparable form of an address: folded, punctuation and filler words removed."""
    words = re.findall(r"[a-z0-9]+", fold(address or ""))
    ward_words = set(re.findall(r"[a-z0-9]+", fold(ward or "")))
    kept = [w for w in words if w not in FILLER and w not in ward_words]
    return " ".join(kept)


def similar(a: str, b: str) -> bool:
    """Two address keys name the same place: equal, one inside the other, or close spelling."""
    if not a or not b:
        return False
    if a == b or (len(a) >= 6 and a in b) or (len(b) >= 6 and b in a):
        return True
    return SequenceMatcher(None, a, b).ratio() >= SIMILARITY


def distance_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(h))


def box(lat: float, long: float, radius_m: float = RADIUS_M) -> tuple[float, float, float, float]:
    """A lat/long bounding box around a point, for an indexed pre-filter."""
    dlat = math.degrees(radius_m / EARTH_M)
    dlong = math.degrees(radius_m / (EARTH_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lat + dlat, long - dlong, long + dlong
