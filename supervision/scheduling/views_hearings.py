"""Hearing pages (the list, recording, moving and cancelling one) and the observation pages
(schedules, a report)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from assignment.intake import get_case
from assignment.models import Assignment, Case
from legalaid import clock, listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError, shown
from legalaid.filters import local_time
from legalaid.models import CASE_STAFF
from supervision.scheduling import hearings, lists, observations, observer_choice
from supervision.scheduling.blueprint import aware, bp, fail, lookups, page_helpers
from supervision.scheduling.forms import CancelForm, FindCaseForm, HearingForm, ReportForm, StaffForm
from supervision.scheduling.labels import observer_reason_label
from supervision.scheduling.models import Observation


@bp.route("/observations")
@roles_required("supervisor", "coordinator", "admin")
def observation_list():
    now = clock.now()
    mine = list(
        db.session.scalars(
            observations.observations_statement(observer_id=current_user.id)
            .where(Observation.status.in_(("scheduled", "unassigned")))
            .options(selectinload(Observation.hearing))
        )
    )
    unassigned = list(
        db.session.scalars(
            observations.observations_statement(status="unassigned")
            .where(Observation.starts_at > now - dt.timedelta(days=30))
            .options(selectinload(Observation.hearing))
        )
    )
    reported = list(
        db.session.scalars(
            observations.observations_statement(observer_id=current_user.id, status="reported")
            .order_by(None)
            .order_by(Observation.starts_at.desc())
            .limit(20)
            .options(selectinload(Observation.hearing))
        )
    )
    form, args = listing.load_filter(
        lists.ObservationFilterForm, lists.OBSERVATION_SORTS, lists.OBSERVATION_SORT_LABELS
    )
    if args is None:
        page = listing.empty_page()
    else:
        stmt = observations.observations_statement(
            status=args["status"], observer_id=current_user.id if args["mine"] else None
        ).options(selectinload(Observation.hearing))
        page = listing.read_page(db.session, lists.filter_observations(stmt, args))
    every = mine + unassigned + reported + page.rows
    names = lookups(
        [o.case_id for o in every], [o.observer_id for o in every], [o.provider_id for o in every]
    )
    return render_template(
        "supervision/scheduling/observations.html",
        mine=mine,
        unassigned=unassigned,
        reported=reported,
        page=page,
        filters=form,
        names=names,
        now=now,
        **page_helpers(),
    ), (200 if args is not None else 422)


@bp.route("/observations/<int:observation_id>", methods=["GET", "POST"])
@roles_required("supervisor", "coordinator", "admin")
def observation_detail(observation_id: int):
    observation = observations.get_observation(db.session, observation_id)
    form = ReportForm()
    if request.method == "POST" and not current_user.has_role("supervisor"):
        abort(403)
    if form.validate_on_submit():
        try:
            observations.report_observation(
                db.session,
                current_user,
                observation,
                **{
                    r: int(getattr(form, r).data)
                    for r in ("preparation", "examination", "argument", "effect")
                },
                court_view=form.court_view.data,
                notes=form.notes.data,
            )
            db.session.commit()
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("Observation report filed."), "success")
            return redirect(url_for("scheduling.observation_list"))
    return _observation_page(observation, form, status=422 if form.errors else 200)


def _observation_page(observation: Observation, form=None, staff_form=None, status: int = 200):
    names = lookups([observation.case_id], [observation.observer_id], [observation.provider_id])
    now = clock.now()
    may_staff = (
        current_user.has_role(*observer_choice.STAFFERS)
        and observation.status in ("unassigned", "scheduled")
        and observation.starts_at > now
    )
    options = observer_choice.observer_options(db.session, observation) if may_staff else []
    staff_form = staff_form or StaffForm(formdata=None)
    staff_form.observer_id.choices = _observer_choices(options)
    return render_template(
        "supervision/scheduling/observation.html",
        o=observation,
        h=observation.hearing,
        form=form or ReportForm(formdata=None),
        staff_form=staff_form,
        may_staff=may_staff,
        options=options,
        started=observation.starts_at <= now,
        # Only the observer (or anyone, while nobody is named) files the report, as observations.py says.
        may_report=observation.status in ("scheduled", "unassigned")
        and current_user.has_role("supervisor")
        and observation.observer_id in (None, current_user.id),
        names=names,
        **page_helpers(),
    ), status


def _observer_choices(options: list[dict]) -> list[tuple[int, str]]:
    return [
        (o["user_id"], o["name"] + (f" ({observer_reason_label(o['reason'])})" if o["reason"] else ""))
        for o in options
        if o["reason"] not in observer_choice.NEVER
    ]


@bp.post("/observations/<int:observation_id>/observer")
@roles_required(*observer_choice.STAFFERS)
def observation_staff(observation_id: int):
    """The coordinator gives an observation nobody was free for to a supervisor, or asks the rotation
    again (the "no free supervisor" alert links here)."""
    observation = observations.get_observation(db.session, observation_id)
    staff_form = StaffForm()
    staff_form.observer_id.choices = _observer_choices(
        observer_choice.observer_options(db.session, observation)
    )
    try:
        if request.form.get("action") == "rotation" and FlaskForm().validate_on_submit():
            observer_choice.ask_rotation_again(db.session, current_user, observation)
            db.session.commit()
            if observation.observer_id is None:
                flash(_("Still nobody is free; choose a supervisor below."), "error")
            else:
                flash(_("The rotation found an observer."), "success")
            return redirect(url_for("scheduling.observation_detail", observation_id=observation_id))
        if request.form.get("action") == "assign" and staff_form.validate_on_submit():
            observer_choice.assign_observer(
                db.session, current_user, observation, staff_form.observer_id.data
            )
            db.session.commit()
            flash(_("The observer is assigned and will be reminded."), "success")
            return redirect(url_for("scheduling.observation_detail", observation_id=observation_id))
    except DomainError as exc:
        fail(exc)
        observation = observations.get_observation(db.session, observation_id)
    return _observation_page(observation, staff_form=staff_form, status=422)


# --- hearings ---


@bp.route("/hearings")
@roles_required(*CASE_STAFF, "provider")
def hearing_list():
    """Hearings, paged, sorted and filtered as ``GET /api/v1/hearings`` (a provider: their own). With no
    filter asked, staff see those from a week ago on."""
    now = clock.now()
    form, args = listing.load_filter(lists.HearingFilterForm, lists.HEARING_SORTS, lists.HEARING_SORT_LABELS)
    if current_user.has_role(*CASE_STAFF):
        stmt = hearings.hearings_statement()
        if args is not None and "starts_from" not in request.args:  # kept by the headers and pager
            form.starts_from.data = args["starts_from"] = (now - dt.timedelta(days=7)).date()
    else:
        stmt = hearings.hearings_statement(provider_id=current_user.provider_id or -1)
    if args is None:
        page = listing.empty_page()
    else:
        stmt = lists.filter_hearings(stmt, args)
        page = listing.read_page(db.session, stmt)
        if args["starts_from"] is not None:
            page.query.setdefault("starts_from", args["starts_from"].isoformat())
    rows = page.rows
    names = lookups([h.case_id for h in rows], [h.observation.observer_id for h in rows if h.observation])
    return render_template(
        "supervision/scheduling/hearings.html",
        hearings=rows,
        page=page,
        filters=form,
        names=names,
        now=now,
        find_form=FindCaseForm(formdata=None),
        my_cases=_cases_for_hearings() if current_user.has_role("provider") else [],
        may_record=current_user.has_role(*hearings.RECORDERS),
        **page_helpers(),
    ), (200 if args is not None else 422)


def _cases_for_hearings() -> list[tuple[int, str]]:
    """The signed-in provider's live cases that can have hearings: (id, number)."""
    if current_user.provider_id is None:
        return []
    return list(
        db.session.execute(
            sa.select(Case.id, Case.number)
            .join(Assignment, sa.and_(Assignment.case_id == Case.id, Assignment.live.is_(True)))
            .where(
                Assignment.provider_id == current_user.provider_id,
                Case.status.in_(hearings.HEARING_CASE_STATUSES),
            )
            .order_by(Case.number)
            .limit(200)
        ).all()
    )


@bp.get("/hearings/record")
@roles_required(*hearings.RECORDERS)
def hearing_start():
    """ "Record a hearing" from the hearings list: the case is named by its number."""
    form = FindCaseForm(request.args)
    if not form.validate():
        flash(_("Give the case number."), "error")
        return redirect(url_for("scheduling.hearing_list"))
    number = form.case_number.data.strip()
    case_id = db.session.scalar(sa.select(Case.id).where(Case.number == number))
    if case_id is None:
        flash(_("No case has the number %(number)s.", number=number), "error")
        return redirect(url_for("scheduling.hearing_list"))
    case = get_case(db.session, case_id, current_user)  # another provider's case: not found
    return redirect(url_for("scheduling.hearing_new", case_id=case.id))


@bp.route("/cases/<int:case_id>/hearings/new", methods=["GET", "POST"])
@roles_required(*hearings.RECORDERS)
def hearing_new(case_id: int):
    case = get_case(db.session, case_id, current_user)
    form = HearingForm()
    if form.validate_on_submit():
        try:
            hearing = hearings.record_hearing(
                db.session,
                current_user,
                case,
                starts_at=aware(form.starts_at.data),
                ends_at=aware(form.ends_at.data),
                court=form.court.data,
                room=form.room.data,
            )
            db.session.commit()
        except DomainError as exc:
            fail(exc)
        else:
            flash(_("Hearing recorded."), "success")
            return redirect(url_for("scheduling.hearing_detail", hearing_id=hearing.id))
    return render_template("supervision/scheduling/hearing_form.html", case=case, form=form, hearing=None), (
        422 if form.errors else 200
    )


@bp.route("/hearings/<int:hearing_id>", methods=["GET", "POST"])
@roles_required(*CASE_STAFF, "provider")
def hearing_detail(hearing_id: int):
    hearing = hearings.get_hearing(db.session, hearing_id, current_user)
    case = db.session.get(Case, hearing.case_id)
    tz = clock.centre_tz()
    form = HearingForm(
        data={
            "starts_at": hearing.starts_at.astimezone(tz).replace(tzinfo=None),
            "ends_at": hearing.ends_at.astimezone(tz).replace(tzinfo=None),
            "court": hearing.court,
            "room": hearing.room,
        }
    )
    cancel_form = CancelForm(prefix="cancel")
    may_change = current_user.has_role("coordinator", "admin", "provider") and hearing.status == "scheduled"
    if request.method == "POST":
        if not may_change:
            abort(403)
        try:
            if request.form.get("action") == "move" and form.validate_on_submit():
                hearings.move_hearing(
                    db.session,
                    current_user,
                    hearing,
                    starts_at=aware(form.starts_at.data),
                    ends_at=aware(form.ends_at.data),
                    court=form.court.data,
                    room=form.room.data,
                )
                db.session.commit()
                flash(_("Hearing moved; its observation and reminders moved with it."), "success")
                return redirect(url_for("scheduling.hearing_detail", hearing_id=hearing.id))
        except DomainError as exc:
            fail(exc)
    o = hearing.observation
    names = lookups([hearing.case_id], [o.observer_id] if o else [], [hearing.provider_id])
    return render_template(
        "supervision/scheduling/hearing.html",
        hearing=hearing,
        case=case,
        form=form,
        cancel_form=cancel_form,
        may_change=may_change,
        cancel_refusal=shown(hearings.cancel_refusal(hearing) or ""),  # in the reader's language
        names=names,
        **page_helpers(),
    )


def _hearing_detail_line(hearing_id: int) -> str | None:
    """The case and time a question about a hearing names, when the reader may see the hearing."""
    try:
        hearing = hearings.get_hearing(db.session, hearing_id, current_user)
    except DomainError:
        return None
    number = db.session.scalar(sa.select(Case.number).where(Case.id == hearing.case_id))
    return f"{number} · {local_time(hearing.starts_at)} · {hearing.court}"


@bp.post("/hearings/<int:hearing_id>/cancel")
@roles_required("coordinator", "admin", "provider")
@asks_first(
    _l("Cancel this hearing? Its observation and reminders are cancelled too."),
    yes=_l("Yes, cancel the hearing"),
    detail=lambda hearing_id: _hearing_detail_line(hearing_id),
)
def hearing_cancel(hearing_id: int):
    hearing = hearings.get_hearing(db.session, hearing_id, current_user)
    cancel_form = CancelForm(prefix="cancel")
    if cancel_form.validate_on_submit():
        try:
            hearings.cancel_hearing(db.session, current_user, hearing, cancel_form.reason.data)
            db.session.commit()
            flash(_("Hearing cancelled."), "success")
        except DomainError as exc:
            fail(exc)
    else:
        flash(_("Please check the form."), "error")
    return redirect(url_for("scheduling.hearing_detail", hearing_id=hearing_id))
