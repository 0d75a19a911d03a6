"""One deadline calculator (assignment.deadlines): the case page, the API, the deadlines page and the
digest count a limit the same way, in calendar or working days (issue 12)."""

import datetime as dt

from assignment.intake import case_deadlines
from assignment.models import Case
from legalaid.db import db
from supervision.scheduling.deadlines import open_deadlines

APPLICANT = {"name": "Zhang San", "id_number": "110101199003077571", "phone": "13800000000"}


def test_a_working_day_limit_falls_on_the_same_day_on_every_path(app, as_role, centre_clock):
    app.config["DEADLINE_UNITS"] = {"decision": "working"}
    centre_clock.travel_to(dt.date(2026, 10, 8))
    admin, coordinator = as_role("admin"), as_role("coordinator")
    assert admin.put("/api/v1/calendar/days/2026-10-01", json={"working": False}).status_code in (200, 201)
    case = coordinator.post(
        "/api/v1/cases",
        json={"case_type": "civil", "cause": "contract", "received_on": "2026-09-28", "applicant": APPLICANT},
    ).get_json()
    # Received Monday 28 September; the 7th working day after it, with 1 October a holiday, is 8 October
    # (7 calendar days would be 5 October).
    shown = coordinator.get(f"/api/v1/cases/{case['id']}").get_json()
    assert shown["deadlines"]["decision"]["due_on"] == "2026-10-08"
    page = coordinator.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "2026-10-08" in page and "2026-10-05" not in page
    with app.app_context():
        stored = db.session.get(Case, case["id"])
        assert case_deadlines(stored)["decision"]["due_on"] == dt.date(2026, 10, 8)
        digest = {(d.case_id, d.name): d for d in open_deadlines(db.session)}
        assert digest[(case["id"], "decision")].due_on == dt.date(2026, 10, 8)
        assert digest[(case["id"], "decision")].state == "due_today"


def test_calendar_days_by_default(app, as_role, centre_clock):
    centre_clock.travel_to(dt.date(2026, 10, 8))
    coordinator = as_role("coordinator")
    case = coordinator.post(
        "/api/v1/cases",
        json={"case_type": "civil", "cause": "contract", "received_on": "2026-09-28", "applicant": APPLICANT},
    ).get_json()
    shown = coordinator.get(f"/api/v1/cases/{case['id']}").get_json()
    assert shown["deadlines"]["decision"]["due_on"] == "2026-10-05"
    with app.app_context():
        digest = {(d.case_id, d.name): d for d in open_deadlines(db.session)}
        assert digest[(case["id"], "decision")].days_overdue == 3
