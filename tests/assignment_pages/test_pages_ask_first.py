"""Destructive actions of the intake and panel pages ask first (a form step that works without
JavaScript); an approval or a form missing its reason does not ask."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment.models import Assignment, Case, PoolMember, ProviderConflict, ProviderLeave
from legalaid import clock


def _asked(response, *words):
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="confirm-yes"' in page, page[:400]
    for word in words:
        assert word in page
    return page


def test_rejecting_an_application_asks_first_and_approving_does_not(coordinator, make_case, read):
    case_id = make_case(status="applied")
    number = read(Case, case_id)["number"]
    reject = {"decision-decision": "reject", "decision-reason": "income too high"}
    _asked(coordinator.post(f"/cases/{case_id}/decision", data=reject), "Reject this application?", number)
    assert read(Case, case_id)["status"] == "applied"
    coordinator.post(f"/cases/{case_id}/decision", data={**reject, "confirmed": "yes"})
    assert read(Case, case_id)["status"] == "rejected"
    other = make_case(status="applied")
    approve = {"decision-decision": "approve", "decision-means_test": "checked"}
    assert coordinator.post(f"/cases/{other}/decision", data=approve).status_code in (302, 303)


def test_withdraw_and_reassign_ask_first(coordinator, make_pool, make_case, assign, read):
    make_pool()
    applied = make_case(status="applied")
    _asked(coordinator.post(f"/cases/{applied}/withdraw", data={"withdraw-reason": "x"}), "Withdraw")
    assert read(Case, applied)["status"] == "applied"
    case_id = make_case()
    first = assign(case_id)
    asked = coordinator.post(f"/cases/{case_id}/reassign", data={"reassign-reason": "complaint"})
    _asked(asked, "next in line", 'name="reassign-reason" value="complaint"')
    assert read(Assignment, first)["status"] == "offered"


def test_a_provider_declining_is_asked_first(make_pool, make_case, assign, provider_client, read):
    make_pool()
    assignment_id = assign(make_case())
    client = provider_client(read(Assignment, assignment_id)["provider_id"])
    asked = client.post(f"/me/assignments/{assignment_id}/decline", data={"reason_code": "unavailable"})
    _asked(asked, "Decline this case?")
    assert read(Assignment, assignment_id)["status"] == "offered"


@pytest.mark.parametrize("what", ["member", "conflict", "leave"])
def test_panel_removals_ask_first(as_role, make_pool, last, count, what):
    pool_id, (provider_id,) = make_pool(n=1)
    admin = as_role("admin")
    today = clock.today().isoformat()
    admin.post(f"/admin/providers/{provider_id}/conflicts", data={"conflict-party_name": "Acme Ltd"})
    admin.post(
        f"/admin/providers/{provider_id}/leave", data={"leave-starts_on": today, "leave-ends_on": today}
    )
    if what == "member":
        url, data, model = f"/admin/pools/{pool_id}/members/{provider_id}/remove", {}, PoolMember
    elif what == "conflict":
        url, data = f"/admin/providers/{provider_id}/conflicts/{last(ProviderConflict)['id']}/withdraw", {}
        model = ProviderConflict
    else:
        leave_id = last(ProviderLeave)["id"]
        url, data, model = (
            f"/admin/providers/{provider_id}/leave/{leave_id}/end",
            {f"end-{leave_id}-last_day": (clock.today() - dt.timedelta(days=1)).isoformat()},
            ProviderLeave,
        )
    _asked(admin.post(url, data=data), "Acme Ltd" if what == "conflict" else "")
    assert count(model) == 1
    admin.post(url, data={**data, "confirmed": "yes"})
    assert count(model) == 0
