"""marshmallow schemas of the panel, case and assignment endpoints (input), and the dump functions
(output) with their per-audience views: ID numbers and bank accounts masked unless needed."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from assignment.intake import case_cursor, case_deadlines
from assignment.models import (
    APPLICANT_CATEGORIES,
    APPLICANT_SEXES,
    CASE_STATUSES,
    CASE_TYPES,
    DECLINE_REASONS,
    MAX_SENTENCES,
    MEANS_TESTS,
    ORGANIZATION_KINDS,
    PROVIDER_KINDS,
    SOURCES,
    STAGES,
    WINDOW_REASONS,
    Assignment,
    Case,
    PoolMember,
    Provider,
    RotationPool,
)
from assignment.panel import mask, masked_bank_account
from legalaid.limits import Bool, Date, DateTime, Int, List

Str = fields.String
MAX_MISSING_MATERIALS = 50


def _one_of(values):
    return validate.OneOf(values)


class OrganizationSchema(ma.Schema):
    name = Str(required=True, validate=validate.Length(min=1, max=200))
    kind = Str(required=True, validate=_one_of(ORGANIZATION_KINDS))
    area = Str(allow_none=True, load_default=None, validate=validate.Length(max=100))
    # The organisation's own account: the payee when subsidies are paid to organisations.
    bank_account = Str(allow_none=True, load_default=None, validate=validate.Length(max=60))
    bank_name = Str(allow_none=True, load_default=None, validate=validate.Length(max=120))


class ProviderUpdateSchema(ma.Schema):
    name = Str(validate=validate.Length(min=1, max=120))
    kind = Str(validate=_one_of(PROVIDER_KINDS))
    organization_id = Int(strict=True)
    practice_since = Date(window="practice")
    max_open_cases = Int(strict=True, allow_none=True, validate=validate.Range(min=1, max=500))
    active = Bool()
    prior_legal_aid_cases = Int(strict=True, validate=validate.Range(min=0, max=100000))
    phone = Str(allow_none=True, validate=validate.Length(max=30))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    specialties = List(Str(validate=validate.Length(min=1, max=60)), max_items=20, unique=True)
    areas = List(Str(validate=validate.Length(min=1, max=100)), max_items=20, unique=True)
    bank_account = Str(allow_none=True, validate=validate.Length(max=60))
    bank_name = Str(allow_none=True, validate=validate.Length(max=120))


class ProviderCreateSchema(ProviderUpdateSchema):
    name = Str(required=True, validate=validate.Length(min=1, max=120))
    kind = Str(required=True, validate=_one_of(PROVIDER_KINDS))
    organization_id = Int(required=True, strict=True)
    practice_since = Date(required=True, window="practice")


class LeaveSchema(ma.Schema):
    from_ = Date(required=True, data_key="from", window="planning")
    to = Date(required=True, window="planning")
    note = Str(allow_none=True, load_default=None, validate=validate.Length(max=200))


class ConflictSchema(ma.Schema):
    party_name = Str(required=True, validate=validate.Length(min=1, max=200))
    note = Str(allow_none=True, load_default=None, validate=validate.Length(max=200))


class PoolSchema(ma.Schema):
    name = Str(required=True, validate=validate.Length(min=1, max=200))
    case_types = List(
        Str(validate=_one_of(CASE_TYPES)),
        required=True,
        validate=validate.Length(min=1),
        max_items=len(CASE_TYPES),
        unique=True,
    )
    provider_kinds = List(
        Str(validate=_one_of(PROVIDER_KINDS)),
        required=True,
        validate=validate.Length(min=1),
        max_items=len(PROVIDER_KINDS),
        unique=True,
    )
    area = Str(allow_none=True, load_default=None, validate=validate.Length(max=100))


class PoolMemberSchema(ma.Schema):
    weight = fields.Float(
        allow_none=True, load_default=None, validate=validate.Range(min=0, min_inclusive=False, max=10)
    )


class ApplicantSchema(ma.Schema):
    name = Str(required=True, validate=validate.Length(min=1, max=120))
    sex = Str(allow_none=True, load_default=None, validate=_one_of(APPLICANT_SEXES))  # optional (issue 15)
    id_number = Str(required=True, validate=validate.Length(min=4, max=40))
    phone = Str(allow_none=True, load_default=None, validate=validate.Length(max=30))
    categories = List(
        Str(validate=_one_of(APPLICANT_CATEGORIES)),
        load_default=list,
        max_items=len(APPLICANT_CATEGORIES),
        unique=True,
    )


class ContactSchema(ma.Schema):
    name = Str(allow_none=True, load_default=None, validate=validate.Length(max=120))
    phone = Str(allow_none=True, load_default=None, validate=validate.Length(max=30))


class CaseCreateSchema(ma.Schema):
    case_type = Str(required=True, validate=_one_of(CASE_TYPES))
    cause = Str(required=True, validate=validate.Length(min=1, max=200))
    received_on = Date(required=True, window="past")
    applicant = fields.Nested(ApplicantSchema, required=True)
    opposing_party = Str(allow_none=True, load_default=None, validate=validate.Length(max=200))
    group_size = Int(strict=True, load_default=1, validate=validate.Range(min=1, max=100000))
    major = Bool(load_default=False)
    max_sentence = Str(allow_none=True, load_default=None, validate=_one_of(MAX_SENTENCES))
    juvenile = Bool(load_default=False)
    stage = Str(allow_none=True, load_default=None, validate=_one_of(STAGES))
    previous_case_id = Int(strict=True, allow_none=True, load_default=None)
    opposing_case_id = Int(strict=True, allow_none=True, load_default=None)
    source = Str(load_default="application", validate=_one_of(SOURCES))
    contact = fields.Nested(ContactSchema, allow_none=True, load_default=None)
    intake_point = Str(allow_none=True, load_default=None, validate=validate.Length(max=100))
    # Taken at a station (issue 14): its receipt is required then; the centre's may follow later.
    station_id = Int(strict=True, allow_none=True, load_default=None)
    station_received_at = DateTime(allow_none=True, load_default=None, window="past")
    centre_received_at = DateTime(allow_none=True, load_default=None, window="past")
    detained = Bool(load_default=False)


class CentreReceiptSchema(ma.Schema):
    received_at = DateTime(allow_none=True, load_default=None, window="past")


class CaseListArgs(ma.Schema):
    status = Str(validate=_one_of(CASE_STATUSES))
    case_type = Str(validate=_one_of(CASE_TYPES))
    q = Str(validate=validate.Length(max=100))
    green_channel = fields.Boolean()
    after = Str(validate=validate.Length(max=40))

    @ma.validates("after")
    def _a_place_in_the_list(self, value: str, **kwargs) -> None:
        if case_cursor(value) is None:
            raise ma.ValidationError("Not a place in this list: use the `next` of a page.")


class CaseReadArgs(ma.Schema):
    reveal = Str(load_default=None, validate=_one_of(("id_number",)))


class DecisionSchema(ma.Schema):
    approved = Bool(required=True)
    means_test = Str(allow_none=True, load_default=None, validate=_one_of(MEANS_TESTS))
    means_test_proof = Str(allow_none=True, load_default=None, validate=validate.Length(max=200))
    reason = Str(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class MaterialsRequestSchema(ma.Schema):
    # One notice lists everything missing (Law art. 43), each thing once.
    missing = List(
        Str(validate=validate.Length(min=1, max=200)),
        required=True,
        validate=validate.Length(min=1),
        max_items=MAX_MISSING_MATERIALS,
        unique=True,
    )
    supply_by = Date(allow_none=True, load_default=None, window="planning")


class WithdrawSchema(ma.Schema):
    reason = Str(allow_none=True, load_default=None, validate=validate.Length(max=200))


class AssignSchema(ma.Schema):
    mode = Str(load_default="rotation", validate=_one_of(("rotation", "window", "designated")))
    provider_id = Int(strict=True, allow_none=True, load_default=None)
    reason_code = Str(allow_none=True, load_default=None, validate=_one_of(WINDOW_REASONS))
    reason = Str(allow_none=True, load_default=None, validate=validate.Length(max=2000))

    @ma.validates_schema
    def _mode_needs(self, data, **kwargs):
        if data["mode"] in ("window", "designated") and data.get("provider_id") is None:
            raise ma.ValidationError("Required for this mode.", "provider_id")
        if data["mode"] == "window" and not data.get("reason_code"):
            raise ma.ValidationError("Required for a choice within the window.", "reason_code")
        if data["mode"] == "designated" and not (data.get("reason") or "").strip():
            raise ma.ValidationError("A designated assignment needs a reason.", "reason")


class ReassignSchema(ma.Schema):
    reason = Str(required=True, validate=validate.Length(min=1, max=2000))


class DeclineSchema(ma.Schema):
    reason_code = Str(required=True, validate=_one_of(DECLINE_REASONS))
    note = Str(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class RotationReportArgs(ma.Schema):
    pool_id = Int(required=True)
    from_ = Date(data_key="from", load_default=None, window="planning")
    to = Date(load_default=None, window="planning")


# --- output ---


def dump_organization(org) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "kind": org.kind,
        "area": org.area,
        "bank_account": masked_bank_account(org),  # always masked (DESIGN.md §5)
        "bank_name": org.bank_name,
    }


def dump_provider(provider: Provider) -> dict:
    return {
        "id": provider.id,
        "name": provider.name,
        "kind": provider.kind,
        "organization_id": provider.organization_id,
        "organization": provider.organization.name,
        "practice_since": provider.practice_since.isoformat(),
        "max_open_cases": provider.max_open_cases,
        "open_cases": provider.open_cases,
        "active": provider.active,
        "prior_legal_aid_cases": provider.prior_legal_aid_cases,
        "specialties": provider.specialties or [],
        "areas": provider.areas or [],
        "phone": provider.phone,
        "email": provider.email,
        "bank_account": masked_bank_account(provider),  # always masked (DESIGN.md §5)
        "bank_name": provider.bank_name,
    }


def dump_leave(leave) -> dict:
    return {
        "id": leave.id,
        "provider_id": leave.provider_id,
        "from": leave.starts_on.isoformat(),
        "to": leave.ends_on.isoformat(),
        "note": leave.note,
    }


def dump_pool(pool: RotationPool) -> dict:
    return {
        "id": pool.id,
        "name": pool.name,
        "case_types": pool.case_types,
        "provider_kinds": pool.provider_kinds,
        "area": pool.area,
    }


def dump_member(member: PoolMember) -> dict:
    return {
        "pool_id": member.pool_id,
        "provider_id": member.provider_id,
        "weight": member.weight,
        "turns": member.turns,
        "away": member.away_reason,
    }


def _iso(value):
    return value.isoformat() if value is not None else None


def dump_deadlines(case: Case) -> dict:
    return {
        name: {
            "due_on": _iso(d["due_on"]),
            "done_on": _iso(d["done_on"]),
            "state": d["state"],
            **({"due_at": _iso(d["due_at"])} if "due_at" in d else {}),  # forwarding: to the minute
        }
        for name, d in case_deadlines(case).items()
    }


def candidates(explanation: dict) -> list[dict]:
    """The bounded candidate table: skipped members, the pick, the next 5 in line."""
    picked = dict(explanation.get("picked") or {}, picked=True)
    return [*explanation.get("skipped", []), picked, *explanation.get("next", [])]


def dump_assignment(assignment: Assignment, *, with_case: bool = False, with_candidates: bool = True) -> dict:
    out = {
        "id": assignment.id,
        "case_id": assignment.case_id,
        "provider_id": assignment.provider_id,
        "provider": assignment.provider.name,
        "pool_id": assignment.pool_id,
        "mode": assignment.mode,
        "status": assignment.status,
        "reason_code": assignment.reason_code,
        "reason": assignment.reason,
        "override": assignment.override,
        "assigned_at": _iso(assignment.assigned_at),
        "respond_by": _iso(assignment.respond_by),
        "accepted_at": _iso(assignment.accepted_at),
        "ended_at": _iso(assignment.ended_at),
        "decline_reason_code": assignment.decline_reason_code,
    }
    if with_candidates:  # the full candidate table belongs to one assignment, not to every row of a list
        out["candidates"] = candidates(assignment.explanation or {})
    if with_case:
        case = assignment.case
        out["case"] = dump_case_summary(case)
        out["deadlines"] = dump_deadlines(case) if assignment.live else {}
        out["why_you"] = why_you(assignment)
    return out


def why_you(assignment: Assignment) -> str:
    """The provider's view of the explanation, in one sentence."""
    e = assignment.explanation or {}
    if assignment.mode == "continuation":
        return "You handled the previous stage of this criminal matter (continuation)."
    if assignment.mode == "window":
        return f"The coordinator chose you among the next 5 in line ({assignment.reason_code})."
    if assignment.mode == "designated":
        return f"Designated by the coordinator: {assignment.reason}"
    skipped = len(e.get("skipped", []))
    deficit = (e.get("picked") or {}).get("deficit")
    return (
        f"Your turn in the rotation: you were furthest below your fair share (deficit {deficit}); "
        f"{skipped} member(s) ahead of you could not take this case."
    )


def dump_case_summary(case: Case) -> dict:
    """A case in lists: the applicant's ID number masked to the last 4 characters."""
    return {
        "id": case.id,
        "number": case.number,
        "status": case.status,
        "case_type": case.case_type,
        "cause": case.cause,
        "received_on": case.received_on.isoformat(),
        "green_channel": case.green_channel,
        "applicant": {
            "name": case.applicant_name,
            "id_number": mask(case.applicant_id_number),
            "categories": case.applicant_categories or [],
        },
        "opposing_party": case.opposing_party,
        "stage": case.stage,
        "intake_point": case.intake_point,
        "station_id": case.station_id,
    }


def dump_case(case: Case, *, full_id: bool = False) -> dict:
    out = dump_case_summary(case)
    if full_id:
        out["applicant"]["id_number"] = case.applicant_id_number
    out["applicant"]["phone"] = case.applicant_phone
    out["applicant"]["sex"] = case.applicant_sex
    current = case.current_assignment
    out.update(
        source=case.source,
        group_size=case.group_size,
        major=case.major,
        max_sentence=case.max_sentence,
        juvenile=case.juvenile,
        previous_case_id=case.previous_case_id,
        opposing_case_id=case.opposing_case_id,
        contact={"name": case.contact_name, "phone": case.contact_phone},
        station_received_at=_iso(case.station_received_at),
        centre_received_at=_iso(case.centre_received_at),
        detained=case.detained,
        means_test=case.means_test,
        means_test_proof=case.means_test_proof,
        decided_on=_iso(case.decided_on),
        rejection_reason=case.rejection_reason,
        materials_missing=case.materials_missing,
        materials_supply_by=_iso(case.materials_supply_by),
        withdrawn_reason=case.withdrawn_reason,
        deadlines=dump_deadlines(case),
        assignment=dump_assignment(current) if current is not None else None,
    )
    return out
