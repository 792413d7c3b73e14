"""What Zalo's error codes mean for a delivery, in one table (docs/channels.md shows it with
the source of each meaning).

Zalo answers errors with HTTP 200 and ``error`` ≠ 0. Each code falls in one of five
actions:

- ``refresh``: the access token is refused: refresh it and try once more;
- ``retry``: temporary (rate limit, Zalo's own trouble): the same row later;
- ``citizen``: this citizen cannot be written to (outside the messaging window, blocked,
  banned, restricted): the row is kept, undeliverable, with the reason, tried once;
- ``message``: this message cannot be sent as it is (a bad request): kept, failed, once;
- ``config``: the channel itself is broken (quota, OA not verified or not on a paid plan,
  app disabled): sending stops on the channel, loudly, and the rows wait.

A code not in the table is retried with backoff and logged, so it can be added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["refresh", "retry", "citizen", "message", "config"]


@dataclass(frozen=True)
class Meaning:
    action: Action
    reason: str  # the short code stored on the row (``outbox.reason``)
    text: str  # what Zalo means, in a few words


# The consultation-message API (POST /v3.0/oa/message/cs) and the OA API in general.
OA: dict[int, Meaning] = {
    -32: Meaning("retry", "rate_limited", "the app called the API too often (per minute)"),
    -200: Meaning("retry", "send_failed", "sending failed"),
    -218: Meaning("retry", "receive_limit", "the citizen has received too many messages"),
    -216: Meaning("refresh", "token", "access token invalid"),
    -220: Meaning("refresh", "token", "access token expired or revoked"),
    -201: Meaning("message", "invalid", "a parameter is invalid"),
    -210: Meaning("message", "too_long", "a parameter exceeds its limit"),
    -233: Meaning("message", "type_unsupported", "message type invalid or not supported"),
    -248: Meaning("message", "violation", "the content violates Zalo's platform standards"),
    -213: Meaning("citizen", "not_follower", "the citizen does not follow the OA"),
    -217: Meaning("citizen", "blocked", "the citizen blocked messages from the OA"),
    -227: Meaning("citizen", "banned", "the citizen's account is banned or inactive 45 days"),
    -230: Meaning("citizen", "window", "no interaction with the OA in the last 7 days"),
    -232: Meaning("citizen", "window", "no interaction yet, or the last one has expired"),
    -244: Meaning("citizen", "restricted", "the citizen restricted this message type"),
    -204: Meaning("config", "oa_disabled", "the Official Account is disabled"),
    -205: Meaning("config", "oa_missing", "the Official Account does not exist"),
    -209: Meaning("config", "api_unsupported", "API not supported: the app is not activated"),
    -211: Meaning("config", "quota", "the OA is out of quota"),
    -212: Meaning("config", "api_not_registered", "the app has not registered this API"),
    -219: Meaning("config", "app_disabled", "the app is removed or disabled"),
    -221: Meaning("config", "oa_not_verified", "the OA must be verified to use this"),
    -223: Meaning("config", "not_authorised", "the OA has not authorised this API for the app"),
    -224: Meaning("config", "plan", "the OA's service package does not include this"),
    -240: Meaning("config", "api_retired", "this version of the API has been shut down"),
}

# The template message API (ZNS, POST business.openapi.zalo.me/message/template). A
# template failure never stops the channel: the row goes to an operator instead.
ZNS: dict[int, Meaning] = {
    -124: Meaning("refresh", "token", "access token invalid"),
    -118: Meaning("citizen", "no_account", "the Zalo account does not exist or is disabled"),
    -139: Meaning("citizen", "template_refused", "the citizen refused this template type"),
    -140: Meaning("citizen", "template_refused", "the citizen is not eligible (policy)"),
    -141: Meaning("citizen", "template_refused", "the citizen refused messages from the OA"),
    -109: Meaning("config", "template_id", "the template id is invalid"),
    -115: Meaning("config", "template_quota", "out of quota or balance"),
    -117: Meaning("config", "template_permission", "the OA or app may not use this template"),
    -131: Meaning("config", "template_not_approved", "the template is not approved"),
    -144: Meaning("config", "template_quota", "daily quota exceeded"),
    -147: Meaning("config", "template_quota", "the template's daily quota is exceeded"),
    -249: Meaning("config", "template_uid", "the template cannot be sent to a user id"),
    -1121: Meaning("message", "template_data", "a value exceeds its maximum length"),
    -1122: Meaning("message", "template_data", "a template value is missing"),
}

UNKNOWN = Meaning("retry", "unknown", "not in the table: retried with backoff")


def oa(code: int) -> Meaning:
    """The meaning of an OA API error code."""
    return OA.get(code, UNKNOWN)


def zns(code: int) -> Meaning:
    """The meaning of a template (ZNS) API error code; OA codes are checked too (a token
    refused the OA way)."""
    return ZNS.get(code) or OA.get(code, UNKNOWN)


TOKEN_ERRORS = frozenset(
    code for table in (OA, ZNS) for code, m in table.items() if m.action == "refresh"
)
