"""What of a report the public may see: one definition for Open311, `check_status`,
`reports list`, exports without personal data, and the desk."""

from __future__ import annotations

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
assert set(EXTRA_FIELDS) <= set(PUBLIC_COLUMNS)
assert {f for f in REQUEST_FIELDS if f in PUBLIC_COLUMNS} | {
    "service_notice",
    "address_id",
    "zipcode",
} == set(REQUEST_FIELDS)
