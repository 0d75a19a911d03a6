"""Pages of the duty rota: the coordinator's stations and a station's month grid (generate, publish,
reassign, approve swaps, mark missed), the admin's duty pools, and the provider's "my shifts" (check
in with one tap, check out with the legal help given, ask and accept swaps).

Thin: each form calls the same service function as the API (assignment/duty/api.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from assignment.consultations_forms import STATION_KIND_LABELS
from assignment.consultations_models import Station
from assignment.duty import pools as duty_pools
from assignment.duty import publish, shifts, swaps
from assignment.duty.forms import (
    LEGAL_HELP_LABELS,
    PART_LABELS,
    ROTA_STATUS_LABELS,
    SHIFT_STATUS_LABELS,
    SWAP_STATUS_LABELS,
    ActionForm,
    CheckOutForm,
    DutyPoolForm,
    GenerateForm,
    ProviderChoiceForm,
    provider_choices,
)
from assignment.duty.models import LEGAL_HELP_KINDS, DutyRota, DutyShift, DutySwap
from assignment.duty.rota import generate_rota, get_station, month_bounds
from assignment.duty.rota_month import generate_month
from assignment.duty.schemas import MONTH_PATTERN, explanation_words
from assignment.models import PoolMember, Provider, RotationPool
from assignment.views import fail
from legalaid import clock
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError, shown
from legalaid.limits import in_window

bp = Blueprint("duty_pages", __name__)

READERS = ("admin", "coordinator", "supervisor")


def _month_arg() -> str:
    import re

    month = request.args.get("month") or clock.today().strftime("%Y-%m")
    if not re.match(MONTH_PATTERN, month) or not in_window("planning", dt.date.fromisoformat(f"{month}-01")):
        abort(400)
    return month


def _shift_month(month: str, step: int) -> str:
    first, last = month_bounds(month)
    day = last + dt.timedelta(days=1) if step > 0 else first - dt.timedelta(days=1)
    return day.strftime("%Y-%m")


def helpers() -> dict:
    return {
        "part_label": lambda code: str(PART_LABELS.get(code, code)),
        "shift_status_label": lambda code: str(SHIFT_STATUS_LABELS.get(code, code)),
        "rota_status_label": lambda code: str(ROTA_STATUS_LABELS.get(code, code)),
        "swap_status_label": lambda code: str(SWAP_STATUS_LABELS.get(code, code)),
        "station_kind_label": lambda code: str(STATION_KIND_LABELS.get(code, code)),
        "help_label": lambda code: str(LEGAL_HELP_LABELS.get(code, code)),
        "why": lambda explanation: shown(explanation_words(explanation)),
        "legal_help_kinds": LEGAL_HELP_KINDS,
    }


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Provider.id, Provider.name).where(Provider.id.in_(ids))).all())


# --- coordinator ---


def _duty_pool_choices() -> list[tuple[str, str]]:
    pools = db.session.execute(
        sa.select(RotationPool.id, RotationPool.name)
        .where(RotationPool.purpose == "duty")
        .order_by(RotationPool.name, RotationPool.id)
    ).all()
    return [(str(pid), name) for pid, name in pools]


def _wanted(month: str, form: GenerateForm) -> list[tuple[dt.date, str]]:
    """The shifts the form asks for: the parts of each day staffed in the month."""
    first, last = month_bounds(month)
    days = {int(d) for d in form.weekdays.data}
    wanted, day = [], first
    while day <= last:
        if day.weekday() in days:
            wanted.extend((day, p) for p in form.parts.data)
        day += dt.timedelta(days=1)
    return wanted


def _stations_page(month: str, form: GenerateForm | None = None):
    rows = db.session.scalars(sa.select(Station).where(Station.active.is_(True)).order_by(Station.name)).all()
    rotas = {
        r.station_id: r
        for r in db.session.scalars(
            sa.select(DutyRota).where(DutyRota.month == month, DutyRota.status != "superseded")
        )
    }
    gaps = dict(
        db.session.execute(
            sa.select(DutyShift.rota_id, sa.func.count())
            .where(
                DutyShift.rota_id.in_([r.id for r in rotas.values()] or [0]), DutyShift.provider_id.is_(None)
            )
            .group_by(DutyShift.rota_id)
        ).all()
    )
    form = form or GenerateForm(formdata=None, weekdays=["0", "1", "2", "3", "4"], parts=["am", "pm"])
    form.pool_id.choices = _duty_pool_choices()
    return render_template(
        "duty/stations.html", rows=rows, rotas=rotas, gaps=gaps, month=month, form=form,
        prev=_shift_month(month, -1), next=_shift_month(month, 1), **helpers(),
    )  # fmt: skip


@bp.get("/duty")
@roles_required(*READERS)
def stations():
    return _stations_page(_month_arg())


@bp.post("/duty")
@roles_required("coordinator")
def generate_all():
    """The month for every station a duty pool staffs, at once (``rota_month.generate_month``)."""
    month = _month_arg()
    form = GenerateForm()
    form.pool_id.choices = _duty_pool_choices()
    if not form.validate():
        return _stations_page(month, form), 422
    try:
        rotas, published = generate_month(
            db.session, current_user, int(form.pool_id.data), month, _wanted(month, form)
        )
        db.session.commit()
    except DomainError as exc:
        fail(exc, form)
        return _stations_page(month, form), exc.status
    message = ngettext(
        "The draft rota of %(num)s station is ready: check it, then publish it.",
        "The draft rotas of %(num)s stations are ready: check them, then publish them.",
        len(rotas),
    )
    if published:
        message += " " + ngettext(
            "%(num)s station's month was published already and is kept.",
            "%(num)s stations' months were published already and are kept.",
            len(published),
        )
    flash(message, "success")
    return redirect(url_for("duty_pages.stations", month=month))


def _grid(station: Station, month: str, form: GenerateForm | None = None):
    rota = publish.live_rota(db.session, station.id, month)
    items = publish.rota_shifts(db.session, rota.id) if rota else []
    pending = swaps.open_swaps(db.session, [s.id for s in items])
    names = _names([s.provider_id for s in items] + [w.to_provider_id for w in pending.values()])
    pools = duty_pools.duty_pools_for(db.session, station)
    form = form or GenerateForm(formdata=None, weekdays=["0", "1", "2", "3", "4"], parts=["am", "pm"])
    form.pool_id.choices = [(str(p.id), p.name) for p in pools]
    members = []
    if rota is not None:
        members = db.session.execute(
            sa.select(Provider.id, Provider.name)
            .join(PoolMember, PoolMember.provider_id == Provider.id)
            .where(PoolMember.pool_id == rota.pool_id)
            .order_by(Provider.name, Provider.id)
        ).all()
    return render_template(
        "duty/station_month.html", station=station, month=month, rota=rota, shifts=items, pending=pending,
        names=names, form=form, pools=pools, members=provider_choices(members), action=ActionForm(),
        prev=_shift_month(month, -1), next=_shift_month(month, 1), today=clock.today(), **helpers(),
    )  # fmt: skip


@bp.get("/duty/stations/<int:station_id>")
@roles_required(*READERS)
def station_month(station_id):
    try:
        station = get_station(db.session, station_id)
    except DomainError:
        abort(404)
    return _grid(station, _month_arg())


@bp.post("/duty/stations/<int:station_id>")
@roles_required("coordinator")
def generate(station_id):
    try:
        station = get_station(db.session, station_id)
    except DomainError:
        abort(404)
    month = _month_arg()
    form = GenerateForm()
    form.pool_id.choices = [(str(p.id), p.name) for p in duty_pools.duty_pools_for(db.session, station)]
    if not form.validate():
        return _grid(station, month, form), 422
    try:
        generate_rota(
            db.session, current_user, station.id, month, int(form.pool_id.data), _wanted(month, form)
        )
        db.session.commit()
    except DomainError as exc:
        fail(exc, form)
        return _grid(station, month, form), exc.status
    flash(_("The draft rota is ready: check it, then publish it."), "success")
    return redirect(url_for("duty_pages.station_month", station_id=station.id, month=month))


def _rota_station(rota_id: int) -> int | None:
    return db.session.scalar(sa.select(DutyRota.station_id).where(DutyRota.id == rota_id))


def _back_to_rota(rota_id: int, month: str | None = None):
    rota = db.session.get(DutyRota, rota_id)
    if rota is None:
        return redirect(url_for("duty_pages.stations"))
    return redirect(url_for("duty_pages.station_month", station_id=rota.station_id, month=rota.month))


def _act(run, success: str, back):
    if not ActionForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return back()
    try:
        run()
        db.session.commit()
        flash(success, "success")
    except DomainError as exc:
        fail(exc)
    return back()


@bp.post("/duty/rota/<int:rota_id>/publish")
@roles_required("coordinator")
@asks_first(
    _l("Publish this rota? The providers are told, and after this it changes only by swaps or reassignment.")
)
def publish_page(rota_id):
    return _act(
        lambda: publish.publish_rota(db.session, current_user, rota_id),
        _("The rota is published; the providers are told."),
        lambda: _back_to_rota(rota_id),
    )


def _shift_rota(shift_id: int) -> int:
    rota_id = db.session.scalar(sa.select(DutyShift.rota_id).where(DutyShift.id == shift_id))
    if rota_id is None:
        abort(404)
    return rota_id


def _reassign_detail(shift_id: int) -> str | None:
    """Which shift, whose now and whose after, so the question cannot be mistaken."""
    shift = db.session.get(DutyShift, shift_id)
    chosen = request.form.get("provider_id", "")
    if shift is None or not chosen.isdigit() or len(chosen) > 10:
        return None
    names = _names([shift.provider_id, int(chosen)])
    nobody = _("nobody")  # a gap being filled
    return _(
        "%(day)s %(part)s: %(now)s → %(then)s",
        day=shift.on_date.isoformat(),
        part=str(PART_LABELS.get(shift.part, shift.part)),
        now=names.get(shift.provider_id, nobody),
        then=names.get(int(chosen), "?"),
    )


@bp.post("/duty/shifts/<int:shift_id>/reassign")
@roles_required("coordinator")
@asks_first(
    _l("Give this shift to another provider? Once the rota is published, both are told."),
    yes=_l("Reassign"),
    detail=_reassign_detail,
)
def reassign_page(shift_id):
    rota_id = _shift_rota(shift_id)
    form = ProviderChoiceForm()
    form.provider_id.choices = [(request.form.get("provider_id", ""), "")]
    if not form.validate() or not (form.provider_id.data or "").isdigit() or len(form.provider_id.data) > 10:
        flash(_("Choose a provider."), "error")
        return _back_to_rota(rota_id)
    try:
        publish.reassign_shift(db.session, current_user, shift_id, int(form.provider_id.data))
        db.session.commit()
        flash(_("The shift is reassigned."), "success")
    except DomainError as exc:
        fail(exc)
    return _back_to_rota(rota_id)


@bp.post("/duty/shifts/<int:shift_id>/missed")
@roles_required("coordinator")
@asks_first(_l("Record this shift as missed? It counts as the provider's turn."))
def missed_page(shift_id):
    rota_id = _shift_rota(shift_id)
    return _act(
        lambda: shifts.mark_missed(db.session, current_user, shift_id),
        _("The shift is recorded as missed."),
        lambda: _back_to_rota(rota_id),
    )


def _swap_rota(swap_id: int) -> int:
    rota_id = db.session.scalar(
        sa.select(DutyShift.rota_id)
        .join(DutySwap, DutySwap.shift_id == DutyShift.id)
        .where(DutySwap.id == swap_id)
    )
    if rota_id is None:
        abort(404)
    return rota_id


@bp.post("/duty/swaps/<int:swap_id>/approve")
@roles_required("coordinator")
def approve_page(swap_id):
    rota_id = _swap_rota(swap_id)
    return _act(
        lambda: swaps.decide_swap(db.session, current_user, swap_id, approve=True),
        _("The swap is approved."),
        lambda: _back_to_rota(rota_id),
    )


@bp.post("/duty/swaps/<int:swap_id>/refuse")
@roles_required("coordinator")
@asks_first(_l("Refuse this swap? The shift stays with its provider."))
def refuse_page(swap_id):
    rota_id = _swap_rota(swap_id)
    return _act(
        lambda: swaps.decide_swap(db.session, current_user, swap_id, approve=False),
        _("The swap is refused."),
        lambda: _back_to_rota(rota_id),
    )


# --- admin: duty pools ---


@bp.route("/duty/pools", methods=["GET", "POST"])
@roles_required("admin")
def pools_page():
    form = DutyPoolForm()
    form.station_id.choices = [("", "—")] + [
        (str(s.id), s.name) for s in db.session.scalars(sa.select(Station).order_by(Station.name))
    ]
    status = 200
    if request.method == "POST":
        if form.validate() and form.station_id.data.isdigit() and len(form.station_id.data) <= 10:
            try:
                pool = duty_pools.create_duty_pool(
                    db.session, current_user, form.name.data, form.provider_kinds.data,
                    station_id=int(form.station_id.data),
                )  # fmt: skip
                db.session.commit()
                flash(_("The duty pool is created: add its members."), "success")
                return redirect(url_for("panel_pages.pool", pool_id=pool.id))
            except DomainError as exc:
                fail(exc, form)
                status = exc.status
        else:
            status = 422
    rows = db.session.execute(
        sa.select(RotationPool, Station.name, sa.func.count(PoolMember.provider_id))
        .outerjoin(Station, Station.id == RotationPool.station_id)
        .outerjoin(PoolMember, PoolMember.pool_id == RotationPool.id)
        .where(RotationPool.purpose == "duty")
        .group_by(RotationPool.id, Station.name)
        .order_by(RotationPool.name)
    ).all()
    return render_template("duty/pools.html", form=form, rows=rows), status


# --- provider ---


@bp.get("/my/shifts")
@roles_required("provider")
def my_shifts():
    items, asked = shifts.my_shifts(db.session, current_user)
    pending = swaps.open_swaps(db.session, [s.id for s in items])
    stations = dict(db.session.execute(sa.select(Station.id, Station.name)).all())
    asked_shifts = {w.id: db.session.get(DutyShift, w.shift_id) for w in asked}
    names = _names([w.from_provider_id for w in asked] + [w.to_provider_id for w in pending.values()])
    partners = {}
    for s in items:
        rows = db.session.execute(
            sa.select(Provider.id, Provider.name)
            .join(PoolMember, PoolMember.provider_id == Provider.id)
            .join(DutyRota, DutyRota.pool_id == PoolMember.pool_id)
            .where(DutyRota.id == s.rota_id, Provider.id != s.provider_id)
            .order_by(Provider.name, Provider.id)
        ).all()
        partners[s.id] = provider_choices(rows)
    return render_template(
        "duty/my_shifts.html", items=items, asked=asked, asked_shifts=asked_shifts, pending=pending,
        stations=stations, names=names, partners=partners, today=clock.today(), action=ActionForm(),
        checkout=CheckOutForm(formdata=None), **helpers(),
    )  # fmt: skip


def _back_mine():
    return redirect(url_for("duty_pages.my_shifts"))


@bp.post("/my/shifts/<int:shift_id>/check-in")
@roles_required("provider")
def check_in_page(shift_id):
    return _act(lambda: shifts.check_in(db.session, current_user, shift_id), _("Checked in."), _back_mine)


@bp.post("/my/shifts/<int:shift_id>/check-out")
@roles_required("provider")
def check_out_page(shift_id):
    form = CheckOutForm()
    if not form.validate():
        for problems in form.errors.values():
            for problem in problems:
                flash(str(problem), "error")
        return _back_mine()
    counts = {k: getattr(form, k).data or 0 for k in LEGAL_HELP_KINDS}
    try:
        shifts.check_out(db.session, current_user, shift_id, counts, form.note.data)
        db.session.commit()
        flash(_("Checked out; thank you."), "success")
    except DomainError as exc:
        fail(exc)
    return _back_mine()


@bp.post("/my/shifts/<int:shift_id>/swap")
@roles_required("provider")
def ask_swap_page(shift_id):
    form = ProviderChoiceForm()
    form.provider_id.choices = [(request.form.get("provider_id", ""), "")]
    if not form.validate() or not (form.provider_id.data or "").isdigit() or len(form.provider_id.data) > 10:
        flash(_("Choose a provider."), "error")
        return _back_mine()
    try:
        swaps.ask_swap(db.session, current_user, shift_id, int(form.provider_id.data))
        db.session.commit()
        flash(_("The swap is asked; a coordinator approves it once they accept."), "success")
    except DomainError as exc:
        fail(exc)
    return _back_mine()


@bp.post("/my/swaps/<int:swap_id>/accept")
@roles_required("provider")
def accept_swap_page(swap_id):
    return _act(
        lambda: swaps.accept_swap(db.session, current_user, swap_id), _("You accepted the swap."), _back_mine
    )


@bp.post("/my/swaps/<int:swap_id>/withdraw")
@roles_required("provider")
@asks_first(_l("Withdraw this swap request?"))
def withdraw_swap_page(swap_id):
    return _act(
        lambda: swaps.withdraw_swap(db.session, current_user, swap_id),
        _("The swap is withdrawn."),
        _back_mine,
    )


def register_pages(app) -> None:
    from legalaid.hooks import add_nav

    app.register_blueprint(bp)
    add_nav(app, "duty_pages.stations", lambda: str(_l("Duty rota")), ("coordinator", "supervisor"), order=18)
    add_nav(app, "duty_pages.pools_page", lambda: str(_l("Duty pools")), ("admin",), order=807)
    add_nav(app, "duty_pages.my_shifts", lambda: str(_l("My shifts")), ("provider",), order=12)
