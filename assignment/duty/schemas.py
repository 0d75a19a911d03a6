"""The duty rota's API shapes (API.md "Stations and duty rota"): marshmallow schemas of the input,
dump functions of the output, the explanation of a shift in words, and the OpenAPI answer schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from assignment.duty.models import (
    LEGAL_HELP_KINDS,
    ROTA_STATUSES,
    SHIFT_PARTS,
    SHIFT_STATUSES,
    SWAP_STATUSES,
    DutyRota,
    DutyShift,
    DutySwap,
)
from legalaid.errors import joined, say
from legalaid.limits import Date, Int, List, window_problem
from legalaid.openapi import (
    ANY_OBJECT,
    DATE,
    DATETIME,
    ID,
    INTEGER,
    STRING,
    array,
    named,
    nullable,
    obj,
    one_of,
)

Str = fields.String
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MAX_SHIFTS = 93  # 31 days, three parts
MAX_HELP = 1000


def _month_in_window(value: str) -> None:
    import datetime as dt

    try:
        first = dt.date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError):
        return  # the pattern says what is wrong
    problem = window_problem("planning", first)
    if problem:
        raise ma.ValidationError(problem)


class Month(fields.String):
    def __init__(self, **kwargs):
        pattern = validate.Regexp(MONTH_PATTERN, error="A month, YYYY-MM.")
        super().__init__(validate=[validate.Length(max=7), pattern, _month_in_window], **kwargs)


class WantedShiftSchema(ma.Schema):
    date = Date(required=True, window="planning")
    part = Str(required=True, validate=validate.OneOf(SHIFT_PARTS))


class RotaCreateSchema(ma.Schema):
    month = Month(required=True)
    pool_id = Int(required=True, validate=validate.Range(min=1))
    shifts = List(fields.Nested(WantedShiftSchema), required=True, max_items=MAX_SHIFTS)


class MonthRotasSchema(ma.Schema):
    """The month for every station of a duty pool: the same shifts at each."""

    month = Month(required=True)
    shifts = List(fields.Nested(WantedShiftSchema), required=True, max_items=MAX_SHIFTS)


class SwapAskSchema(ma.Schema):
    with_provider_id = Int(required=True, validate=validate.Range(min=1))


class ReassignSchema(ma.Schema):
    provider_id = Int(required=True, validate=validate.Range(min=1))


class LegalHelpSchema(ma.Schema):
    advice = Int(load_default=0, validate=validate.Range(min=0, max=MAX_HELP))
    procedural = Int(load_default=0, validate=validate.Range(min=0, max=MAX_HELP))
    plea_witness = Int(load_default=0, validate=validate.Range(min=0, max=MAX_HELP))
    meeting = Int(load_default=0, validate=validate.Range(min=0, max=MAX_HELP))
    opinion = Int(load_default=0, validate=validate.Range(min=0, max=MAX_HELP))


class CheckOutSchema(ma.Schema):
    legal_help = fields.Nested(LegalHelpSchema, load_default=dict)
    note = Str(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class RotaQueryArgs(ma.Schema):
    month = Month(required=True)


# --- the explanation in words ---

REASON_WORDS = {
    "other_shift": say("on another shift at that time"),
    "hearing": say("their own hearing that day"),
    "kind": say("a kind of provider this station does not take"),
}


def explanation_words(explanation: dict | None):
    """Why this provider (or why a gap), as a sentence: ``str()`` is English, ``shown()`` translates."""
    e = explanation or {}
    reasons = joined(
        [
            say("%(count)s %(reason)s", count=n, reason=REASON_WORDS.get(r, r))
            for r, n in sorted(e.get("reasons", {}).items())
        ]
    )
    if e.get("swapped"):
        return say("Taken over by an approved swap.")
    if e.get("reassigned"):
        return say("Reassigned by a coordinator.")
    if e.get("gap"):
        if reasons:
            return say("No one eligible was free (%(reasons)s).", reasons=reasons)
        return say("No one eligible was free.")
    picked = e.get("picked") or {}
    if reasons:
        return say(
            "Next in the rotation (owed %(deficit)s turns); passed over: %(reasons)s.",
            deficit=picked.get("deficit", 0),
            reasons=reasons,
        )
    return say("Next in the rotation (owed %(deficit)s turns).", deficit=picked.get("deficit", 0))


# --- output ---


def dump_swap(s: DutySwap) -> dict:
    return {
        "id": s.id,
        "shift_id": s.shift_id,
        "from_provider_id": s.from_provider_id,
        "to_provider_id": s.to_provider_id,
        "status": s.status,
        "asked_at": s.asked_at.isoformat(),
        "accepted_at": s.accepted_at.isoformat() if s.accepted_at else None,
        "decided_at": s.decided_at.isoformat() if s.decided_at else None,
    }


def dump_shift(s: DutyShift, swap: DutySwap | None = None) -> dict:
    return {
        "id": s.id,
        "rota_id": s.rota_id,
        "station_id": s.station_id,
        "date": s.on_date.isoformat(),
        "part": s.part,
        "provider_id": s.provider_id,
        "provider_name": s.provider.name if s.provider is not None else None,
        "status": s.status,
        "explanation": s.explanation or {},
        "why": str(explanation_words(s.explanation)),
        "checked_in_at": s.checked_in_at.isoformat() if s.checked_in_at else None,
        "checked_out_at": s.checked_out_at.isoformat() if s.checked_out_at else None,
        "legal_help": s.legal_help or {},
        "note": s.note,
        "swap": dump_swap(swap) if swap is not None else None,
    }


def dump_rota(r: DutyRota, shifts: list[DutyShift], swaps: dict | None = None) -> dict:
    swaps = swaps or {}
    return {
        "id": r.id,
        "station_id": r.station_id,
        "month": r.month,
        "pool_id": r.pool_id,
        "status": r.status,
        "created_at": r.created_at.isoformat(),
        "published_at": r.published_at.isoformat() if r.published_at else None,
        "gaps": sum(1 for s in shifts if s.provider_id is None),
        "shifts": [dump_shift(s, swaps.get(s.id)) for s in shifts],
    }


# --- answers (OpenAPI) ---

SWAP = named(
    "DutySwap",
    obj(
        {
            "id": ID,
            "shift_id": ID,
            "from_provider_id": ID,
            "to_provider_id": ID,
            "status": one_of(SWAP_STATUSES),
            "asked_at": DATETIME,
        },
        {"accepted_at": nullable(DATETIME), "decided_at": nullable(DATETIME)},
    ),
)
SHIFT = named(
    "DutyShift",
    obj(
        {
            "id": ID,
            "rota_id": ID,
            "station_id": ID,
            "date": DATE,
            "part": one_of(SHIFT_PARTS),
            "status": one_of(SHIFT_STATUSES),
            "explanation": ANY_OBJECT,
            "why": STRING,
            "legal_help": obj({}, {k: INTEGER for k in LEGAL_HELP_KINDS}),
        },
        {
            "provider_id": nullable(ID),
            "provider_name": nullable(STRING),
            "checked_in_at": nullable(DATETIME),
            "checked_out_at": nullable(DATETIME),
            "note": nullable(STRING),
            "swap": nullable(SWAP),
        },
    ),
)
ROTA = named(
    "DutyRota",
    obj(
        {
            "id": ID,
            "station_id": ID,
            "month": STRING,
            "pool_id": ID,
            "status": one_of(ROTA_STATUSES),
            "created_at": DATETIME,
            "gaps": INTEGER,
            "shifts": array(SHIFT),
        },
        {"published_at": nullable(DATETIME)},
    ),
)
MY_SHIFTS = obj({"items": array(SHIFT), "total": INTEGER, "swaps_asked": array(SWAP)})
