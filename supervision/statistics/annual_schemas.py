"""What the annual report endpoint answers, for the OpenAPI document (legalaid.openapi)."""

from __future__ import annotations

from legalaid.openapi import DATE, INTEGER, NUMBER, STRING, array, named, nullable, obj, one_of

FIGURE = named(
    "AnnualFigure",
    obj(
        {
            "key": STRING,
            "label": STRING,
            "definition": STRING,
            "unit": one_of(("count", "persons", "fen", "percent", "points")),
            "value": nullable(NUMBER),
            "previous": nullable(NUMBER),
            "growth": nullable(NUMBER),
        },
        {"change": nullable(NUMBER)},
    ),
)

ANNUAL_REPORT = named(
    "AnnualReport",
    obj(
        {
            "year": nullable(INTEGER),
            "first_month": INTEGER,
            "from": DATE,
            "to": DATE,
            "previous_from": DATE,
            "previous_to": DATE,
            "sections": array(obj({"key": STRING, "title": STRING, "figures": array(FIGURE)})),
        },
        {
            "breakdowns": {"type": "object"},
            "monthly": array({"type": "object"}),
        },
    ),
)
