"""The scheduler's deadline sweep runs intake's daily rules: an unanswered assignment moves on, and
missing materials not supplied in time withdraw the application (Law art. 43)."""

import datetime as dt

from assignment.intake import request_materials
from assignment.rotation import assign_by_rotation
from legalaid import clock
from supervision.scheduling.scheduler import check_deadlines


def test_deadline_sweep_moves_unanswered_assignments_on(session, lawyers, make_pool, make_case, coordinator):
    ids = lawyers(2)
    make_pool(ids)
    first = assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    result = check_deadlines(session, clock.now() + dt.timedelta(days=2, minutes=1))
    assert result["expired"] == 1
    assert first.status == "expired" and first.case.current_assignment.provider_id == ids[1]


def test_deadline_sweep_withdraws_lapsed_material_requests(session, make_case, coordinator):
    case = make_case(status="applied")
    request_materials(session, case, ["income certificate"], coordinator, supply_by=clock.today())
    session.commit()
    result = check_deadlines(session, clock.now() + dt.timedelta(days=2))
    assert result["lapsed"] == 1 and case.status == "withdrawn"
