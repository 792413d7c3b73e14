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
