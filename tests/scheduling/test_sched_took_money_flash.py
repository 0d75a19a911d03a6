"""A follow-up call where the client says the provider took money flashes as a warning that a red flag
was raised (not as an error, not as a plain "done"); an ordinary call flashes as done."""

from __future__ import annotations

import re

import sqlalchemy as sa

from supervision.scheduling.models import FollowUpCall
from tests.conftest import AuthActions


def _flashes(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<div class="flash flash-(\w+)"[^>]*>(.*?)</div>', html, re.S)


def _record(app, session, make_case, sup, **data):
    case = make_case()
    call = session.scalar(sa.select(FollowUpCall).where(FollowUpCall.case_id == case.id))
    client = app.test_client()
    AuthActions(client).login(sup.username)
    client.post(f"/supervision/calls/{call.id}", data={"reached": "yes", **data})
    return _flashes(client.get("/supervision/calls").get_data(as_text=True))


def test_took_money_flashes_a_warning_that_a_red_flag_is_raised(app, session, make_case, supervisors):
    (sup,) = supervisors(1)
    flashes = _record(app, session, make_case, sup, satisfaction="unsatisfied", took_money="y")
    assert [kind for kind, _text in flashes] == ["warning"]
    assert flashes[0][1].startswith("A red flag is raised")
    assert "done" not in flashes[0][1]


def test_an_ordinary_call_flashes_done_as_success(app, session, make_case, supervisors):
    (sup,) = supervisors(1)
    flashes = _record(app, session, make_case, sup, satisfaction="satisfied")
    assert flashes == [("success", "The call is recorded as done.")]
