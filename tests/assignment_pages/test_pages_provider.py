"""The provider's "My assignments" pages: their own cases only, why them, accept and decline."""

from __future__ import annotations

from assignment.models import Assignment, Case


def test_my_assignments_lists_own_case_with_why_you(make_pool, make_case, assign, provider_client, read):
    _pool, (first, second, _third) = make_pool()
    case_id = make_case(opposing_party="Acme Ltd")
    assignment_id = assign(case_id)
    picked = read(Assignment, assignment_id)["provider_id"]
    page = provider_client(picked).get("/me/assignments")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert read(Case, case_id)["number"] in html
    assert "Why you" in html and "picked" in html and "next in line" in html
    assert "Acme Ltd" in html
    other = second if picked == first else first
    assert read(Case, case_id)["number"] not in provider_client(other).get("/me/assignments").get_data(
        as_text=True
    )


def test_provider_accepts_assignment(make_pool, make_case, assign, provider_client, read):
    make_pool()
    case_id = make_case()
    assignment_id = assign(case_id)
    client = provider_client(read(Assignment, assignment_id)["provider_id"])
    response = client.post(f"/me/assignments/{assignment_id}/accept")
    assert response.status_code in (302, 303)
    assert read(Assignment, assignment_id)["status"] == "accepted"
    assert read(Case, case_id)["status"] == "in_progress"
    again = client.post(f"/me/assignments/{assignment_id}/accept", follow_redirects=True)
    assert "cannot be accepted" in again.get_data(as_text=True)


def test_provider_declines_with_reason(make_pool, make_case, assign, provider_client, read):
    make_pool()
    case_id = make_case()
    assignment_id = assign(case_id)
    client = provider_client(read(Assignment, assignment_id)["provider_id"])
    response = client.post(
        f"/me/assignments/{assignment_id}/decline",
        data={"reason_code": "conflict", "note": "knows the party", "confirmed": "yes"},
    )
    assert response.status_code in (302, 303)
    declined = read(Assignment, assignment_id)
    assert (declined["status"], declined["decline_reason_code"]) == ("declined", "conflict")
    assert read(Case, case_id)["status"] == "accepted"


def test_decline_without_reason_is_422_and_changes_nothing(
    make_pool, make_case, assign, provider_client, read
):
    make_pool()
    assignment_id = assign(make_case())
    client = provider_client(read(Assignment, assignment_id)["provider_id"])
    response = client.post(f"/me/assignments/{assignment_id}/decline", data={"reason_code": "bored"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert read(Assignment, assignment_id)["status"] == "offered"


def test_another_providers_assignment_is_404(make_pool, make_case, assign, provider_client, read):
    _pool, ids = make_pool()
    assignment_id = assign(make_case())
    other = next(p for p in ids if p != read(Assignment, assignment_id)["provider_id"])
    client = provider_client(other)
    assert client.get(f"/me/assignments/{assignment_id}").status_code == 404
    assert client.post(f"/me/assignments/{assignment_id}/accept").status_code == 404
    assert (
        client.post(f"/me/assignments/{assignment_id}/decline", data={"reason_code": "other"}).status_code
        == 404
    )
    assert read(Assignment, assignment_id)["status"] == "offered"


def test_my_assignments_is_for_providers(as_role):
    assert as_role("coordinator").get("/me/assignments").status_code == 403


def test_provider_home_shows_assignments_awaiting_answer(make_pool, make_case, assign, provider_client, read):
    make_pool()
    case_id = make_case()
    assignment_id = assign(case_id)
    home = provider_client(read(Assignment, assignment_id)["provider_id"]).get("/")
    html = home.get_data(as_text=True)
    assert "Assignments awaiting your answer" in html and read(Case, case_id)["number"] in html
