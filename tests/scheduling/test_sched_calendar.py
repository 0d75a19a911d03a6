"""Each user's private iCalendar feed: secret URL, revocable, built with icalendar."""

from __future__ import annotations

import icalendar

from tests.conftest import AuthActions
from tests.scheduling.conftest import future


def test_feed_lists_observations_and_calls_and_can_be_revoked(
    app, session, make_case, hearing_at, supervisors, sample_rate
):
    sample_rate(1.0)
    (sup,) = supervisors(1)
    hearing_at(make_case(), future(5))
    client = app.test_client()
    AuthActions(client).login(sup.username)
    url = client.post("/api/v1/me/calendar-feed").get_json()["url"]
    path = url.split("localhost", 1)[-1]
    anonymous = app.test_client()
    r = anonymous.get(path)
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    events = [c for c in icalendar.Calendar.from_ical(r.data).walk("VEVENT")]
    summaries = sorted(str(e["summary"]) for e in events)
    assert any(s.startswith("Observe the hearing") for s in summaries)
    assert any(s.startswith("Follow-up call") for s in summaries)
    assert client.delete("/api/v1/me/calendar-feed").status_code == 204
    assert anonymous.get(path).status_code == 404


def test_provider_feed_has_their_hearings(
    app, session, make_case, make_lawyer, make_person, hearing_at, supervisors
):
    supervisors(1)
    lawyer = make_lawyer()
    hearing_at(make_case(provider=lawyer), future(5))
    hearing_at(make_case(), future(6))
    user = make_person("provider", provider_id=lawyer.id)
    from supervision.scheduling.calendar import build_feed

    with app.test_request_context():
        cal = icalendar.Calendar.from_ical(build_feed(session, user))
    assert len(cal.walk("VEVENT")) == 1
