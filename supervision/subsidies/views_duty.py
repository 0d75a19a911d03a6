"""A station's month of duty shifts, reviewed and archived by the coordinator (issue 14, DESIGN.md
"Duty subsidy"): archiving makes the done shifts' duty subsidies payable, archive-first like a case
file. The page lives with the subsidies, as supervision may read assignment's stations but not the
reverse."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from assignment import stations
from assignment.consultations_models import Station
from assignment.views import fail
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError, shown
from supervision.subsidies import duty
from supervision.subsidies.models import DutyMonth, Subsidy

bp = Blueprint("duty_month_pages", __name__)


def _station_name(station_id: int) -> str | None:
    station = db.session.get(Station, station_id)
    return station.name if station else None


@bp.route("/stations/<int:station_id>/months/<month>", methods=["GET"])
@roles_required("coordinator", "supervisor", "admin")
def duty_month_page(station_id: int, month: str):
    """A station's month of duty shifts for review: what is still open, and archiving it (the duty
    subsidies become payable then, archive-first)."""
    station = stations.get_station(db.session, station_id)
    try:
        duty.month_bounds(month)
    except DomainError:
        return redirect(url_for("consultation_pages.stations"))
    shifts = duty.month_shifts(db.session, station_id, month)
    record = db.session.scalar(
        sa.select(DutyMonth).where(DutyMonth.station_id == station_id, DutyMonth.month == month)
    )
    subsidies = (
        db.session.scalars(
            sa.select(Subsidy).where(Subsidy.duty_month_id == record.id).order_by(Subsidy.id)
        ).all()
        if record
        else []
    )
    return render_template(
        "assignment/duty_month.html",
        station=station,
        month=month,
        shifts=shifts,
        missing=[shown(m) for m in duty.month_missing(shifts)],  # in the reader's language
        record=record,
        subsidies=subsidies,
        action_form=FlaskForm(),
    )


@bp.post("/stations/<int:station_id>/months/<month>/archive")
@roles_required("coordinator")
@asks_first(
    _l("Archive this month? Its done shifts' subsidies become payable and the month can no longer change."),
    yes=_l("Archive the month"),
    detail=lambda station_id, month: f"{_station_name(station_id)} · {month}",
)
def archive_duty_month(station_id: int, month: str):
    if FlaskForm().validate_on_submit():
        try:
            _record, created = duty.archive_month(db.session, current_user, station_id, month)
        except DomainError as exc:
            fail(exc)
        else:
            db.session.commit()
            flash(
                _("%(month)s archived: %(count)s duty subsidies payable.", month=month, count=len(created)),
                "success",
            )
    return redirect(url_for(".duty_month_page", station_id=station_id, month=month))


def register(app) -> None:
    app.register_blueprint(bp)
