"""What the panel, case and assignment endpoints answer, for the OpenAPI document (legalaid.openapi).

Each schema follows its dump function in ``assignment.schemas``: the fields API.md promises are
required, the rest listed with their types, and more may be added without breaking a client."""

from __future__ import annotations

from assignment.models import (
    APPLICANT_CATEGORIES,
    CASE_STATUSES,
    CASE_TYPES,
    ORGANIZATION_KINDS,
    PROVIDER_KINDS,
)
from legalaid.openapi import (
    BOOLEAN,
    DATE,
    DATETIME,
    ID,
    INTEGER,
    NUMBER,
    STRING,
    array,
    items_of,
    named,
    nullable,
    obj,
    one_of,
)

ORGANIZATION = named(
    "Organization",
    obj(
        {"id": ID, "name": STRING, "kind": one_of(ORGANIZATION_KINDS)},
        {"area": nullable(STRING), "bank_account": nullable(STRING), "bank_name": nullable(STRING)},
    ),
)

PROVIDER = named(
    "Provider",
    obj(
        {
            "id": ID,
            "name": STRING,
            "kind": one_of(PROVIDER_KINDS),
            "organization_id": ID,
            "practice_since": DATE,
            "active": BOOLEAN,
        },
        {
            "organization": STRING,
            "max_open_cases": nullable(INTEGER),
            "open_cases": INTEGER,
            "prior_legal_aid_cases": INTEGER,
            "specialties": array(STRING),
            "areas": array(STRING),
            "phone": nullable(STRING),
            "email": nullable(STRING),
            "bank_account": nullable(STRING),
            "bank_name": nullable(STRING),
        },
    ),
)

LEAVE = named(
    "Leave", obj({"id": ID, "provider_id": ID, "from": DATE, "to": DATE}, {"note": nullable(STRING)})
)

CONFLICT = named("Conflict", obj({"id": ID, "provider_id": ID, "party_name": STRING}))

POOL = named(
    "Pool",
    obj(
        {
            "id": ID,
            "name": STRING,
            "case_types": array(one_of(CASE_TYPES)),
            "provider_kinds": array(one_of(PROVIDER_KINDS)),
        },
        {"area": nullable(STRING)},
    ),
)

MEMBER = named(
    "PoolMember",
    obj(
        {"pool_id": ID, "provider_id": ID, "weight": NUMBER},
        {"turns": INTEGER, "away": nullable(STRING)},
    ),
)

POOL_WITH_MEMBERS = named("PoolWithMembers", {"allOf": [POOL, obj({"members": array(MEMBER)})]})

CAUSES = items_of(obj({"code": STRING, "label": STRING}, {"label_zh": STRING}))

APPLICANT_IN_LIST = obj(
    {"name": STRING, "id_number": STRING},
    {"categories": array(one_of(APPLICANT_CATEGORIES)), "phone": nullable(STRING)},
)

CASE_SUMMARY = named(
    "CaseSummary",
    obj(
        {
            "id": ID,
            "number": STRING,
            "status": one_of(CASE_STATUSES),
            "case_type": one_of(CASE_TYPES),
            "green_channel": BOOLEAN,
        },
        {
            "cause": STRING,
            "received_on": DATE,
            "applicant": APPLICANT_IN_LIST,
            "opposing_party": nullable(STRING),
            "stage": nullable(STRING),
            "intake_point": nullable(STRING),
            "station_id": nullable(ID),
        },
    ),
)

DEADLINES = {
    "type": "object",
    "additionalProperties": obj(
        {"due_on": nullable(DATE), "state": STRING}, {"done_on": nullable(DATE), "due_at": DATETIME}
    ),
}

CANDIDATE = obj(
    {"provider_id": ID, "eligible": BOOLEAN},
    {"reason": nullable(STRING), "picked": BOOLEAN, "deficit": nullable(NUMBER)},
)

ASSIGNMENT = named(
    "Assignment",
    obj(
        {"id": ID, "case_id": ID, "provider_id": ID, "mode": STRING, "status": STRING},
        {
            "provider": STRING,
            "pool_id": nullable(ID),
            "reason_code": nullable(STRING),
            "reason": nullable(STRING),
            "override": BOOLEAN,
            "assigned_at": nullable(DATETIME),
            "respond_by": nullable(DATETIME),
            "accepted_at": nullable(DATETIME),
            "ended_at": nullable(DATETIME),
            "decline_reason_code": nullable(STRING),
            "candidates": array(CANDIDATE),
        },
    ),
)

# The answer to an assignment made (API.md): with the bounded candidate table.
ASSIGNMENT_MADE = named("AssignmentMade", {"allOf": [ASSIGNMENT, obj({"candidates": array(CANDIDATE)})]})

# A provider's own assignment: with the case's summary, its deadlines and why them.
MY_ASSIGNMENT = named(
    "MyAssignment",
    {
        "allOf": [
            ASSIGNMENT,
            obj({"case": CASE_SUMMARY}, {"deadlines": DEADLINES, "why_you": STRING}),
        ]
    },
)

CASE = named(
    "Case",
    {
        "allOf": [
            CASE_SUMMARY,
            obj(
                {"deadlines": DEADLINES, "assignment": nullable(ASSIGNMENT)},
                {
                    "source": STRING,
                    "group_size": INTEGER,
                    "major": BOOLEAN,
                    "max_sentence": nullable(STRING),
                    "juvenile": BOOLEAN,
                    "previous_case_id": nullable(ID),
                    "opposing_case_id": nullable(ID),
                    "contact": obj({}, {"name": nullable(STRING), "phone": nullable(STRING)}),
                    "station_received_at": nullable(DATETIME),
                    "centre_received_at": nullable(DATETIME),
                    "detained": BOOLEAN,
                    "means_test": nullable(STRING),
                    "means_test_proof": nullable(STRING),
                    "decided_on": nullable(DATE),
                    "rejection_reason": nullable(STRING),
                    "materials_missing": nullable(array(STRING)),
                    "materials_supply_by": nullable(DATE),
                    "withdrawn_reason": nullable(STRING),
                },
            ),
        ]
    },
)

NEXT_IN_LINE = items_of(obj({"provider_id": ID}, {"deficit": NUMBER}))

ROTATION_REPORT = named(
    "RotationReport",
    obj(
        {
            "members": array(
                obj(
                    {"provider_id": ID, "count": INTEGER, "expected": NUMBER},
                    {"name": STRING, "weight": NUMBER},
                )
            ),
            "spread": INTEGER,
            "top_decile_ratio": NUMBER,
            "overrides": INTEGER,
        },
        {
            "pool_id": ID,
            "from": nullable(DATE),
            "to": nullable(DATE),
            "total": INTEGER,
            "top_decile_within_limit": BOOLEAN,
            "overrides_by_coordinator": array(obj({"coordinator_id": nullable(ID), "count": INTEGER})),
            "declines_by_coordinator": array(obj({"coordinator_id": nullable(ID), "count": INTEGER})),
        },
    ),
)
