"""Forms of the complaint pages (Flask-WTF, CSRF). Shapes only; the rules are in ``services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from assignment.forms import choices
from legalaid.limits import InWindow
from supervision.complaints.labels import (
    MATTER_LABELS,
    METHOD_LABELS,
    OUTCOME_LABELS,
    RELATION_LABELS,
    RESPONDENT_LABELS,
    STATUS_LABELS,
)
from supervision.complaints.services import MAX_PAUSE_DAYS


class ComplaintForm(FlaskForm):
    received_on = DateField(_l("Received on"), validators=[InputRequired(), InWindow("past")])
    complainant_name = StringField(_l("Complainant's name"), validators=[DataRequired(), Length(max=120)])
    complainant_relation = SelectField(
        _l("Complainant is the"), choices=choices(RELATION_LABELS), validators=[InputRequired()]
    )
    complainant_phone = StringField(_l("Complainant's phone"), validators=[Optional(), Length(max=30)])
    respondent_kind = SelectField(
        _l("Complaint about"), choices=choices(RESPONDENT_LABELS), validators=[InputRequired()]
    )
    # The picker (supervision/complaints/views.py): the respondents matching this search, never all
    # of a province's 10,000 providers.
    respondent_q = StringField(_l("Find a provider (name or organisation)"), validators=[Length(max=100)])
    respondent = SelectField(_l("Provider or organisation complained about"), validators=[Optional()])
    case_number = StringField(_l("Case number (if any)"), validators=[Optional(), Length(max=40)])
    matter = SelectField(_l("Matter"), choices=choices(MATTER_LABELS), validators=[InputRequired()])
    request = TextAreaField(_l("What the complainant asks"), validators=[DataRequired(), Length(max=2000)])
    facts = TextAreaField(_l("Facts and reasons"), validators=[DataRequired(), Length(max=4000)])


class AcceptanceForm(FlaskForm):
    decision = RadioField(
        _l("Acceptance"),
        choices=[
            SelectChoice("accept", _l("Accept for handling")),
            SelectChoice("refuse", _l("Do not accept")),
        ],
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason for not accepting (no standing, no clear request, outside scope, already handled)"),
        validators=[Optional(), Length(max=2000)],
    )


class StatementRequestForm(FlaskForm):
    due_on = DateField(_l("Statement due on"), validators=[InputRequired(), InWindow("planning")])


class StatementForm(FlaskForm):
    text = TextAreaField(_l("Your statement"), validators=[DataRequired(), Length(max=4000)])


class ExtensionForm(FlaskForm):
    new_decide_by = DateField(_l("New decision date"), validators=[InputRequired(), InWindow("planning")])
    reason = TextAreaField(_l("Reason (approved by the head)"), validators=[DataRequired(), Length(max=2000)])


class DecisionForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=choices(OUTCOME_LABELS), validators=[InputRequired()])
    findings = TextAreaField(_l("Findings"), validators=[DataRequired(), Length(max=4000)])
    pause_days = IntegerField(
        _l("Pause the provider in every pool for (days; upheld neglect only)"),
        validators=[Optional(), NumberRange(1, MAX_PAUSE_DAYS)],
    )


class AnswerForm(FlaskForm):
    answered_on = DateField(_l("Answered on"), validators=[InputRequired(), InWindow("past")])
    method = SelectField(_l("How"), choices=choices(METHOD_LABELS), validators=[InputRequired()])


class ComplaintFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS, blank=True), validators=[Optional()])
    overdue = BooleanField(_l("Only overdue"))
