"""What the supervision scheduling endpoints answer, for the OpenAPI document (legalaid.openapi).

Each schema follows its dump function in ``supervision.scheduling.schemas``."""

from __future__ import annotations

from legalaid.openapi import (
    BOOLEAN,
    DATE,
    DATETIME,
    ID,
    INTEGER,
    NUMBER,
    STRING,
    Page,
    array,
    items_of,
    named,
    nullable,
    obj,
    one_of,
    page_of,
)
from supervision.scheduling.models import (
    CALL_PURPOSES,
    CALL_STATUSES,
    HEARING_STATUSES,
    OBSERVATION_STATUSES,
    RED_FLAG_STATUSES,
    SATISFACTION,
)

RATING = nullable({"type": "integer", "minimum": 1, "maximum": 5})

OBSERVATION_BRIEF = obj(
    {"id": ID, "observer_id": nullable(ID), "status": one_of(OBSERVATION_STATUSES)},
    {"reason": nullable(STRING)},
)

HEARING = named(
    "Hearing",
    obj(
        {
            "id": ID,
            "case_id": ID,
            "starts_at": DATETIME,
            "court": STRING,
            "status": one_of(HEARING_STATUSES),
            "observation": nullable(OBSERVATION_BRIEF),
        },
        {
            "provider_id": nullable(ID),
            "ends_at": nullable(DATETIME),
            "room": nullable(STRING),
            "observe": nullable(BOOLEAN),
            "observation_reason": nullable(STRING),
            "sample_draw": nullable(NUMBER),
            "sample_rate": nullable(NUMBER),
        },
    ),
)

OBSERVATION = named(
    "Observation",
    obj(
        {
            "id": ID,
            "hearing_id": ID,
            "case_id": ID,
            "observer_id": nullable(ID),
            "status": one_of(OBSERVATION_STATUSES),
        },
        {
            "provider_id": nullable(ID),
            "reason": nullable(STRING),
            "starts_at": nullable(DATETIME),
            "ends_at": nullable(DATETIME),
            "preparation": RATING,
            "examination": RATING,
            "argument": RATING,
            "effect": RATING,
            "court_view": nullable(STRING),
            "notes": nullable(STRING),
            "reported_at": nullable(DATETIME),
        },
    ),
)

ATTEMPT = named(
    "CallAttempt",
    obj(
        {"id": ID, "call_id": ID, "reached": BOOLEAN},
        {
            "by_id": nullable(ID),
            "at": DATETIME,
            "satisfaction": one_of(SATISFACTION, null=True),
            "took_money": nullable(BOOLEAN),
            "notes": nullable(STRING),
        },
    ),
)

CALL = named(
    "FollowUpCall",
    obj(
        {
            "id": ID,
            "case_id": ID,
            "purpose": one_of(CALL_PURPOSES),
            "due_on": DATE,
            "status": one_of(CALL_STATUSES),
            "caller_id": nullable(ID),
        },
        {
            "provider_id": nullable(ID),
            "via_contact": BOOLEAN,
            "callee_name": nullable(STRING),
            "phone": nullable(STRING),
            "failed_attempts": INTEGER,
            "done_at": nullable(DATETIME),
            "attempts": array(ATTEMPT),
            "script": array(STRING),
        },
    ),
)

ATTEMPT_WITH_CALL = named("CallAttemptRecorded", {"allOf": [ATTEMPT, obj({"call": CALL})]})

CALL_PAGE = Page(obj({"items": array(CALL), "total": INTEGER, "total_capped": BOOLEAN}))

MY_CALLS = page_of({"allOf": [CALL, obj({"mine": BOOLEAN})]}, capped=True)

RED_FLAG = named(
    "RedFlag",
    obj(
        {"id": ID, "case_id": ID, "status": one_of(RED_FLAG_STATUSES)},
        {
            "provider_id": nullable(ID),
            "call_id": nullable(ID),
            "kind": STRING,
            "raised_at": DATETIME,
            "resolved_at": nullable(DATETIME),
            "resolved_by": nullable(ID),
            "resolution_reason": nullable(STRING),
        },
    ),
)

DEADLINES = Page(
    obj(
        {
            "items": array(
                obj(
                    {"case_id": ID, "deadline": STRING, "due_on": DATE, "state": STRING},
                    {"case_number": STRING, "label": STRING, "days_overdue": INTEGER},
                )
            ),
            "total": INTEGER,
            "total_capped": BOOLEAN,
        }
    )
)

CALENDAR_DAY = named("CalendarDay", obj({"day": DATE, "working": BOOLEAN}, {"note": nullable(STRING)}))

CALENDAR_DAYS = items_of(CALENDAR_DAY)

REMINDER = obj(
    {"id": ID, "kind": STRING, "read": BOOLEAN},
    {
        "subject": nullable(STRING),
        "body": nullable(STRING),
        "link": nullable(STRING),
        "sent_at": nullable(DATETIME),
        "event_at": nullable(DATETIME),
    },
)

# A page of reminders (?page=, ?per_page=) with the unread count.
INBOX = Page(obj({"items": array(REMINDER), "total": INTEGER, "unread": INTEGER}))

MARKED = obj({"marked": INTEGER})

FEED = obj({"url": STRING})
