"""Forms and labels of the duty rota's pages (Flask-WTF, CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from assignment.forms import _checkboxes, choices

PART_LABELS = {"am": _l("morning"), "pm": _l("afternoon"), "day": _l("whole day")}
SHIFT_STATUS_LABELS = {
    "planned": _l("on the rota"),
    "checked_in": _l("checked in"),
    "done": _l("done"),
    "missed": _l("missed"),
}
ROTA_STATUS_LABELS = {"draft": _l("draft"), "published": _l("published"), "superseded": _l("superseded")}
SWAP_STATUS_LABELS = {
    "asked": _l("asked"),
    "accepted": _l("accepted by the other provider"),
    "approved": _l("approved"),
    "refused": _l("refused"),
    "withdrawn": _l("withdrawn"),
}
LEGAL_HELP_LABELS = {
    "advice": _l("legal advice"),
    "procedural": _l("procedural options explained"),
    "plea_witness": _l("present at a plea agreement"),
    "meeting": _l("meetings with the suspect"),
    "opinion": _l("opinions on the case"),
}
WEEKDAY_LABELS = {
    "0": _l("Monday"),
    "1": _l("Tuesday"),
    "2": _l("Wednesday"),
    "3": _l("Thursday"),
    "4": _l("Friday"),
    "5": _l("Saturday"),
    "6": _l("Sunday"),
}
KIND_LABELS = {"lawyer": _l("lawyer"), "legal_adviser": _l("legal adviser")}


class GenerateForm(FlaskForm):
    """Draw up a month: the duty pool, the weekdays staffed and the parts of each day."""

    pool_id = SelectField(_l("Duty pool"), validators=[InputRequired()], coerce=str)
    weekdays = _checkboxes(_l("Days staffed"), WEEKDAY_LABELS, validators=[InputRequired()])
    parts = _checkboxes(_l("Parts of the day"), PART_LABELS, validators=[InputRequired()])


class ProviderChoiceForm(FlaskForm):
    """Reassign a shift, or ask a swap: another provider of the pool."""

    provider_id = SelectField(_l("Provider"), validators=[InputRequired()], coerce=str)


class CheckOutForm(FlaskForm):
    advice = IntegerField(
        LEGAL_HELP_LABELS["advice"], default=0, validators=[Optional(), NumberRange(0, 1000)]
    )
    procedural = IntegerField(
        LEGAL_HELP_LABELS["procedural"], default=0, validators=[Optional(), NumberRange(0, 1000)]
    )
    plea_witness = IntegerField(
        LEGAL_HELP_LABELS["plea_witness"], default=0, validators=[Optional(), NumberRange(0, 1000)]
    )
    meeting = IntegerField(
        LEGAL_HELP_LABELS["meeting"], default=0, validators=[Optional(), NumberRange(0, 1000)]
    )
    opinion = IntegerField(
        LEGAL_HELP_LABELS["opinion"], default=0, validators=[Optional(), NumberRange(0, 1000)]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class ActionForm(FlaskForm):
    """A button (publish, check in, accept, approve, missed): CSRF only."""


class DutyPoolForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    station_id = SelectField(_l("Station"), validators=[InputRequired()], coerce=str)
    provider_kinds = _checkboxes(_l("Provider kinds"), KIND_LABELS, validators=[InputRequired()])


def provider_choices(rows) -> list:
    return choices({str(pid): name for pid, name in rows}, blank=True)
