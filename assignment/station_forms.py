"""The station fields of the application form (issue 14) and the admin's station form: the choices
(active stations; empty is the centre itself) and the form's times read on the centre's wall clock."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from assignment.consultations_forms import STATION_KIND_LABELS
from assignment.forms import choices
from legalaid import clock


def station_choices(session: Session) -> list[SelectChoice]:
    from assignment.stations import active_stations

    return [SelectChoice("", "—"), *(SelectChoice(str(s.id), s.name) for s in active_stations(session))]


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.replace(tzinfo=clock.centre_tz())


def station_data(form) -> dict:
    """The application form's station fields as ``register_case`` takes them."""
    station = form.station_id.data
    return {
        "station_id": int(station) if station and str(station).isdigit() else None,
        "station_received_at": _aware(form.station_received_at.data),
        "centre_received_at": _aware(form.centre_received_at.data),
        "detained": bool(form.detained.data),
    }


class StationEditForm(FlaskForm):
    """The admin corrects a station; deactivating it is its own button (asked first)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(STATION_KIND_LABELS), validators=[InputRequired()])
    area = StringField(_l("Area"), validators=[Optional(), Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=200)])


class StationFilterForm(FlaskForm):
    """The stations list's filters (a GET form)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), choices=choices(STATION_KIND_LABELS, blank=True), validators=[Optional()])
    active = SelectField(
        _l("Active"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("yes", _l("active")),
            SelectChoice("no", _l("inactive")),
        ],
        validators=[Optional()],
    )


class StationActiveForm(FlaskForm):
    active = BooleanField()
