"""Providers and organisations (admin) and complaints: paged, sorted and filtered on the page and in the
API the same way (issue 11 item 12)."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment.panel_lists import ORGANIZATION_SORTS, PROVIDER_SORTS
from legalaid import clock
from supervision.complaints.lists import SORTS as COMPLAINT_SORTS
from tests.lists.helpers import (
    check_api_paging,
    check_api_refuses,
    check_api_sorts,
    check_page,
    check_page_refuses,
    check_page_sorts,
    ids,
    page_html,
)


@pytest.fixture
def panel(app, make_organization, make_provider):
    """Three organisations, four providers (one a legal adviser, one inactive); pages of two rows."""
    app.config["LIST_PAGE_SIZE"] = 2
    orgs = [
        make_organization(name="Zhou & Partners", area="Xuhui"),
        make_organization(name="Anhe Law Firm", area="Pudong"),
        make_organization(name="Riverside Office", kind="legal_service_office", area="Pudong"),
    ]
    providers = [
        make_provider(name="Wang Fang", organization_id=orgs[0], years=12),
        make_provider(name="Li Ming", organization_id=orgs[1], years=3, open_cases=4),
        make_provider(name="Chen Jie", organization_id=orgs[1], years=8, active=False),
        make_provider(name="Sun Yue", kind="legal_adviser", organization_id=orgs[2], years=1),
    ]
    return {"orgs": orgs, "providers": providers}


def test_providers_api(as_role, panel):
    admin = as_role("admin")
    url = "/api/v1/providers?per_page=500"
    check_api_paging(admin, "/api/v1/providers", 4)
    check_api_sorts(
        admin,
        url,
        PROVIDER_SORTS.columns,
        sorted_by={"name": "name", "open_cases": "open_cases", "practice_since": "practice_since"},
    )
    p = panel["providers"]
    assert ids(admin, url) == [p[2], p[1], p[3], p[0]]  # by name
    assert ids(admin, url + "&q=anhe") == [p[2], p[1]]  # the organisation's name
    assert ids(admin, url + "&q=wang") == [p[0]]
    assert ids(admin, url + "&kind=legal_adviser") == [p[3]]
    assert ids(admin, url + "&active=false") == [p[2]]
    assert ids(admin, url + f"&organization_id={panel['orgs'][1]}&active=true") == [p[1]]
    assert ids(admin, url + "&sort=-organization")[:1] == [p[0]]
    check_api_refuses(
        admin, "/api/v1/providers", sort="age", kind="judge", active="maybe", organization_id="x"
    )


def test_providers_page(as_role, panel, count_queries):
    admin = as_role("admin")
    html = check_page(admin, "/admin/providers?sort=name&q=a", table="provider-list", key="providers")
    assert "Chen Jie" in html and "Wang Fang" not in html  # page 1 of the names holding "a"
    check_page_sorts(admin, "/admin/providers", PROVIDER_SORTS.columns)
    html = page_html(admin, "/admin/providers?active=false")
    assert "1 provider matches." in html and "Chen Jie" in html
    html = page_html(admin, "/admin/providers?kind=legal_adviser")
    assert "Sun Yue" in html and "Li Ming" not in html
    check_page_refuses(admin, "/admin/providers", sort="age", kind="judge", active="maybe")
    with count_queries() as one:
        page_html(admin, "/admin/providers?kind=legal_adviser")
    with count_queries() as two:
        page_html(admin, "/admin/providers")
    assert one.count == two.count
    # Adding a provider still works on the filtered page.
    assert admin.get("/admin/providers?q=nobody").status_code == 200


def test_organizations_api_and_page(as_role, panel):
    admin = as_role("admin")
    o = panel["orgs"]
    url = "/api/v1/organizations?per_page=500"
    check_api_paging(admin, "/api/v1/organizations", 3)
    check_api_sorts(admin, url, ORGANIZATION_SORTS.columns, sorted_by={"name": "name", "kind": "kind"})
    assert ids(admin, url) == [o[1], o[2], o[0]]
    assert ids(admin, url + "&q=pudong") == [o[1], o[2]]
    assert ids(admin, url + "&kind=legal_service_office") == [o[2]]
    check_api_refuses(admin, "/api/v1/organizations", sort="size", kind="club")

    check_page(admin, "/admin/organizations?q=o", table="organization-list", key="organizations")
    check_page_sorts(admin, "/admin/organizations", ORGANIZATION_SORTS.columns)
    html = page_html(admin, "/admin/organizations?kind=legal_service_office")
    assert "Riverside Office" in html and "Anhe Law Firm" not in html
    check_page_refuses(admin, "/admin/organizations", sort="size", kind="club")


def _complaint(client, received_on, matter, respondent=None) -> int:
    body = {
        "received_on": received_on.isoformat(),
        "complainant": {"name": "Zhao Lei", "relation": "client", "phone": "13900001111"},
        "respondent": respondent or {"kind": "centre"},
        "matter": matter,
        "request": "Explain",
        "facts": "No reason was given",
    }
    response = client.post("/api/v1/complaints", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_complaints_api_and_page(app, as_role, make_provider):
    app.config["LIST_PAGE_SIZE"] = 2
    sup = as_role("supervisor")
    today = clock.today()
    lawyer = make_provider(name="Qian Hui")
    made = [
        _complaint(sup, today - dt.timedelta(days=3), "neglect", {"kind": "provider", "id": lawyer}),
        _complaint(sup, today - dt.timedelta(days=1), "other"),
        _complaint(sup, today - dt.timedelta(days=2), "other"),
    ]
    url = "/api/v1/complaints?per_page=500"
    check_api_paging(sup, "/api/v1/complaints", 3)
    check_api_sorts(sup, url, COMPLAINT_SORTS.columns, sorted_by={"received_on": "received_on"})
    assert ids(sup, url + "&sort=received_on") == [made[0], made[2], made[1]]
    assert ids(sup, url + "&matter=neglect") == [made[0]]
    assert ids(sup, url + "&q=qian") == [made[0]]
    day = (today - dt.timedelta(days=2)).isoformat()
    assert ids(sup, url + f"&received_from={day}&received_to={day}") == [made[2]]
    assert ids(sup, url + "&status=received&overdue=false&sort=-id") == sorted(made, reverse=True)
    check_api_refuses(sup, "/api/v1/complaints", sort="x", matter="y", received_from="z", status="w")

    check_page(sup, "/complaints?status=received&sort=-received_on", table="complaints", key="complaint")
    check_page_sorts(sup, "/complaints", COMPLAINT_SORTS.columns)
    html = page_html(sup, "/complaints?q=qian")
    assert "1 complaint" in html and "Qian Hui" in html
    check_page_refuses(sup, "/complaints", sort="x", matter="y", received_to="z")
    provider = as_role("provider", provider_id=lawyer)  # theirs is /me/complaints, not the register
    assert provider.get("/complaints").status_code == 403
    assert provider.get("/api/v1/complaints").status_code == 403


def test_organization_and_complaint_pages_read_a_fixed_number_of_statements(
    app, as_role, panel, count_queries
):
    sup, admin = as_role("supervisor"), as_role("admin")
    for when in (3, 2, 1):
        _complaint(sup, clock.today() - dt.timedelta(days=when), "other")
    for client, url in ((admin, "/admin/organizations"), (sup, "/complaints")):
        page_html(client, url)
        app.config["LIST_PAGE_SIZE"] = 1
        with count_queries() as one:
            page_html(client, url)
        app.config["LIST_PAGE_SIZE"] = 500
        with count_queries() as every:
            page_html(client, url)
        assert one.count == every.count, url
