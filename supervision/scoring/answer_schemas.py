"""What the closing and scoring endpoints answer, for the OpenAPI document (legalaid.openapi).

Each schema follows its dump function in ``supervision.scoring.schemas``; a provider's view of a
file or sheet leaves out the scorers' fields, so those are optional here."""

from __future__ import annotations

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
from supervision.scoring.models import (
    CASE_TYPES,
    CHECKLIST_STATUSES,
    FILE_STATUSES,
    GRADES,
    SHEET_ROLES,
    SHEET_STATUSES,
)

GRADE = one_of(GRADES, null=True)

CLOSING_DOCUMENTS = items_of(
    obj({"code": STRING, "label": STRING, "required": BOOLEAN}, {"label_zh": STRING, "label_en": STRING})
)

CLOSING = named(
    "Closing",
    obj(
        {"case_id": ID, "ended_on": DATE, "outcome": STRING, "documents": array(obj({"code": STRING}))},
        {
            "provider_id": nullable(ID),
            "terminated": BOOLEAN,
            "termination_ground": nullable(STRING),
            "termination_note": nullable(STRING),
            "retainer_signed_on": nullable(DATE),
            "recovered_fen": nullable(INTEGER),
            "hand_in": obj(
                {},
                {
                    "due_on": nullable(DATE),
                    "complete": BOOLEAN,
                    "complete_on": nullable(DATE),
                    "missing": array(STRING),
                    "late": BOOLEAN,
                    "days_late": INTEGER,
                    "late_documents": array(STRING),
                },
            ),
        },
    ),
)

CASE_CLOSED = named("CaseClosed", {"allOf": [CLOSING, obj({"status": STRING})]})

CHECKLIST_ENTRY = obj(
    {"code": STRING, "label": STRING},
    {
        "label_zh": STRING,
        "label_en": STRING,
        "max_points": NUMBER,
        "guidance": nullable(STRING),
        "evidence": nullable(STRING),
        "auto": nullable(STRING),
    },
)

CHECKLIST = named(
    "ChecklistVersion",
    obj(
        {
            "id": ID,
            "version": INTEGER,
            "items": array({"allOf": [CHECKLIST_ENTRY, obj({"max_points": NUMBER})]}),
            "veto_items": array(CHECKLIST_ENTRY),
        },
        {
            "case_type": one_of(CASE_TYPES),
            "name": nullable(STRING),
            "status": one_of(CHECKLIST_STATUSES),
            "effective_from": DATE,
            "grade_bands": nullable({"type": "object"}),
            "notes": nullable(STRING),
            "published_at": nullable(DATETIME),
        },
    ),
)

SHEET = named(
    "ScoreSheet",
    obj(
        {
            "id": ID,
            "case_id": ID,
            "status": one_of(SHEET_STATUSES),
            "total": nullable(NUMBER),
            "grade": GRADE,
        },
        {
            "checklist_id": nullable(ID),
            "role": one_of(SHEET_ROLES),
            "vetoes": array(STRING),
            "veto_note": nullable(STRING),
            "items": array(
                obj(
                    {"code": STRING},
                    {"points": nullable(NUMBER), "na": BOOLEAN, "note": nullable(STRING), "suggested": {}},
                )
            ),
            "submitted_at": nullable(DATETIME),
            "scorer_id": nullable(ID),
            "suggested_vetoes": {"type": "object"},
        },
    ),
)

SUBMITTED = named(
    "ScoreSubmitted",
    obj({"status": one_of(FILE_STATUSES), "total": nullable(NUMBER), "grade": GRADE}, {"sheet": SHEET}),
)

SCORE_FILE = named(
    "ScoreFile",
    obj(
        {"case_id": ID, "status": one_of(FILE_STATUSES), "total": nullable(NUMBER), "grade": GRADE},
        {
            "case_type": one_of(CASE_TYPES),
            "provider_id": nullable(ID),
            "veto": nullable(BOOLEAN),
            "checklist_id": nullable(ID),
            "ended_on": DATE,
            "finalised_on": nullable(DATE),
            "appeal_by": nullable(DATE),
            "accepted": BOOLEAN,
            "appeal": nullable(
                obj(
                    {"reason": STRING},
                    {
                        "appealed_at": DATETIME,
                        "outcome": nullable(STRING),
                        "decision": nullable(STRING),
                        "decided_at": nullable(DATETIME),
                    },
                )
            ),
            "in_sample": nullable(BOOLEAN),
            "sample_draw": nullable(NUMBER),
            "organization_id": nullable(ID),
            "sheets": array(obj({"status": one_of(SHEET_STATUSES)})),
        },
    ),
)

_FIGURES = {"count": INTEGER, "average": nullable(NUMBER), "grades": {"type": "object"}}

QUALITY_REPORT = named(
    "QualityReport",
    obj(
        {"overall": obj(_FIGURES), "providers": array(obj(_FIGURES))},
        {
            "from": nullable(DATE),
            "to": nullable(DATE),
            "providers_total": INTEGER,
            "page": INTEGER,
            "per_page": INTEGER,
            "organizations": array(obj(_FIGURES)),
            "months": array(obj(_FIGURES, {"month": STRING})),
            "scorers": array(
                obj(
                    {"scorer_id": ID, "count": INTEGER, "average": nullable(NUMBER)},
                    {"name": nullable(STRING), "others_average": nullable(NUMBER), "drift": nullable(NUMBER)},
                )
            ),
        },
    ),
)
