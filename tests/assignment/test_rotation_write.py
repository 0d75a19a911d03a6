"""The pick's write (one statement on PostgreSQL, separate ones on SQLite) leaves the session's
objects agreeing with the database within the same transaction."""

from __future__ import annotations

import sqlalchemy as sa

from assignment.models import Assignment, PoolMember, Provider, RotationPool
from assignment.rotation import assign_by_rotation


def test_objects_loaded_before_a_pick_read_its_writes(session, lawyers, make_pool, make_case, coordinator):
    ids = lawyers(3)
    pool = make_pool(ids)
    case = make_case()
    provider = session.get(Provider, ids[0])
    member = session.get(PoolMember, (pool.id, ids[0]))
    open_before, turns_before, offset_before = provider.open_cases, member.turns, member.offset

    assignment = assign_by_rotation(session, case, coordinator)

    assert assignment.provider_id == ids[0] and assignment.id is not None
    assert session.get(Assignment, assignment.id) is assignment
    assert case.status == "assigned"
    assert provider.open_cases == open_before + 1
    assert (member.turns, member.offset) == (turns_before + 1, offset_before + 1.0)
    stored_clock = session.scalar(sa.select(RotationPool.clock).where(RotationPool.id == pool.id))
    assert session.get(RotationPool, pool.id).clock == stored_clock > 0
    assert assignment.explanation["picked"]["provider_id"] == ids[0]
    session.commit()
    stored = session.execute(
        sa.select(Assignment.status, Assignment.mode, Assignment.explanation).where(
            Assignment.id == assignment.id
        )
    ).one()
    assert stored == ("offered", "rotation", assignment.explanation)
