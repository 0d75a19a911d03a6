"""What the archive, subsidy and payment-batch endpoints answer, for the OpenAPI document
(legalaid.openapi). Each schema follows its dump function in ``supervision.subsidies.schemas``."""

from __future__ import annotations

from legalaid.openapi import (
    BOOLEAN,
    DATE,
    DATETIME,
    ID,
    INTEGER,
    STRING,
    array,
    items_of,
    named,
    nullable,
    obj,
    one_of,
)
from supervision.subsidies.models import (
    BATCH_STATUSES,
    RATE_CASE_TYPES,
    RATE_PROVIDER_KINDS,
    SUBSIDY_STATUSES,
)

ARCHIVE = named(
    "Archive",
    obj(
        {"case_id": ID, "archive_number": {"type": "string", "pattern": r"^\d{4}-\d{5}$"}},
        {
            "id": ID,
            "year": INTEGER,
            "archived_on": DATE,
            "archived_at": DATETIME,
            "archived_by": nullable(ID),
        },
    ),
)

CORRECTED = obj({"case_id": ID, "corrected": array(STRING)})

ARCHIVE_ROW = obj(
    {"id": ID, "archive_number": STRING, "year": INTEGER, "archived_on": DATE, "case_id": ID},
    {"archived_by": nullable(ID), "case_number": STRING, "case_type": STRING, "cause": nullable(STRING)},
)

SUBSIDY = named(
    "Subsidy",
    obj(
        # API.md: the list shows amount_fen, breakdown, case_id, provider_id, archived_on (null until
        # the file is archived: the amount is computed then).
        {
            "id": ID,
            "case_id": nullable(ID),
            "provider_id": ID,
            "status": one_of(SUBSIDY_STATUSES),
            "amount_fen": nullable(INTEGER),
            "breakdown": nullable({}),
            "archived_on": nullable(DATE),
        },
        {
            "kind": one_of(("case", "duty")),  # issue 14: a duty shift's subsidy has no case
            "duty_shift_id": nullable(ID),
            "duty_month_id": nullable(ID),
            "station_id": nullable(ID),
            "assignment_id": nullable(ID),
            "archive_id": nullable(ID),
            "batch_id": nullable(ID),
            "held_from": nullable(STRING),
            "hold_reason": nullable(STRING),
            "reversal_of_id": nullable(ID),
            "reason": nullable(STRING),
            "paid_on": nullable(DATE),
            "bank_reference": nullable(STRING),
            "age_days": nullable(INTEGER),
            "days_left": nullable(INTEGER),
            "overdue": BOOLEAN,
            "waiting_for": nullable(STRING),
            "cannot_pay_because": nullable(STRING),
        },
    ),
)

BATCH = named(
    "PaymentBatch",
    obj(
        {"id": ID, "status": one_of(BATCH_STATUSES), "count": INTEGER, "total_fen": INTEGER},
        {
            "payee_mode": STRING,
            "created_at": DATETIME,
            "created_by": nullable(ID),
            "bank_reference": nullable(STRING),
            "paid_on": nullable(DATE),
            "confirmed_at": nullable(DATETIME),
            "failed_count": nullable(INTEGER),
            "cancelled_at": nullable(DATETIME),
        },
    ),
)

BATCH_WITH_ITEMS = named(
    "PaymentBatchWithItems",
    {
        "allOf": [
            BATCH,
            obj(
                {
                    "items": array(
                        obj({"subsidy_id": ID, "amount_fen": INTEGER}, {"bank_account": nullable(STRING)})
                    ),
                    "total": INTEGER,  # the batch's items; ``items`` is one page (?page=&per_page=)
                }
            ),
        ]
    },
)

_TOTAL = obj({"total_fen": INTEGER, "count": INTEGER})

RECONCILIATION = named(
    "Reconciliation",
    obj(
        {"paid_total_fen": INTEGER, "outstanding": {"type": "object", "additionalProperties": _TOTAL}},
        {
            "by_month": array(obj({"month": STRING, "total_fen": INTEGER, "count": INTEGER})),
            "by_organization": array(obj({"organization_id": ID, "total_fen": INTEGER, "count": INTEGER})),
            "by_provider": array(obj({"provider_id": ID, "total_fen": INTEGER, "count": INTEGER})),
            "from": nullable(DATE),
            "to": nullable(DATE),
            "providers_total": INTEGER,
            "page": INTEGER,
            "per_page": INTEGER,
        },
    ),
)

RATE = obj(
    {
        "id": ID,
        "case_type": one_of(RATE_CASE_TYPES),
        "provider_kind": one_of(RATE_PROVIDER_KINDS),
        "effective_from": DATE,
        "amount_fen": INTEGER,
    },
    {"stage": nullable(STRING), "note": nullable(STRING)},
)

RATES = items_of(RATE)

RATE_ADDED = obj({"id": ID, "effective_from": DATE, "amount_fen": INTEGER})
