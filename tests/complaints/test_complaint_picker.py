"""The complaint form's respondent picker (issue 16): a province's 10,000 providers are never listed
at once; the form shows at most 50 providers (with their organisation) and 50 organisations matching
the search typed, the search works without JavaScript (a button that shows the form again, as filled
in), and the provider chosen stays a valid choice whatever the search."""

from __future__ import annotations

import re

from legalaid import clock

FORM = {
    "complainant_name": "Zhao Lei",
    "complainant_relation": "client",
    "complainant_phone": "",
    "respondent_kind": "provider",
    "case_number": "",
    "matter": "neglect",
    "request": "Make the lawyer file the claim",
    "facts": "No news for two months",
}


def options(page: str) -> list[str]:
    select = page[
        page.index('<select id="respondent"') : page.index("</select>", page.index('id="respondent"'))
    ]
    return re.findall(r'<option[^>]*value="([^"]+)"', select)


def test_the_form_lists_at_most_fifty_providers_and_says_so(as_role, make_provider, make_organization):
    firm = make_organization(name="Bright Firm")
    ids = [make_provider(name=f"Lawyer {n:03d}", organization_id=firm) for n in range(60)]
    page = as_role("supervisor").get("/complaints/new").get_data(as_text=True)
    listed = [o for o in options(page) if o.startswith("provider:")]
    assert listed == [f"provider:{pid}" for pid in ids[:50]]  # by name
    assert "Lawyer 000 (Bright Firm)" in page and 'id="respondent-more"' in page


def test_search_shows_the_form_again_with_the_matches_and_what_was_typed(
    as_role, make_provider, make_organization
):
    sup = as_role("supervisor")
    harbour = make_organization(name="Harbour Law Office")
    by_firm = make_provider(name="Chen Jing", organization_id=harbour)
    by_name = make_provider(name="Harbourside Wu")
    other = make_provider(name="Li Ming")
    response = sup.post(
        "/complaints/new",
        data={
            **FORM,
            "received_on": clock.today().isoformat(),
            "respondent_q": "harbour",
            "find_respondent": "1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Complaint registered" not in page
    assert set(options(page)) == {f"provider:{by_firm}", f"provider:{by_name}", f"organization:{harbour}"}
    assert f"provider:{other}" not in page
    assert 'value="Zhao Lei"' in page and "No news for two months" in page  # nothing typed is lost
    assert 'id="respondent-more"' not in page


def test_a_provider_beyond_the_first_fifty_can_be_chosen_and_registered(
    as_role, make_provider, make_organization
):
    firm = make_organization(name="Big Firm")
    ids = [make_provider(name=f"Lawyer {n:03d}", organization_id=firm) for n in range(55)]
    sup = as_role("supervisor")
    found = sup.post(
        "/complaints/new",
        data={
            **FORM,
            "received_on": clock.today().isoformat(),
            "respondent_q": "Lawyer 054",
            "find_respondent": "1",
        },
    ).get_data(as_text=True)
    assert options(found) == [f"provider:{ids[54]}"]
    # Registered with an empty search: the posted choice is still a valid one.
    done = sup.post(
        "/complaints/new",
        data={**FORM, "received_on": clock.today().isoformat(), "respondent": f"provider:{ids[54]}"},
    )
    assert done.status_code in (302, 303), done.get_data(as_text=True)
    page = sup.get(done.headers["Location"]).get_data(as_text=True)
    assert "Lawyer 054" in page


def test_an_unknown_respondent_is_a_field_error_not_a_500(as_role):
    response = as_role("supervisor").post(
        "/complaints/new",
        data={**FORM, "received_on": clock.today().isoformat(), "respondent": "provider:99999999999"},
    )
    assert response.status_code == 422


def test_the_form_runs_as_many_statements_with_ten_or_seventy_providers(
    as_role, make_provider, make_organization, count_queries
):
    sup = as_role("supervisor")
    sup.get("/complaints/new")  # the first request of a sign-in reads the session once more
    counts = []
    for batch in (10, 60):
        firm = make_organization()
        for n in range(batch):
            make_provider(name=f"P {batch} {n:03d}", organization_id=firm)
        with count_queries() as counter:
            assert sup.get("/complaints/new").status_code == 200
        counts.append(counter.count)
        with count_queries() as counter:
            sup.post("/complaints/new", data={**FORM, "respondent_q": "P", "find_respondent": "1"})
        counts.append(counter.count)
    assert counts[:2] == counts[2:], counts
