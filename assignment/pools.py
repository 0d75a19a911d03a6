"""Rotation pools and their weighted members (DESIGN.md §4 "Rotation"): a pool's case types,
provider kinds and area, the scopes it claims, and who sits in it. Admins manage them (DESIGN.md §5)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment import rotation
from assignment.models import (
    CASE_TYPES,
    PROVIDER_KINDS,
    PoolMember,
    PoolScope,
    Provider,
    RotationPool,
)
from assignment.roles import require_role
from legalaid import audit
from legalaid.db import lock_for_update
from legalaid.errors import Invalid, NotFound, say

POOL_FIELDS = ("name", "case_types", "provider_kinds", "area")


def get_pool(session: Session, pool_id: int) -> RotationPool:
    pool = session.get(RotationPool, pool_id)
    if pool is None:
        raise NotFound(say("No such pool."))
    return pool


def _checked_pool_fields(
    session: Session,
    name: str,
    case_types: Iterable[str],
    provider_kinds: Iterable[str],
    area: str | None,
    pool: RotationPool | None = None,
) -> dict:
    """The pool's fields, normalised, or ``Invalid``: a name, known codes, and no overlap with
    another pool (two pools claiming the same type and area, or both without an area, DESIGN.md §4
    "Pools"). ``pool`` is the pool being changed, which may keep its own claims."""
    name = (name or "").strip()
    case_types, provider_kinds = sorted(set(case_types)), sorted(set(provider_kinds))
    area = (area or "").strip() or None
    others = RotationPool.id != pool.id if pool is not None else sa.true()
    problems = {}
    if not name:
        problems["name"] = [say("Required.")]
    elif session.scalar(sa.select(RotationPool.id).where(RotationPool.name == name, others)):
        problems["name"] = [say("A pool with this name exists.")]
    if not case_types or set(case_types) - set(CASE_TYPES):
        problems["case_types"] = [say("One or more of %(choices)s.", choices=", ".join(CASE_TYPES))]
    if not provider_kinds or set(provider_kinds) - set(PROVIDER_KINDS):
        problems["provider_kinds"] = [say("One or more of %(choices)s.", choices=", ".join(PROVIDER_KINDS))]
    if problems:
        raise Invalid(say("The pool is not valid."), fields=problems)
    taken = session.execute(
        sa.select(RotationPool.name, PoolScope.case_type)
        .join(PoolScope, PoolScope.pool_id == RotationPool.id)
        .where(PoolScope.case_type.in_(case_types), PoolScope.area_key == (area or ""), others)
        .order_by(RotationPool.name, PoolScope.case_type)
    ).all()
    if taken:
        other = taken[0].name
        types = ", ".join(t for n, t in taken if n == other)
        if area:
            message = say(
                "The pool %(pool)s already serves %(types)s cases for area %(area)s.",
                pool=other,
                types=types,
                area=area,
            )
        else:
            message = say(
                "The pool %(pool)s already serves %(types)s cases for no area.", pool=other, types=types
            )
        raise Invalid(
            message,
            fields={"case_types": [say("Overlaps the pool %(pool)s: %(types)s.", pool=other, types=types)]},
        )
    return {"name": name, "case_types": case_types, "provider_kinds": provider_kinds, "area": area}


def _pool_summary(pool: RotationPool) -> dict:
    return {f: getattr(pool, f) for f in POOL_FIELDS}


def _claim_scopes(session: Session, pool: RotationPool) -> None:
    """Make the pool's pool_scope rows match its case types and area. Their unique (case type,
    area) key is the last word on overlaps: two admins claiming one scope at once cannot both commit."""
    key = pool.area or ""
    wanted = {(t, key) for t in pool.case_types}
    scopes = session.scalars(sa.select(PoolScope).where(PoolScope.pool_id == pool.id)).all()
    for scope in scopes:
        if (scope.case_type, scope.area_key) not in wanted:
            session.delete(scope)
    have = {(scope.case_type, scope.area_key) for scope in scopes}
    try:
        with session.begin_nested():
            session.add_all(
                PoolScope(pool_id=pool.id, case_type=t, area_key=k) for t, k in sorted(wanted - have)
            )
    except sa.exc.IntegrityError:  # another admin's pool claimed it since we checked
        raise Invalid(
            say("Another pool has just claimed one of these case types for this area."),
            fields={"case_types": [say("Overlaps another pool.")]},
        ) from None


def create_pool(
    session: Session,
    name: str,
    case_types: Iterable[str],
    provider_kinds: Iterable[str],
    actor,
    *,
    area: str | None = None,
) -> RotationPool:
    """A rotation pool for some case types (and optionally one area). Two pools claiming the same
    type and area, or both without an area, are refused (DESIGN.md §4 "Pools")."""
    require_role(actor, "admin")
    fields = _checked_pool_fields(session, name, case_types, provider_kinds, area)
    pool = RotationPool(**fields, weights=[])
    session.add(pool)
    session.flush()
    _claim_scopes(session, pool)
    audit.record(session, actor, "pool.create", "rotation_pool", pool.id, None, _pool_summary(pool))
    return pool


def update_pool(session: Session, pool: RotationPool, fields: dict, actor) -> RotationPool:
    """Change a pool's name, case types, provider kinds or area (fields not given are kept), under
    the checks of create_pool. A kind cannot be removed while members of that kind are in the
    pool: take them out first. Members keep their places in the rotation."""
    require_role(actor, "admin")
    unknown = set(fields) - set(POOL_FIELDS)
    if unknown:
        raise Invalid(say("That cannot be changed."), fields={f: [say("Unknown field.")] for f in unknown})
    pool = _lock_pool(session, pool)
    before = _pool_summary(pool)
    checked = _checked_pool_fields(session, **{**before, **fields}, pool=pool)
    dropped = set(pool.provider_kinds) - set(checked["provider_kinds"])
    kept_out = session.scalars(
        sa.select(Provider.kind)
        .join(PoolMember, PoolMember.provider_id == Provider.id)
        .where(PoolMember.pool_id == pool.id, Provider.kind.in_(dropped))
        .distinct()
        .order_by(Provider.kind)
    ).all()
    if kept_out:
        kinds = ", ".join(kept_out)
        raise Invalid(
            say("Members of this pool are of kind %(kinds)s: take them out of the pool first.", kinds=kinds),
            fields={"provider_kinds": [say("Members are of kind %(kinds)s.", kinds=kinds)]},
        )
    for name, value in checked.items():
        setattr(pool, name, value)
    _claim_scopes(session, pool)
    audit.record(session, actor, "pool.update", "rotation_pool", pool.id, before, _pool_summary(pool))
    return pool


def _lock_pool(session: Session, pool: RotationPool) -> RotationPool:
    # Membership changes move the pool's clock state; they queue behind assigners (DESIGN.md §4).
    return session.scalars(
        lock_for_update(sa.select(RotationPool).where(RotationPool.id == pool.id)).execution_options(
            populate_existing=True
        )
    ).one()


def _refresh_weights(session: Session, pool: RotationPool) -> None:
    pool.weights = sorted(
        session.scalars(sa.select(PoolMember.weight).where(PoolMember.pool_id == pool.id).distinct()).all()
    )


def set_pool_member(
    session: Session, pool: RotationPool, provider: Provider, actor, *, weight: float | None = None
) -> tuple[PoolMember, bool]:
    """Add a provider to a pool (they join at the back of the current round) or change their weight
    (their deficit is kept). Returns the member and whether it was created."""
    require_role(actor, "admin")
    if weight is not None and not 0 < weight <= 10:
        raise Invalid(
            say("The weight must be above 0 and at most 10."), fields={"weight": [say("Out of range.")]}
        )
    pool = _lock_pool(session, pool)
    # Checked under the lock: update_pool may be removing this kind at the same moment.
    if provider.kind not in pool.provider_kinds:
        raise Invalid(
            say(
                "This pool takes only %(kinds)s; the provider is a %(kind)s.",
                kinds=", ".join(pool.provider_kinds),
                kind=provider.kind,
            ),
            fields={"provider_id": [say("Kind not allowed in this pool.")]},
        )
    member = session.get(PoolMember, (pool.id, provider.id))
    created = member is None
    if created:
        member = rotation.join_pool(session, pool, provider, 1.0 if weight is None else weight)
        before = None
    else:
        before = {"weight": member.weight}
        if weight is not None and weight != member.weight:
            rotation.change_weight(pool, member, weight)
    session.flush()
    _refresh_weights(session, pool)
    audit.record(
        session,
        actor,
        "pool.member_add" if created else "pool.member_update",
        "rotation_pool",
        pool.id,
        before,
        {"provider_id": provider.id, "weight": member.weight},
    )
    return member, created


def remove_pool_member(session: Session, pool: RotationPool, provider: Provider, actor) -> None:
    require_role(actor, "admin")
    pool = _lock_pool(session, pool)
    member = session.get(PoolMember, (pool.id, provider.id))
    if member is None:
        raise NotFound(say("The provider is not in this pool."))
    if member.away_since is None:
        pool.active_weight = max(pool.active_weight - member.weight, 0.0)
    session.delete(member)
    session.flush()
    _refresh_weights(session, pool)
    audit.record(session, actor, "pool.member_remove", "rotation_pool", pool.id, {"provider_id": provider.id})
