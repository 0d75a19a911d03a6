"""Request bodies and response shapes of closing and scoring (API.md "Closing, scoring, archive").

Each dump is per audience where it matters: a provider never sees a draft or another marker's
unfinished work, only the final score with every note."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from legalaid.limits import MAX_AMOUNT_FEN, Bool, Date, Int, List
from supervision.scoring.closing import hand_in_status
from supervision.scoring.defaults import TERMINATION_GROUNDS
from supervision.scoring.models import (
    APPEAL_OUTCOMES,
    CASE_TYPES,
    FILE_STATUSES,
    Checklist,
    ScoreFile,
    ScoreSheet,
)
from supervision.scoring.reports import PROVIDER_SORTS

# A checklist's items, a sheet's lines and a file's closing materials are a few dozen at most.
MAX_ITEMS = 50
MAX_DOCUMENTS = 30
POINTS = validate.Range(min=0, max=100)


class ClosingSchema(ma.Schema):
    ended_on = Date(required=True, window="past")
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=200))
    terminated = Bool(load_default=False)
    termination_ground = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(TERMINATION_GROUNDS)
    )
    termination_note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    retainer_signed_on = Date(allow_none=True, load_default=None, window="past")
    # The amount recovered or obtained for the client, in fen (optional; the annual report sums it).
    recovered_fen = Int(
        big=True, allow_none=True, load_default=None, validate=validate.Range(min=0, max=MAX_AMOUNT_FEN)
    )
    documents = List(
        fields.String(validate=validate.Length(max=40)),
        load_default=list,
        max_items=MAX_DOCUMENTS,
        unique=True,
    )


class DocumentsSchema(ma.Schema):
    documents = List(
        fields.String(validate=validate.Length(max=40)),
        required=True,
        validate=validate.Length(min=1),
        max_items=MAX_DOCUMENTS,
        unique=True,
    )


class CaseTypeArgs(ma.Schema):
    case_type = fields.String(required=True, validate=validate.OneOf(CASE_TYPES))


class ScoreItemSchema(ma.Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    points = fields.Decimal(allow_none=True, load_default=None, allow_nan=False, validate=POINTS)
    na = Bool(load_default=False)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class ScoreSheetSchema(ma.Schema):
    # Each item once: the same item twice would leave it to chance which points count.
    items = List(fields.Nested(ScoreItemSchema), load_default=list, max_items=MAX_ITEMS, unique="code")
    vetoes = List(
        fields.String(validate=validate.Length(max=40)), load_default=None, max_items=MAX_ITEMS, unique=True
    )
    veto_note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class AppealSchema(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class AppealDecisionSchema(ma.Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(APPEAL_OUTCOMES))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    sheet_id = Int(strict=True, allow_none=True, load_default=None)


class ChecklistEntrySchema(ma.Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    label_zh = fields.String(required=True, validate=validate.Length(min=1, max=200))
    label_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    max_points = fields.Decimal(load_default=Decimal(0), allow_nan=False, validate=POINTS)
    guidance = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))
    evidence = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))
    auto = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=40))


class ChecklistSchema(ma.Schema):
    case_type = fields.String(required=True, validate=validate.OneOf(CASE_TYPES))
    effective_from = Date(required=True, window="planning")
    name = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    grade_bands = fields.Dict(
        keys=fields.String(validate=validate.Length(max=20)),
        values=fields.Decimal(allow_nan=False, validate=POINTS),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=10),
    )
    notes = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))
    items = List(fields.Nested(ChecklistEntrySchema), required=True, max_items=MAX_ITEMS, unique="code")
    veto_items = List(
        fields.Nested(ChecklistEntrySchema), load_default=list, max_items=MAX_ITEMS, unique="code"
    )


class ScoreFileArgs(ma.Schema):
    status = fields.String(validate=validate.OneOf(FILE_STATUSES))
    provider_id = Int()
    case_type = fields.String(validate=validate.OneOf(CASE_TYPES))


class QualityArgs(ma.Schema):
    date_from = Date(data_key="from", load_default=None, window="planning")
    date_to = Date(data_key="to", load_default=None, window="planning")
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    organization_id = Int(load_default=None, validate=validate.Range(min=1))
    sort = PROVIDER_SORTS.field()


def number(value: Decimal | None) -> float | None:
    """Points and totals have one decimal: a JSON number carries them exactly enough."""
    return None if value is None else float(value)


def dump_closing(closing, case_type: str) -> dict:
    return {
        "case_id": closing.case_id,
        "provider_id": closing.provider_id,
        "ended_on": closing.ended_on.isoformat(),
        "outcome": closing.outcome,
        "terminated": closing.terminated,
        "termination_ground": closing.termination_ground,
        "termination_note": closing.termination_note,
        "retainer_signed_on": closing.retainer_signed_on.isoformat() if closing.retainer_signed_on else None,
        "recovered_fen": closing.recovered_fen,
        "documents": [
            {"code": d.code, "handed_in_on": d.handed_in_on.isoformat(), "late": d.late}
            for d in closing.documents
        ],
        "hand_in": {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in hand_in_status(closing, case_type).items()
        },
    }


def dump_checklist(checklist: Checklist, english: bool = False) -> dict:
    def entry(e):
        return {
            "code": e.code,
            "label": e.label_en if english else e.label_zh,
            "label_zh": e.label_zh,
            "label_en": e.label_en,
            "max_points": number(e.max_points),
            "guidance": e.guidance,
            "evidence": e.evidence,
            "auto": e.auto,
        }

    return {
        "id": checklist.id,
        "case_type": checklist.case_type,
        "version": checklist.version,
        "name": checklist.name,
        "status": checklist.status,
        "effective_from": checklist.effective_from.isoformat(),
        "grade_bands": checklist.grade_bands,
        "items": [entry(e) for e in checklist.items],
        "veto_items": [
            {k: v for k, v in entry(e).items() if k != "max_points"} for e in checklist.veto_items
        ],
        "notes": checklist.notes,
        "published_at": checklist.published_at.isoformat() if checklist.published_at else None,
    }


def dump_sheet(sheet: ScoreSheet, *, for_provider: bool = False) -> dict:
    data = {
        "id": sheet.id,
        "case_id": sheet.case_id,
        "checklist_id": sheet.checklist_id,
        "role": sheet.role,
        "status": sheet.status,
        "total": number(sheet.total),
        "grade": sheet.grade,
        "vetoes": list(sheet.vetoes or []),
        "veto_note": sheet.veto_note,
        "items": [
            {
                "code": ln.code,
                "points": number(ln.points),
                "na": ln.na,
                "note": ln.note,
                "suggested": (sheet.suggestions.get("items", {}).get(ln.code) or None),
            }
            for ln in sheet.lines
        ],
        "submitted_at": sheet.submitted_at.isoformat() if sheet.submitted_at else None,
    }
    if not for_provider:
        data["scorer_id"] = sheet.scorer_id
        data["suggested_vetoes"] = sheet.suggestions.get("vetoes", {})
    return data


def dump_file(file: ScoreFile, *, for_provider: bool = False) -> dict:
    data = {
        "case_id": file.case_id,
        "case_type": file.case_type,
        "provider_id": file.provider_id,
        "status": file.status,
        "total": number(file.total),
        "grade": file.grade,
        "veto": file.veto,
        "checklist_id": file.checklist_id,
        "ended_on": file.ended_on.isoformat(),
        "finalised_on": file.finalised_on.isoformat() if file.finalised_on else None,
        "appeal_by": file.appeal_by.isoformat() if file.appeal_by else None,
        "accepted": file.accepted_at is not None,
        "appeal": None
        if file.appealed_at is None
        else {
            "reason": file.appeal_reason,
            "appealed_at": file.appealed_at.isoformat(),
            "outcome": file.appeal_outcome,
            "decision": file.appeal_decision,
            "decided_at": file.appeal_decided_at.isoformat() if file.appeal_decided_at else None,
        },
    }
    if for_provider:
        data["sheets"] = [dump_sheet(s, for_provider=True) for s in file.sheets if s.status == "submitted"]
    else:
        data["in_sample"] = file.in_sample
        data["sample_draw"] = file.sample_draw
        data["organization_id"] = file.organization_id
        data["sheets"] = [
            {
                "id": s.id,
                "role": s.role,
                "status": s.status,
                "scorer_id": s.scorer_id,
                "total": number(s.total),
                "grade": s.grade,
            }
            for s in file.sheets
        ]
    return data
