"""JSON API of the duty rota (API.md "Stations and duty rota"). Thin: validate, call one service
function, commit, dump."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from assignment.duty import pools as duty_pools
from assignment.duty import publish, shifts, swaps
from assignment.duty.rota import generate_rota, get_station
from assignment.duty.rota_month import generate_month
from assignment.duty.schemas import (
    MY_SHIFTS,
    ROTA,
    SHIFT,
    SWAP,
    CheckOutSchema,
    MonthRotasSchema,
    ReassignSchema,
    RotaCreateSchema,
    RotaQueryArgs,
    SwapAskSchema,
    dump_rota,
    dump_shift,
    dump_swap,
)
from legalaid.api import api_blueprint, use_body
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.openapi import INTEGER, array, obj, responds, use_query

bp = api_blueprint("duty_api", __name__)

COORDINATORS = publish.COORDINATORS
ROTA_READERS = ("admin", "coordinator", "supervisor")


def _rota_answer(rota):
    items = publish.rota_shifts(db.session, rota.id)
    return dump_rota(rota, items, swaps.open_swaps(db.session, [s.id for s in items]))


@bp.post("/stations/<int:station_id>/rota")
@roles_required(*COORDINATORS)
@use_body(RotaCreateSchema)
@responds(201, ROTA, creates="rota_id")
def create_rota(station_id, body):
    """Draft the station's rota for a month from a duty pool: a provider and an explanation per
    shift, by the rotation (weights, leave, no two shifts at once, no clash with a hearing). A draft
    of the month is superseded (its turns given back); a published month is final (409)."""
    wanted = [(s["date"], s["part"]) for s in body["shifts"]]
    rota = generate_rota(db.session, current_user, station_id, body["month"], body["pool_id"], wanted)
    db.session.commit()
    return jsonify(_rota_answer(rota)), 201


@bp.post("/duty-pools/<int:pool_id>/month")
@roles_required(*COORDINATORS)
@use_body(MonthRotasSchema)
@responds(201, obj({"rotas": array(ROTA), "published": array(INTEGER)}))
def create_month(pool_id, body):
    """Draft the month for every open station the duty pool staffs, the same shifts at each, as if
    each were drawn up in turn (stations by name): the new drafts, and the stations whose month is
    published (kept as it is). Drafts of the month are superseded; 409 when nothing is left to draw up."""
    wanted = [(s["date"], s["part"]) for s in body["shifts"]]
    rotas, published = generate_month(db.session, current_user, pool_id, body["month"], wanted)
    db.session.commit()
    return jsonify({"rotas": [_rota_answer(rota) for rota in rotas], "published": published}), 201


@bp.get("/stations/<int:station_id>/rota")
@roles_required(*ROTA_READERS)
@use_query(RotaQueryArgs)
@responds(200, obj({"rota": {"allOf": [ROTA], "nullable": True}, "pools": array(obj({}, {}))}))
def read_station_rota(station_id, args):
    """The station's live rota of a month (null if none yet) and the duty pools that may staff it."""
    station = get_station(db.session, station_id)
    rota = publish.live_rota(db.session, station.id, args["month"])
    pools = [{"id": p.id, "name": p.name} for p in duty_pools.duty_pools_for(db.session, station)]
    return jsonify({"rota": _rota_answer(rota) if rota else None, "pools": pools})


@bp.get("/rota/<int:rota_id>")
@roles_required(*ROTA_READERS)
@responds(200, ROTA)
def read_rota(rota_id):
    """One rota with its shifts, their explanations and the swaps pending."""
    return jsonify(_rota_answer(publish.get_rota(db.session, rota_id)))


@bp.post("/rota/<int:rota_id>/publish")
@roles_required(*COORDINATORS)
@responds(200, ROTA)
def publish_rota(rota_id):
    """Draft → published: providers are told and see their shifts in their calendar feed; after
    this a shift changes only by swap or reassignment (409 when not a draft)."""
    rota = publish.publish_rota(db.session, current_user, rota_id)
    db.session.commit()
    return jsonify(_rota_answer(rota))


@bp.get("/me/shifts")
@roles_required("provider")
@responds(200, MY_SHIFTS)
def my_shifts():
    """The provider's shifts of published rotas from a week ago on, and swaps asked of them."""
    items, asked = shifts.my_shifts(db.session, current_user)
    pending = swaps.open_swaps(db.session, [s.id for s in items])
    return jsonify(
        {
            "items": [dump_shift(s, pending.get(s.id)) for s in items],
            "total": len(items),
            "swaps_asked": [dump_swap(s) for s in asked],
        }
    )


@bp.post("/shifts/<int:shift_id>/swap")
@roles_required("provider")
@use_body(SwapAskSchema)
@responds(201, SWAP, creates="swap_id")
def ask_swap(shift_id, body):
    """Ask another provider of the pool to take your shift; they accept, a coordinator approves."""
    swap = swaps.ask_swap(db.session, current_user, shift_id, body["with_provider_id"])
    db.session.commit()
    return jsonify(dump_swap(swap)), 201


@bp.post("/swaps/<int:swap_id>/accept")
@roles_required("provider")
@responds(200, SWAP)
def accept_swap(swap_id):
    """The provider asked accepts the swap (still to be approved)."""
    swap = swaps.accept_swap(db.session, current_user, swap_id)
    db.session.commit()
    return jsonify(dump_swap(swap))


@bp.post("/swaps/<int:swap_id>/withdraw")
@roles_required("provider")
@responds(200, SWAP)
def withdraw_swap(swap_id):
    """The asking provider withdraws a swap not yet approved."""
    swap = swaps.withdraw_swap(db.session, current_user, swap_id)
    db.session.commit()
    return jsonify(dump_swap(swap))


@bp.post("/swaps/<int:swap_id>/approve")
@roles_required(*COORDINATORS)
@responds(200, SWAP)
def approve_swap(swap_id):
    """Approve an accepted swap: the shift changes hands; no rotation turn moves."""
    swap = swaps.decide_swap(db.session, current_user, swap_id, approve=True)
    db.session.commit()
    return jsonify(dump_swap(swap))


@bp.post("/swaps/<int:swap_id>/refuse")
@roles_required(*COORDINATORS)
@responds(200, SWAP)
def refuse_swap(swap_id):
    """Refuse a swap asked or accepted: the shift stays with its provider."""
    swap = swaps.decide_swap(db.session, current_user, swap_id, approve=False)
    db.session.commit()
    return jsonify(dump_swap(swap))


@bp.post("/shifts/<int:shift_id>/reassign")
@roles_required(*COORDINATORS)
@use_body(ReassignSchema)
@responds(200, SHIFT)
def reassign_shift(shift_id, body):
    """Give a planned shift (or a gap) to another eligible, free provider of the pool (audited)."""
    shift = publish.reassign_shift(db.session, current_user, shift_id, body["provider_id"])
    db.session.commit()
    return jsonify(dump_shift(shift))


@bp.post("/shifts/<int:shift_id>/check-in")
@roles_required("provider")
@responds(200, SHIFT)
def check_in(shift_id):
    """Check in to your shift, on its date."""
    shift = shifts.check_in(db.session, current_user, shift_id)
    db.session.commit()
    return jsonify(dump_shift(shift))


@bp.post("/shifts/<int:shift_id>/check-out")
@roles_required("provider")
@use_body(CheckOutSchema)
@responds(200, SHIFT)
def check_out(shift_id, body):
    """Check out, with the legal help given by kind and a free note."""
    shift = shifts.check_out(db.session, current_user, shift_id, body["legal_help"], body["note"])
    db.session.commit()
    return jsonify(dump_shift(shift))


@bp.post("/shifts/<int:shift_id>/missed")
@roles_required(*COORDINATORS)
@responds(200, SHIFT)
def mark_missed(shift_id):
    """Record a no-show; it counts as the provider's turn."""
    shift = shifts.mark_missed(db.session, current_user, shift_id)
    db.session.commit()
    return jsonify(dump_shift(shift))
