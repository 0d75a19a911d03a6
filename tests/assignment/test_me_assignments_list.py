"""``GET /api/v1/me/assignments``: a provider's own list, in one query whatever its length."""

from assignment.rotation import accept_assignment, assign_by_rotation


def test_my_assignments_is_one_query_for_any_number_of_cases(
    session, lawyers, make_pool, make_case, coordinator, as_role, count_queries
):
    (lawyer,) = lawyers(1)
    make_pool([lawyer])
    for n in range(6):
        assignment = assign_by_rotation(session, make_case(), coordinator)
        if n % 2:
            accept_assignment(session, assignment, None)
        session.commit()
    client = as_role("provider", provider_id=lawyer)
    client.get("/api/v1/session")  # the signed-in user is now cached by this worker
    with count_queries() as q:
        body = client.get("/api/v1/me/assignments?per_page=4").get_json()
    assert q.count == 1, q.statements
    assert body["total"] == 6 and len(body["items"]) == 4
    live = body["items"][0]
    assert (
        live["case"]["applicant"]["id_number"].endswith("7571")
        and live["case"]["applicant"]["id_number"][0] == "*"
    )
    assert set(live["deadlines"]) >= {"acceptance", "retainer"} and live["why_you"]


def test_a_page_past_the_end_still_gives_the_total(
    session, lawyers, make_pool, make_case, coordinator, as_role
):
    (lawyer,) = lawyers(1)
    make_pool([lawyer])
    assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    body = as_role("provider", provider_id=lawyer).get("/api/v1/me/assignments?page=3").get_json()
    assert body == {"items": [], "total": 1}
