"""The scheduling pages' forms: hearings, observation reports, call attempts, red flags, the
working-day calendar."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from legalaid import limits

RATING_CHOICES = [SelectChoice(str(i), str(i)) for i in range(1, 6)]


class HearingForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("Starts"), validators=[DataRequired(), limits.InWindow("hearing")], format="%Y-%m-%dT%H:%M"
    )
    ends_at = DateTimeLocalField(
        _l("Ends (default: 3 hours later)"),
        validators=[Optional(), limits.InWindow("hearing")],
        format="%Y-%m-%dT%H:%M",
    )
    court = StringField(_l("Court"), validators=[DataRequired(), Length(max=200)])
    room = StringField(_l("Courtroom"), validators=[Optional(), Length(max=60)])


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class ReportForm(FlaskForm):
    preparation = RadioField(
        _l("Preparation for the hearing"), choices=RATING_CHOICES, validators=[InputRequired()]
    )
    examination = RadioField(_l("Court examination"), choices=RATING_CHOICES, validators=[InputRequired()])
    argument = RadioField(_l("Court argument"), choices=RATING_CHOICES, validators=[InputRequired()])
    effect = RadioField(_l("Effect of the hearing"), choices=RATING_CHOICES, validators=[InputRequired()])
    court_view = TextAreaField(
        _l("The court's view of the provider"), validators=[Optional(), Length(max=4000)]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class AttemptForm(FlaskForm):
    reached = RadioField(
        _l("Did you reach the client?"),
        choices=[SelectChoice("yes", _l("Reached")), SelectChoice("no", _l("Not reached"))],
        validators=[InputRequired()],
    )
    satisfaction = SelectField(
        _l("Satisfaction"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("satisfied", _l("satisfied")),
            SelectChoice("basically_satisfied", _l("basically satisfied")),
            SelectChoice("unsatisfied", _l("unsatisfied")),
        ],
        validators=[Optional()],
    )
    took_money = BooleanField(_l("The provider took money or gifts"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class ResolveForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice("confirmed", _l("Confirmed")), SelectChoice("dismissed", _l("Dismissed"))],
        validators=[InputRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Day"), validators=[DataRequired(), limits.InWindow("planning")])
    working = SelectField(
        _l("Kind"),
        choices=[SelectChoice("holiday", _l("Holiday")), SelectChoice("working", _l("Make-up working day"))],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class ClearDayForm(FlaskForm):
    day = HiddenField(validators=[DataRequired()])


class StaffForm(FlaskForm):
    observer_id = SelectField(_l("Supervisor"), coerce=int, validators=[InputRequired()])


class FindCaseForm(FlaskForm):
    """Which case a hearing is recorded for: read from the address (GET), so no CSRF token."""

    class Meta:
        csrf = False

    case_number = StringField(_l("Case number"), validators=[DataRequired(), Length(max=40)])
