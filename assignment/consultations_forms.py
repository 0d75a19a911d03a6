"""Forms and labels of the front desk pages (Flask-WTF, CSRF). The desk form is built for speed:
one-line fields (Enter submits), channel and station remembered between callers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from assignment.consultations import CONSULTATION_CAUSES
from assignment.consultations_models import CHANNELS, STATION_KINDS
from assignment.forms import CATEGORY_LABELS, _checkboxes, choices
from legalaid.limits import InWindow

CHANNEL_LABELS = {
    "hotline": _l("12348 hotline"),
    "visit": _l("visit"),
    "letter": _l("letter"),
    "online": _l("online"),
    "workstation": _l("workstation"),
}
OUTCOME_LABELS = {
    "answered": _l("answered"),
    "referred": _l("referred elsewhere"),
    "application_guided": _l("told what to bring to apply"),
    "application_registered": _l("application registered"),
    "petition_dissuaded": _l("dissuaded from petitioning over the heads"),
}
STATION_KIND_LABELS = {
    "township": _l("township workstation"),
    "law_firm": _l("law firm acceptance point"),
    "court": _l("court"),
    "procuratorate": _l("procuratorate"),
    "detention_centre": _l("detention centre"),
    "labour_arbitration": _l("labour arbitration"),
    "juvenile": _l("juvenile"),
    "military": _l("military"),
}
assert set(CHANNEL_LABELS) == set(CHANNELS) and set(STATION_KIND_LABELS) == set(STATION_KINDS)
# What the desk chooses: "application registered" is set by registering the application.
DESK_OUTCOMES = {k: v for k, v in OUTCOME_LABELS.items() if k != "application_registered"}


def cause_choices(zh: bool, blank: str = "—") -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(code, zh_ if zh else en) for code, (en, zh_) in CONSULTATION_CAUSES.items()
    ]


def cause_label(code: str | None, zh: bool) -> str:
    if not code or code not in CONSULTATION_CAUSES:
        return code or ""
    en, zh_ = CONSULTATION_CAUSES[code]
    return zh_ if zh else en


class ConsultationForm(FlaskForm):
    """One caller. Station choices are set by the view (the active stations)."""

    channel = SelectField(_l("Channel"), choices=choices(CHANNEL_LABELS), validators=[InputRequired()])
    # Not Optional(): it would stop the chain before the check that depends on the channel.
    station = SelectField(_l("Station (empty: the centre)"))
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    name = StringField(_l("Name (may stay anonymous)"), validators=[Optional(), Length(max=120)])
    categories = _checkboxes(_l("Applicant categories"), CATEGORY_LABELS, validators=[Optional()])
    cause = SelectField(_l("Cause"), validators=[Optional()])
    question = StringField(_l("Question"), validators=[DataRequired(), Length(max=4000)])
    answer = StringField(_l("Answer given (summary)"), validators=[DataRequired(), Length(max=4000)])
    outcome = SelectField(_l("Outcome"), choices=choices(DESK_OUTCOMES), validators=[InputRequired()])
    referred_to = StringField(_l("Referred to (court, arbitration, agency…)"), validators=[Length(max=200)])
    minutes = IntegerField(_l("Call length (minutes)"), validators=[Optional(), NumberRange(0, 24 * 60)])

    def validate_referred_to(self, field) -> None:
        if self.outcome.data == "referred" and not (field.data or "").strip():
            raise ValidationError(_l("Name where the person was referred."))

    def validate_station(self, field) -> None:
        if self.channel.data == "workstation" and not field.data:
            raise ValidationError(_l("Choose the workstation."))


class RegisterSearchForm(FlaskForm):
    """The register's search and filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search the question, answer or name"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    channel = SelectField(_l("Channel"), choices=choices(CHANNEL_LABELS, blank=True), validators=[Optional()])
    outcome = SelectField(_l("Outcome"), choices=choices(OUTCOME_LABELS, blank=True), validators=[Optional()])
    station = SelectField(_l("Station"), validators=[Optional()])
    cause = SelectField(_l("Cause"), validators=[Optional()])
    from_ = DateField(_l("From"), validators=[Optional(), InWindow("planning")])
    to = DateField(_l("To"), validators=[Optional(), InWindow("planning")])


class GuidanceChoiceForm(FlaskForm):
    """Which notice to print: the cause and the applicant's categories (a GET form)."""

    class Meta:
        csrf = False

    cause = SelectField(_l("Cause"), validators=[Optional()])
    categories = _checkboxes(_l("Applicant categories"), CATEGORY_LABELS, validators=[Optional()])
    name = StringField(
        _l("Applicant's name (printed on the notice)"), validators=[Optional(), Length(max=120)]
    )


class MaterialForm(FlaskForm):
    """The admin adds a material to the notice."""

    cause = SelectField(_l("For the cause"), validators=[Optional()])
    category = SelectField(
        _l("For applicants who are"), choices=choices(CATEGORY_LABELS, blank=True), validators=[Optional()]
    )
    item = StringField(_l("Material"), validators=[DataRequired(), Length(max=300)])


class RemoveForm(FlaskForm):
    pass


class StationForm(FlaskForm):
    """The admin adds a station (the duty rota builds on them)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(STATION_KIND_LABELS), validators=[InputRequired()])
    area = StringField(_l("Area"), validators=[Optional(), Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=200)])
