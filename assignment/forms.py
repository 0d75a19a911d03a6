"""Forms of the assignment pages (Flask-WTF, CSRF) and the translated labels of the area's codes.

Forms check the shape of the input (required, lengths, one of the codes); the rules stay in the
service functions, whose ``Invalid`` field errors the views copy back onto these fields."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from assignment.intake import CAUSES
from assignment.labels import ASSIGNMENT_STATUS_LABELS, CASE_TYPE_LABELS
from assignment.labels import CASE_STATUS_LABELS as STATUS_LABELS
from assignment.rotation import REASONS
from legalaid.errors import shown
from legalaid.limits import InWindow

CATEGORY_LABELS = {
    "migrant_worker": _l("migrant worker"),
    "disabled": _l("disabled"),
    "elderly": _l("elderly"),
    "minor": _l("minor"),
    "service_member": _l("service member"),
    "domestic_violence": _l("domestic-violence victim"),
}
SEX_LABELS = {"female": _l("female"), "male": _l("male")}
STAGE_LABELS = {
    "investigation": _l("investigation"),
    "prosecution": _l("prosecution review"),
    "trial": _l("trial"),
}
SOURCE_LABELS = {
    "application": _l("application by the applicant"),
    "notification": _l("notice from police, procuratorate or court"),
}
MEANS_TEST_LABELS = {
    "checked": _l("means test checked"),
    "exempt": _l("exempt from the means test (Law art. 32)"),
    "waived": _l("means test waived with proof (Law art. 42)"),
}
SENTENCE_LABELS = {"life": _l("life imprisonment"), "death": _l("death penalty")}
WINDOW_REASON_LABELS = {
    "client_choice": _l("client's choice"),
    "authority_suggestion": _l("authority's suggestion"),
    "specialist": _l("specialist"),
    "complex_case": _l("complex case needs seniority"),
}
DECLINE_REASON_LABELS = {
    "conflict": _l("conflict of interest"),
    "unavailable": _l("unavailable"),
    "other": _l("other"),
}
MODE_LABELS = {
    "rotation": _l("rotation"),
    "window": _l("chosen within the window"),
    "designated": _l("designated (override)"),
    "continuation": _l("continuation of the previous stage"),
}
# Why rotation passed a member over: rotation.REASONS' own texts, in the reader's language.
SKIP_REASON_LABELS = {code: LazyString(shown, text) for code, (_kind, text) in REASONS.items()}
DEADLINE_LABELS = {
    "forwarding": _l("Forwarded by the station"),
    "decision": _l("Decision"),
    "materials_supply": _l("Materials due"),
    "assignment": _l("Assignment"),
    "acceptance": _l("Provider's answer"),
    "retainer": _l("Retainer signed"),
}
ORGANIZATION_KIND_LABELS = {
    "law_firm": _l("law firm"),
    "legal_service_office": _l("legal service office"),
    "centre": _l("the centre"),
}
PROVIDER_KIND_LABELS = {"lawyer": _l("lawyer"), "legal_adviser": _l("legal adviser")}
# Audit actions shown in a case's history.
ACTION_LABELS = {
    "case.register": _l("Registered"),
    "case.decide": _l("Decided"),
    "case.request_materials": _l("Missing materials requested"),
    "case.supply_materials": _l("Missing materials supplied"),
    "case.withdraw": _l("Withdrawn"),
    "case.assign": _l("Assigned"),
    "case.reassign": _l("Provider replaced"),
    "case.view_id_number": _l("Full ID number viewed"),
    "assignment.accept": _l("Accepted by the provider"),
    "assignment.decline": _l("Declined by the provider"),
    "assignment.expire": _l("Not answered in time"),
}

LABELS = {
    "case_type": CASE_TYPE_LABELS,
    "status": STATUS_LABELS,
    "category": CATEGORY_LABELS,
    "stage": STAGE_LABELS,
    "source": SOURCE_LABELS,
    "means_test": MEANS_TEST_LABELS,
    "sentence": SENTENCE_LABELS,
    "window_reason": WINDOW_REASON_LABELS,
    "decline_reason": DECLINE_REASON_LABELS,
    "mode": MODE_LABELS,
    "assignment_status": ASSIGNMENT_STATUS_LABELS,
    "skip_reason": SKIP_REASON_LABELS,
    "deadline": DEADLINE_LABELS,
    "organization_kind": ORGANIZATION_KIND_LABELS,
    "provider_kind": PROVIDER_KIND_LABELS,
    "action": ACTION_LABELS,
}


def choices(labels: dict, blank: bool = False) -> list[SelectChoice]:
    out = [SelectChoice(code, label) for code, label in labels.items()]
    return [SelectChoice("", "—"), *out] if blank else out


def cause_choices(zh: bool) -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(code, zh_ if zh else en) for code, (en, zh_) in CAUSES.items()
    ]


def _checkboxes(label, labels: dict, **kwargs) -> SelectMultipleField:
    return SelectMultipleField(
        label,
        choices=choices(labels),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        **kwargs,
    )


# What separates the items of a list typed in one box: a new line, or ; , 、 in either script.
LIST_SEPARATORS = re.compile(r"[\n\r;；,，、]+")


def split_list(text: str | None) -> list[str]:
    """The items of a typed list, each once, in the order typed."""
    items = (item.strip() for item in LIST_SEPARATORS.split(text or ""))
    return list(dict.fromkeys(item for item in items if item))


class ListField(TextAreaField):
    """A list of words (specialties, areas) a person edits as text, one item a line; ``data`` is
    always the list, so what the page shows and what it saves are the same thing."""

    def __init__(self, label=None, validators=None, *, max_items: int = 20, max_length: int = 100, **kw):
        super().__init__(label, validators, **kw)
        self.max_items, self.max_length = max_items, max_length

    def process_data(self, value) -> None:
        self.data = list(value or [])

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            self.data = split_list(valuelist[0])

    def _value(self) -> str:
        return "\n".join(self.data or [])

    def pre_validate(self, form) -> None:
        if len(self.data or []) > self.max_items:
            raise ValidationError(_l("At most %(count)s items.", count=self.max_items))
        if any(len(item) > self.max_length for item in self.data or []):
            raise ValidationError(_l("At most %(count)s characters an item.", count=self.max_length))


def _text(label, max_length: int, required: bool = False) -> StringField:
    first = DataRequired() if required else Optional()
    return StringField(label, validators=[first, Length(max=max_length)])


# --- intake ---


class CaseForm(FlaskForm):
    """An application (or a notice of a criminal case): every intake field of the API."""

    case_type = SelectField(_l("Case type"), choices=choices(CASE_TYPE_LABELS), validators=[InputRequired()])
    # Not Optional(): it would stop the chain before the checks below that depend on the case type.
    cause = SelectField(_l("Cause (non-criminal cases)"))
    charge = StringField(_l("Charge (criminal cases)"), validators=[Length(max=200)])
    received_on = DateField(_l("Received on"), validators=[InputRequired(), InWindow("past")])
    source = SelectField(_l("Source"), choices=choices(SOURCE_LABELS), validators=[InputRequired()])
    intake_point = _text(_l("Intake point / area"), 100)
    # Taken at a station (issue 14): the choices are the active stations, set when the form is made.
    station_id = SelectField(_l("Taken at station (empty: the centre)"), validators=[Optional()])
    station_received_at = DateTimeLocalField(
        _l("Received at the station"), validators=[Optional(), InWindow("past")], format="%Y-%m-%dT%H:%M"
    )
    centre_received_at = DateTimeLocalField(
        _l("Received at the centre (empty: not yet)"),
        validators=[Optional(), InWindow("past")],
        format="%Y-%m-%dT%H:%M",
    )
    detained = BooleanField(_l("The applicant is detained (forwarding within 24 hours)"))
    applicant_name = _text(_l("Applicant's name"), 120, required=True)
    applicant_id_number = StringField(
        _l("Applicant's ID number"), validators=[DataRequired(), Length(min=4, max=40)]
    )
    applicant_phone = _text(_l("Applicant's phone"), 30)
    applicant_sex = SelectField(
        _l("Applicant's sex (optional, for the annual report)"),
        choices=choices(SEX_LABELS, blank=True),
        validators=[Optional()],
    )
    categories = _checkboxes(_l("Applicant categories"), CATEGORY_LABELS, validators=[Optional()])
    contact_name = _text(_l("Contact person (e.g. for a detained client)"), 120)
    contact_phone = _text(_l("Contact person's phone"), 30)
    opposing_party = _text(_l("Opposing party"), 200)
    group_size = IntegerField(
        _l("Number of applicants in the matter"),
        default=1,
        validators=[InputRequired(), NumberRange(1, 100000)],
    )
    major = BooleanField(_l("Major case"))
    max_sentence = SelectField(
        _l("Possible sentence (criminal)"),
        choices=choices(SENTENCE_LABELS, blank=True),
        validators=[Optional()],
    )
    juvenile = BooleanField(_l("Juvenile defendant"))
    stage = SelectField(
        _l("Stage (criminal)"), choices=choices(STAGE_LABELS, blank=True), validators=[Optional()]
    )
    previous_case = _text(_l("Previous stage's case number"), 40)
    opposing_case = _text(_l("Opposing party's legal aid case number"), 40)

    def validate_charge(self, field) -> None:
        if self.case_type.data == "criminal" and not (field.data or "").strip():
            raise ValidationError(_l("Give the charge of a criminal case."))

    def validate_cause(self, field) -> None:
        if self.case_type.data != "criminal" and not field.data:
            raise ValidationError(_l("Choose the cause."))


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("reject", _l("Reject"))],
        validators=[InputRequired()],
    )
    means_test = SelectField(
        _l("Means-test basis"), choices=choices(MEANS_TEST_LABELS), validators=[Optional()]
    )
    means_test_proof = _text(_l("Proof named (waived means test)"), 200)
    reason = TextAreaField(_l("Reason for rejection"), validators=[Optional(), Length(max=2000)])


class MaterialsRequestForm(FlaskForm):
    missing = TextAreaField(
        _l("What is missing (one item a line)"), validators=[DataRequired(), Length(max=4000)]
    )
    supply_by = DateField(
        _l("To be supplied by (default: 15 days)"), validators=[Optional(), InWindow("planning")]
    )

    def items(self) -> list[str]:
        return [line.strip() for line in (self.missing.data or "").splitlines() if line.strip()]

    def validate_missing(self, field) -> None:
        # As on the API (MaterialsRequestSchema): each thing once, a notice of a sane length.
        from assignment.schemas import MAX_MISSING_MATERIALS

        items = self.items()
        if len(items) > MAX_MISSING_MATERIALS:
            raise ValidationError(_l("At most %(count)s items.", count=MAX_MISSING_MATERIALS))
        if any(len(item) > 200 for item in items):
            raise ValidationError(_l("At most %(count)s characters a line.", count=200))
        if len(set(items)) < len(items):
            raise ValidationError(_l("Each item once, please."))


class WithdrawForm(FlaskForm):
    reason = _text(_l("Reason"), 200)


class ReasonForm(FlaskForm):
    """Reassignment (client's complaint, illness, …): the reason is required."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class WindowForm(FlaskForm):
    provider_id = RadioField(_l("Provider"), coerce=int, validators=[InputRequired()])
    reason_code = SelectField(
        _l("Reason for the choice"), choices=choices(WINDOW_REASON_LABELS), validators=[InputRequired()]
    )


class DesignateForm(FlaskForm):
    provider_id = RadioField(_l("Provider"), coerce=int, validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason (recorded as an override)"), validators=[DataRequired(), Length(max=2000)]
    )


class DeclineForm(FlaskForm):
    reason_code = RadioField(
        _l("Why do you decline?"), choices=choices(DECLINE_REASON_LABELS), validators=[InputRequired()]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


# --- the panel (admin) ---


class OrganizationForm(FlaskForm):
    name = _text(_l("Name"), 200, required=True)
    kind = SelectField(_l("Kind"), choices=choices(ORGANIZATION_KIND_LABELS), validators=[InputRequired()])
    area = _text(_l("Area"), 100)
    # The payee's account when subsidies are paid to organisations (SUBSIDY_RULES.payee).
    bank_account = _text(_l("Bank account"), 60)
    bank_name = _text(_l("Bank"), 120)


class ProviderForm(FlaskForm):
    name = _text(lazy_pgettext("person", "Name"), 120, required=True)
    kind = SelectField(_l("Kind"), choices=choices(PROVIDER_KIND_LABELS), validators=[InputRequired()])
    organization_id = SelectField(_l("Organisation"), coerce=int, validators=[InputRequired()])
    practice_since = DateField(_l("In practice since"), validators=[InputRequired(), InWindow("practice")])
    max_open_cases = IntegerField(
        _l("Open-case cap"), default=10, validators=[InputRequired(), NumberRange(1, 500)]
    )
    prior_legal_aid_cases = IntegerField(
        _l("Legal aid cases before go-live"), default=0, validators=[InputRequired(), NumberRange(0, 100000)]
    )
    active = BooleanField(_l("Active (takes cases)"), default=True)
    specialties = ListField(_l("Specialties (one a line)"), max_length=60)
    areas = ListField(_l("Areas (one a line)"), max_length=100)
    phone = _text(_l("Phone"), 30)
    # A shape check: WTForms' Email() needs the email_validator package, which is not installed.
    email = StringField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Not an e-mail address.")),
        ],
    )
    bank_account = _text(_l("Bank account (leave empty to keep)"), 60)
    bank_name = _text(_l("Bank"), 120)


class LeaveForm(FlaskForm):
    starts_on = DateField(_l("From"), validators=[InputRequired(), InWindow("planning")])
    ends_on = DateField(_l("To (included)"), validators=[InputRequired(), InWindow("planning")])
    note = _text(_l("Note"), 200)


class ConflictForm(FlaskForm):
    party_name = _text(_l("Party"), 200, required=True)
    note = _text(_l("Note"), 200)


class PoolForm(FlaskForm):
    name = _text(_l("Name"), 200, required=True)
    case_types = _checkboxes(_l("Case types served"), CASE_TYPE_LABELS, validators=[DataRequired()])
    provider_kinds = _checkboxes(
        _l("Provider kinds admitted"), PROVIDER_KIND_LABELS, validators=[DataRequired()]
    )
    area = _text(_l("Area (empty: the areas no other pool claims)"), 100)


class MemberForm(FlaskForm):
    provider_id = SelectField(_l("Provider"), coerce=int, validators=[InputRequired()])
    weight = FloatField(
        _l("Weight (1 full time, 0.5 part time)"),
        default=1.0,
        validators=[InputRequired(), NumberRange(min=0.01, max=10)],
    )


class ImportForm(FlaskForm):
    file = FileField(_l("Panel CSV (UTF-8)"), validators=[FileRequired()])


class ReportForm(FlaskForm):
    """The fairness report's filter, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    pool_id = SelectField(_l("Pool"), coerce=int, validators=[InputRequired()])
    date_from = DateField(_l("From"), validators=[Optional(), InWindow("planning")])
    date_to = DateField(_l("To"), validators=[Optional(), InWindow("planning")])


class QueueSearchForm(FlaskForm):
    """The intake queue's search, read from the query string (a GET form: no CSRF token). ``q`` is
    matched by intake.case_list_statement, as on the API's case list."""

    class Meta:
        csrf = False

    q = _text(_l("Case number, applicant or opposing party"), 100)
    case_type = SelectField(
        _l("Case type"),
        choices=[SelectChoice("", _l("All case types")), *choices(CASE_TYPE_LABELS)],
        validators=[Optional()],
    )


class EndLeaveForm(FlaskForm):
    """One leave row's form on the provider page (the page fills in today); a last day before the
    start cancels the leave."""

    last_day = DateField(_l("Last day"), validators=[InputRequired(), InWindow("planning")])
