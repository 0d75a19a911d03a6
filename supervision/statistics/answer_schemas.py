"""What the statistics endpoint answers, for the OpenAPI document (legalaid.openapi)."""

from __future__ import annotations

from legalaid.openapi import DATE, INTEGER, named, obj

_TOTAL = obj({"count": INTEGER, "amount_fen": INTEGER})

SUMMARY = named(
    "Summary",
    obj(
        # Finance reads the subsidy figures only (DESIGN.md §5); the other sections are for staff.
        {"from": DATE, "to": DATE, "subsidies": obj({}, {"paid": _TOTAL, "payable": _TOTAL, "held": _TOTAL})},
        {
            "cases": {"type": "object"},
            "observations": {"type": "object"},
            "satisfaction": {"type": "object"},
            "scores": {"type": "object"},
            "monthly": {"type": "array", "items": {"type": "object"}},
        },
    ),
)
