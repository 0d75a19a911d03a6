"""The input limits cannot drift from what they protect (legalaid.limits; README "Input limits"): every
string a body carries fits the column it is stored in, every integer, date and list of a schema is
bounded, and every text field of a page form has a length limit. The inputs issue 10 found:
test_input_limits.py."""

from __future__ import annotations

import marshmallow as ma
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from legalaid.db import db

# Where each string a body carries is stored: (table, column); None: not a column of its own (kept in a
# JSON list, in the audit log, encrypted, or never stored). Strings limited to a list of codes
# (OneOf) need no entry.
STORED = {
    "SessionSchema": {"username": ("user_account", "username"), "password": None},
    "UserCreateSchema": {
        "username": ("user_account", "username"),
        "password": None,
        "display_name": ("user_account", "display_name"),
        "email": ("user_account", "email"),
    },
    "UserListArgs": {"q": None},  # a search, never stored
    "UserUpdateSchema": {
        "display_name": ("user_account", "display_name"),
        "email": ("user_account", "email"),
        "password": None,
    },
    "PasswordChangeSchema": {"current_password": None, "new_password": None},
    "OrganizationSchema": {
        "name": ("organization", "name"),
        "area": ("organization", "area"),
        "bank_account": None,  # encrypted into bank_account_stored
        "bank_name": ("organization", "bank_name"),
    },
    "ProviderUpdateSchema": {
        "name": ("provider", "name"),
        "phone": ("provider", "phone"),
        "email": ("provider", "email"),
        "specialties": None,
        "areas": None,
        "bank_account": None,  # encrypted into bank_account_stored
        "bank_name": ("provider", "bank_name"),
    },
    "LeaveSchema": {"note": ("provider_leave", "note")},
    "ConflictSchema": {
        "party_name": ("provider_conflict", "party_name"),
        "note": ("provider_conflict", "note"),
    },
    "PoolSchema": {"name": ("rotation_pool", "name"), "area": ("rotation_pool", "area")},
    "ApplicantSchema": {
        "name": ("legal_case", "applicant_name"),
        "id_number": ("legal_case", "applicant_id_number"),
        "phone": ("legal_case", "applicant_phone"),
    },
    "ContactSchema": {"name": ("legal_case", "contact_name"), "phone": ("legal_case", "contact_phone")},
    "CaseCreateSchema": {
        "cause": ("legal_case", "cause"),
        "opposing_party": ("legal_case", "opposing_party"),
        "intake_point": ("legal_case", "intake_point"),
    },
    "CaseListArgs": {"q": None, "after": None},  # a search and a place in the list, never stored
    "ConsultationSchema": {
        "question": ("consultation", "question"),
        "answer": ("consultation", "answer"),
        "referred_to": ("consultation", "referred_to"),
    },
    "PersonSchema": {"name": ("consultation", "person_name"), "phone": ("consultation", "person_phone")},
    "ConsultationListArgs": {"phone": None, "q": None},  # searches, never stored
    "RotaCreateSchema": {"month": ("duty_rota", "month")},
    "MonthRotasSchema": {"month": ("duty_rota", "month")},
    "RotaQueryArgs": {"month": None},  # a filter, never stored
    "CheckOutSchema": {"note": ("duty_shift", "note")},
    "StationSchema": {
        "name": ("station", "name"),
        "area": ("station", "area"),
        "address": ("station", "address"),
        "hours": ("station", "hours"),
    },
    "StationUpdateSchema": {
        "name": ("station", "name"),
        "area": ("station", "area"),
        "address": ("station", "address"),
        "hours": ("station", "hours"),
    },
    "ComplainantSchema": {
        "name": ("complaint", "complainant_name"),
        "phone": ("complaint", "complainant_phone"),
    },
    "ComplaintSchema": {"request": ("complaint", "request"), "facts": ("complaint", "facts")},
    "ComplaintAcceptanceSchema": {"reason": ("complaint", "not_accepted_reason")},
    "ComplaintStatementSchema": {"text": ("complaint", "statement")},
    "ComplaintExtensionSchema": {"reason": ("complaint", "extension_reason")},
    "ComplaintDecisionSchema": {"findings": ("complaint", "findings")},
    "SubsidyFilterSchema": {"q": None},  # a search, never stored
    # The long lists' searches (legalaid.listing), never stored.
    "_ListArgs": {"q": None},  # hearings, observations, follow-up calls, red flags
    "ComplaintPageArgs": {"q": None},
    "ProviderListArgs": {"q": None},
    "OrganizationListArgs": {"q": None},
    "ScoreFileListArgs": {"q": None},
    "QualityArgs": {"q": None},  # a search, never stored
    "DecisionSchema": {
        "means_test_proof": ("legal_case", "means_test_proof"),
        "reason": ("legal_case", "rejection_reason"),
    },
    "MaterialsRequestSchema": {"missing": None},
    "WithdrawSchema": {"reason": ("legal_case", "withdrawn_reason")},
    "AssignSchema": {"reason": ("assignment", "reason")},
    "ReassignSchema": {"reason": ("assignment", "end_reason")},
    "DeclineSchema": {"note": ("assignment", "decline_note")},
    "ReasonSchema": {"reason": ("subsidy", "hold_reason")},
    "ReverseSchema": {"reason": ("subsidy", "reason")},
    "ConfirmSchema": {"bank_reference": ("payment_batch", "bank_reference")},
    "CancelSchema": {"reason": None},
    "CorrectionSchema": {"reason": None, "changes": "columns"},  # each value fits its legal_case column
    "RateSchema": {"note": ("subsidy_rate", "note")},
    "ClosingSchema": {
        "outcome": ("case_closing", "outcome"),
        "termination_note": ("case_closing", "termination_note"),
        "documents": ("closing_document", "code"),
    },
    "DocumentsSchema": {"documents": ("closing_document", "code")},
    "ScoreItemSchema": {"code": ("score_line", "code"), "note": ("score_line", "note")},
    "ScoreSheetSchema": {"vetoes": None, "veto_note": ("score_sheet", "veto_note")},
    "AppealSchema": {"reason": ("score_file", "appeal_reason")},
    "AppealDecisionSchema": {"reason": ("score_file", "appeal_decision")},
    "ChecklistEntrySchema": {
        "code": ("checklist_item", "code"),
        "label_zh": ("checklist_item", "label_zh"),
        "label_en": ("checklist_item", "label_en"),
        "guidance": ("checklist_item", "guidance"),
        "evidence": ("checklist_item", "evidence"),
        "auto": ("checklist_item", "auto"),
    },
    "ChecklistSchema": {"name": ("checklist", "name"), "notes": ("checklist", "notes"), "grade_bands": None},
    "HearingCreateSchema": {"court": ("hearing", "court"), "room": ("hearing", "room")},
    "HearingMoveSchema": {"court": ("hearing", "court"), "room": ("hearing", "room")},
    "HearingCancelSchema": {"reason": ("hearing", "cancel_reason")},
    "ObservationReportSchema": {
        "court_view": ("observation", "court_view"),
        "notes": ("observation", "notes"),
    },
    "CallAttemptSchema": {"notes": ("call_attempt", "notes")},
    "RedFlagResolveSchema": {"reason": ("red_flag", "resolution_reason")},
    "CalendarDaySchema": {"note": ("calendar_day", "note")},
}
# A free-text (``Text``) column still gets a limit on input; no field allows more than this.
LONGEST_TEXT = 10_000


def input_schemas(app) -> list[type[ma.Schema]]:
    """Every marshmallow schema of the service (they all read input: bodies and query strings)."""

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return sorted(
        {
            s
            for s in below(ma.Schema)
            if s.__module__.split(".")[0] in ("legalaid", "assignment", "supervision")
        },
        key=lambda s: (s.__module__, s.__name__),
    )


def string_fields(schema: type[ma.Schema]):
    """(name, field) of every string field, a list's strings under the list's name."""
    for name, f in schema().fields.items():
        inner = f.inner if isinstance(f, ma.fields.List) else f
        if isinstance(inner, ma.fields.String):
            yield name, inner
        elif isinstance(f, ma.fields.Dict):
            yield name, f


def max_length(f) -> int | None:
    lengths = [v.max for v in f.validators if isinstance(v, ma.validate.Length) and v.max is not None]
    return min(lengths) if lengths else None


def is_code(f) -> bool:
    return any(isinstance(v, ma.validate.OneOf) for v in f.validators)


def test_every_string_a_body_carries_fits_the_column_it_is_stored_in(app):
    tables = db.metadata.tables
    problems = []
    for schema in input_schemas(app):
        declared = next((STORED[b.__name__] for b in schema.__mro__ if b.__name__ in STORED), {})
        for name, f in string_fields(schema):
            where = f"{schema.__name__}.{name}"
            if isinstance(f, ma.fields.Dict):
                if declared.get(name) != "columns" and max_length(f) is None:
                    problems.append(f"{where}: a dict without a size limit")
                continue
            if is_code(f):
                continue
            if name not in declared:
                problems.append(f"{where}: say in STORED where it is stored")
                continue
            limit = max_length(f)
            if limit is None:
                problems.append(f"{where}: no length limit")
            elif declared[name] is not None:
                table, column = declared[name]
                length = tables[table].columns[column].type.length
                if length is not None and limit != length:
                    problems.append(
                        f"{where}: at most {limit} characters, but {table}.{column} holds {length}"
                    )
                if length is None and limit > LONGEST_TEXT:
                    problems.append(f"{where}: {limit} characters for a text column")
            elif limit > LONGEST_TEXT:
                problems.append(f"{where}: {limit} characters")
    assert not problems, "\n".join(problems)


def test_every_integer_date_and_list_of_a_schema_is_bounded(app):
    from legalaid import limits

    problems = []
    for schema in input_schemas(app):
        for name, f in schema().fields.items():
            fields = [f, f.inner] if isinstance(f, ma.fields.List) else [f]
            for each in fields:
                where = f"{schema.__name__}.{name}"
                if isinstance(each, ma.fields.Integer) and not isinstance(each, limits.Int | limits.Year):
                    problems.append(f"{where}: use legalaid.limits.Int (the column's range)")
                if isinstance(each, ma.fields.Date) and not isinstance(each, limits.Date):
                    problems.append(f"{where}: use legalaid.limits.Date (a plausible window)")
                elif isinstance(each, ma.fields.DateTime) and not isinstance(
                    each, limits.Date | limits.DateTime
                ):
                    problems.append(f"{where}: use legalaid.limits.DateTime (a plausible window)")
                if isinstance(each, ma.fields.List) and not isinstance(each, limits.List):
                    problems.append(f"{where}: use legalaid.limits.List (a length, no duplicates)")
                if isinstance(each, ma.fields.Decimal | ma.fields.Float) and not any(
                    isinstance(v, ma.validate.Range) and v.max is not None for v in each.validators
                ):
                    problems.append(f"{where}: a number without a range")
    assert not problems, "\n".join(problems)


def test_every_text_field_of_a_page_form_has_a_length_limit(app):
    import assignment.forms  # noqa: F401 (the forms register as FlaskForm subclasses)
    import supervision.scheduling.views  # noqa: F401
    import supervision.scoring.views  # noqa: F401
    import supervision.subsidies.views  # noqa: F401

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    problems = []
    for form in below(FlaskForm):
        if form.__module__.split(".")[0] not in ("assignment", "supervision", "legalaid"):
            continue
        for name in dir(form):
            unbound = getattr(form, name)
            if getattr(unbound, "field_class", None) not in (StringField, TextAreaField):
                continue
            validators = unbound.kwargs.get("validators") or (
                unbound.args[1] if len(unbound.args) > 1 else []
            )
            if not any(isinstance(v, Length) and v.max not in (None, -1) for v in validators):
                problems.append(f"{form.__name__}.{name}")
    assert not problems, "text fields without a length limit: " + ", ".join(problems)
