"""The coordinator's pages: intake queue, application form, case page and its transitions."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from assignment.models import Assignment, Case
from legalaid import clock
from legalaid.db import db
from legalaid.models import AuditEntry

APPLICATION = {
    "case_type": "civil",
    "cause": "wage_arrears",
    "received_on": clock.today().isoformat(),
    "source": "application",
    "intake_point": "Centre",
    "applicant_name": "Wang Fang",
    "applicant_id_number": "110101199003077571",
    "applicant_phone": "13800000000",
    "categories": ["migrant_worker"],
    "opposing_party": "Acme Building Co",
    "group_size": "1",
}


def test_coordinator_registers_an_application(coordinator, last):
    response = coordinator.post("/cases/new", data=APPLICATION)
    assert response.status_code in (302, 303)
    case = last(Case)
    assert (case["status"], case["cause"], case["green_channel"]) == ("applied", "wage_arrears", True)
    assert case["applicant_categories"] == ["migrant_worker"] and case["intake_point"] == "Centre"
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert case["number"] in page and "Registered" in page


def test_registers_a_notified_criminal_case_with_its_charge(coordinator, make_case, read, last):
    previous = make_case(case_type="criminal", stage="investigation")
    data = {
        **APPLICATION,
        "case_type": "criminal",
        "cause": "",
        "charge": "theft",
        "source": "notification",
        "stage": "prosecution",
        "max_sentence": "life",
        "juvenile": "y",
        "previous_case": read(Case, previous)["number"],
        "categories": [],
    }
    assert coordinator.post("/cases/new", data=data).status_code in (302, 303)
    case = last(Case)
    assert (case["status"], case["cause"], case["previous_case_id"]) == ("accepted", "theft", previous)
    assert (case["max_sentence"], case["juvenile"], case["stage"]) == ("life", True, "prosecution")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"applicant_name": ""}, "This field is required."),
        ({"cause": ""}, "Choose the cause."),
        ({"cause": "made_up"}, "Not a valid choice"),
        ({"group_size": "many"}, "Not a valid integer value"),
        ({"received_on": "2026-02-31"}, "Not a valid date value"),
        ({"received_on": (clock.today() + dt.timedelta(days=3)).isoformat()}, "In the future."),
        ({"stage": "trial"}, "Only for criminal cases."),
        ({"previous_case": "1999-MS-99999"}, "No case has this number."),
    ],
)
def test_bad_application_is_422_and_saves_nothing(coordinator, count, change, message):
    response = coordinator.post("/cases/new", data={**APPLICATION, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Case) == 0


def test_intake_pages_are_for_staff(as_role, make_case):
    case_id = make_case()
    provider = as_role("provider")
    assert provider.get("/cases").status_code == 403
    assert provider.get(f"/cases/{case_id}").status_code == 403
    assert provider.get("/cases/new").status_code == 403
    supervisor = as_role("supervisor")
    assert supervisor.get(f"/cases/{case_id}").status_code == 200
    assert supervisor.get("/cases/new").status_code == 403
    assert supervisor.post(f"/cases/{case_id}/assign").status_code == 403


def test_queue_puts_green_channel_first_and_masks_id_numbers(coordinator, make_case):
    make_case(status="applied", applicant={"name": "Plain Li", "id_number": "110101199003071111"})
    make_case(
        status="applied",
        cause="wage_arrears",
        applicant={"name": "Green Zhao", "id_number": "110101199003072222", "categories": ["migrant_worker"]},
    )
    html = coordinator.get("/cases").get_data(as_text=True)
    assert html.index("Green Zhao") < html.index("Plain Li")
    assert "**************2222" in html and "110101199003072222" not in html


def test_queue_colours_overdue_decisions(coordinator, make_case):
    make_case(status="applied", received_on=clock.today() - dt.timedelta(days=10))
    make_case(status="applied", received_on=clock.today() - dt.timedelta(days=6))
    html = coordinator.get("/cases").get_data(as_text=True)
    assert 'class="overdue"' in html and 'class="due-soon"' in html


def _numbers(read, *case_ids):
    return [read(Case, case_id)["number"] for case_id in case_ids]


def _next_link(html, key):
    """The href of a section's "Next" link, unescaped (None when the section has no next page)."""
    found = re.search(rf'id="{key}-next" href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


@pytest.mark.parametrize("search", ["number", "applicant"])
def test_queue_search_finds_the_case_and_hides_the_others(coordinator, make_case, read, search):
    wanted = make_case(status="applied", applicant={"name": "Wang Fang", "id_number": "110101199003071111"})
    accepted = make_case(applicant={"name": "Wang Fangfang", "id_number": "110101199003072222"})
    other = make_case(status="applied", applicant={"name": "Li Lei", "id_number": "110101199003073333"})
    q = read(Case, wanted)["number"] if search == "number" else "wang fang"
    html = coordinator.get("/cases", query_string={"q": q}).get_data(as_text=True)
    (wanted_number, accepted_number, other_number) = _numbers(read, wanted, accepted, other)
    assert wanted_number in html and other_number not in html
    assert (accepted_number in html) == (search == "applicant")  # every section is searched
    assert "Awaiting decision (1)" in html


def test_queue_filters_every_section_by_case_type(coordinator, make_case, read):
    civil = [make_case(status="applied"), make_case()]
    criminal = [make_case(status="applied", case_type="criminal"), make_case(case_type="criminal")]
    html = coordinator.get("/cases?case_type=criminal").get_data(as_text=True)
    assert all(n in html for n in _numbers(read, *criminal))
    assert not any(n in html for n in _numbers(read, *civil))
    assert "Awaiting decision (1)" in html and "Awaiting assignment (1)" in html


def test_a_long_section_shows_its_count_and_pages_through_the_rest(app, coordinator, make_case, read):
    app.config["QUEUE_PAGE_SIZE"] = 2
    plain = [
        make_case(status="applied", received_on=clock.today() - dt.timedelta(days=5 - n)) for n in range(4)
    ]
    green = make_case(
        status="applied",
        applicant={"name": "Green Zhao", "id_number": "110101199003072222", "categories": ["minor"]},
    )
    accepted = make_case()
    expected = _numbers(read, green, *plain)  # green channel first, then by receipt
    pages, url = [], "/cases"
    while url and len(pages) < 5:
        html = coordinator.get(url).get_data(as_text=True)
        assert "Awaiting decision (5)" in html and "Awaiting assignment (1)" in html
        assert read(Case, accepted)["number"] in html  # the other sections stay on their own page
        pages.append(sorted((n for n in expected if n in html), key=html.index))
        url = _next_link(html, "decision")
    assert pages == [expected[:2], expected[2:4], expected[4:]]
    assert "Page 3 of 3" in html and "decision_page=2" in html  # the last page links back


def test_section_pages_keep_the_search(app, coordinator, make_case, read):
    app.config["QUEUE_PAGE_SIZE"] = 1
    criminal = [make_case(status="applied", case_type="criminal") for _ in range(2)]
    civil = make_case(status="applied")
    first = coordinator.get("/cases?case_type=criminal").get_data(as_text=True)
    second = coordinator.get(_next_link(first, "decision")).get_data(as_text=True)
    assert "case_type=criminal" in _next_link(first, "decision")
    assert _numbers(read, criminal[1])[0] in second and _numbers(read, civil)[0] not in second


@pytest.mark.parametrize("page", ["abc", "0", "-1", "", "2.5", "99999999999999999999999"])
def test_a_bad_page_number_still_shows_the_queue(app, coordinator, make_case, read, page):
    app.config["QUEUE_PAGE_SIZE"] = 1
    first, last = make_case(status="applied"), make_case(status="applied")
    response = coordinator.get("/cases", query_string={"decision_page": page})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Awaiting decision (2)" in html
    shown = last if page.isdigit() and int(page) > 1 else first  # past the end: the last page
    assert _numbers(read, shown)[0] in html


@pytest.mark.parametrize("args", [{"case_type": "made_up"}, {"q": "x" * 101}])
def test_a_bad_search_is_422_with_the_form(coordinator, make_case, args):
    make_case(status="applied")
    response = coordinator.get("/cases", query_string=args)
    assert response.status_code == 422
    assert 'id="queue-search"' in response.get_data(as_text=True)


def test_the_queue_costs_the_same_queries_for_any_number_of_cases(
    app, coordinator, make_pool, make_case, assign, count_queries
):
    """Per section: its count, its page, and the page's live assignments, however long the queue."""
    app.config["QUEUE_PAGE_SIZE"] = 3
    make_pool()

    def statements():
        with count_queries() as q:
            assert coordinator.get("/cases").status_code == 200
        return [s for s in q.statements if "legal_case" in s or "assignment" in s]

    def add_cases():
        make_case(status="applied")
        make_case()
        assign(make_case())

    add_cases()
    few = statements()
    for _ in range(4):
        add_cases()
    assert len(statements()) == len(few) == 3 * 3, few


def test_approve_then_assign_by_rotation_shows_why(coordinator, make_pool, make_case, read):
    make_pool()
    case_id = make_case(status="applied")
    response = coordinator.post(
        f"/cases/{case_id}/decision", data={"decision-decision": "approve", "decision-means_test": "exempt"}
    )
    assert response.status_code in (302, 303)
    assert (read(Case, case_id)["status"], read(Case, case_id)["means_test"]) == ("accepted", "exempt")
    response = coordinator.post(f"/cases/{case_id}/assign", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert read(Case, case_id)["status"] == "assigned"
    assert "Why this provider" in html and "picked" in html and "Assigned" in html


def test_reject_without_reason_is_422_and_changes_nothing(coordinator, make_case, read):
    case_id = make_case(status="applied")
    response = coordinator.post(f"/cases/{case_id}/decision", data={"decision-decision": "reject"})
    assert response.status_code == 422
    assert "A rejection needs a written reason." in response.get_data(as_text=True)
    assert read(Case, case_id)["status"] == "applied"
    coordinator.post(
        f"/cases/{case_id}/decision",
        data={"decision-decision": "reject", "decision-reason": "income too high", "confirmed": "yes"},
    )
    assert read(Case, case_id)["rejection_reason"] == "income too high"


def test_refused_transition_is_flashed(coordinator, make_pool, make_case, read):
    make_pool()
    case_id = make_case(status="applied")
    response = coordinator.post(f"/cases/{case_id}/assign", follow_redirects=True)
    assert "only an accepted case can be assigned" in response.get_data(as_text=True)
    assert read(Case, case_id)["status"] == "applied"


def test_missing_materials_then_supplied(coordinator, make_case, read):
    case_id = make_case(status="applied")
    bad = coordinator.post(f"/cases/{case_id}/materials-request", data={"materials-missing": ""})
    assert bad.status_code == 422 and read(Case, case_id)["status"] == "applied"
    coordinator.post(
        f"/cases/{case_id}/materials-request", data={"materials-missing": "income proof\nID copy"}
    )
    case = read(Case, case_id)
    assert (case["status"], case["materials_missing"]) == ("pending_materials", ["income proof", "ID copy"])
    coordinator.post(f"/cases/{case_id}/materials")
    assert read(Case, case_id)["status"] == "applied"


def test_withdraw(coordinator, make_case, read):
    case_id = make_case(status="applied")
    coordinator.post(f"/cases/{case_id}/withdraw", data={"withdraw-reason": "settled", "confirmed": "yes"})
    assert (read(Case, case_id)["status"], read(Case, case_id)["withdrawn_reason"]) == (
        "withdrawn",
        "settled",
    )


def test_choose_within_the_window(coordinator, make_pool, make_case, read, last):
    _pool, ids = make_pool()
    case_id = make_case()
    page = coordinator.get(f"/cases/{case_id}/window")
    assert page.status_code == 200
    bad = coordinator.post(f"/cases/{case_id}/window", data={"provider_id": str(ids[2])})
    assert bad.status_code == 422 and read(Case, case_id)["status"] == "accepted"
    coordinator.post(
        f"/cases/{case_id}/window", data={"provider_id": str(ids[2]), "reason_code": "specialist"}
    )
    assignment = last(Assignment)
    assert (assignment["provider_id"], assignment["mode"], assignment["reason_code"]) == (
        ids[2],
        "window",
        "specialist",
    )


def test_designate_needs_a_reason_and_is_an_override(coordinator, make_pool, make_case, last, count):
    _pool, ids = make_pool()
    case_id = make_case()
    bad = coordinator.post(f"/cases/{case_id}/designate", data={"designate-provider_id": str(ids[1])})
    assert bad.status_code == 422 and count(Assignment) == 0
    coordinator.post(
        f"/cases/{case_id}/designate",
        data={"designate-provider_id": str(ids[1]), "designate-reason": "only Mandarin-Hakka speaker"},
    )
    assignment = last(Assignment)
    assert (assignment["provider_id"], assignment["override"]) == (ids[1], True)


def test_reassign_with_reason(coordinator, make_pool, make_case, assign, read):
    make_pool()
    case_id = make_case()
    first = assign(case_id)
    assert coordinator.post(f"/cases/{case_id}/reassign", data={}).status_code == 422
    coordinator.post(
        f"/cases/{case_id}/reassign", data={"reassign-reason": "client complaint", "confirmed": "yes"}
    )
    assert read(Assignment, first)["status"] == "replaced"
    assert read(Case, case_id)["status"] == "assigned"


def test_full_id_number_is_shown_only_through_an_audited_action(coordinator, make_case, count):
    case_id = make_case()
    assert "110101199003077571" not in coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    before = count(AuditEntry)
    response = coordinator.post(f"/cases/{case_id}/reveal-id")
    assert response.status_code == 200 and "110101199003077571" in response.get_data(as_text=True)
    assert count(AuditEntry) == before + 1


def test_coordinator_home_lists_what_to_do(coordinator, make_case, read):
    applied = make_case(status="applied")
    accepted = make_case()
    html = coordinator.get("/").get_data(as_text=True)
    assert "Applications awaiting decision" in html and read(Case, applied)["number"] in html
    assert "Accepted cases awaiting assignment" in html and read(Case, accepted)["number"] in html


def test_unknown_case_is_404(coordinator):
    assert coordinator.get("/cases/999").status_code == 404
    assert coordinator.post("/cases/999/assign").status_code == 404


def test_a_percent_sign_in_a_search_is_searched_for_not_a_wildcard(coordinator, make_case):
    make_case(applicant={"name": "Wang 100%", "id_number": "110101199003077571"})
    make_case(applicant={"name": "Li Ming", "id_number": "110101199003077571"})
    page = coordinator.get("/cases?q=%25").get_data(as_text=True)
    assert "Wang 100%" in page and "Li Ming" not in page


def test_a_refusal_reads_in_the_readers_language_and_the_api_stays_english(coordinator, make_case):
    """Domain messages are written with say(): a Chinese page shows them in Chinese, the API answers
    in English whatever the language (API.md's error contract is for systems)."""
    case_id = make_case()  # accepted; no pool serves civil cases
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    page = coordinator.post(f"/cases/{case_id}/assign", headers=zh, follow_redirects=True)
    assert "没有负责 民事 类案件的轮候池，须由管理员设置。" in page.get_data(as_text=True)  # codes as labels
    api = coordinator.post(f"/api/v1/cases/{case_id}/assignments", json={"mode": "rotation"}, headers=zh)
    assert api.status_code == 409
    assert (
        api.get_json()["error"]["message"] == "No rotation pool serves civil cases; an admin must define one."
    )


def test_designation_picker_shows_organisation_kind_load_and_experience_and_searches(
    coordinator, app, make_pool, make_case, make_organization
):
    from assignment import panel

    firm = make_organization(name="明德律师事务所")
    _pool, ids = make_pool(n=3, years=12, organization_id=firm)
    with app.app_context():
        named = panel.get_provider(db.session, ids[0])
        named.name, named.open_cases = "李磊", 2
        db.session.commit()
    case_id = make_case()
    page = coordinator.get(f"/cases/{case_id}").get_data(as_text=True)
    row = page[page.index(f'id="designate-provider-{ids[0]}"') :]
    row = row[: row.index("</tr>")]
    assert "李磊" in row and "明德律师事务所" in row and "lawyer" in row
    assert "2 of 10" in row and "12 years" in row
    assert 'id="designate_q"' in page and 'data-filter-rows="designate-choices"' in page
    found = coordinator.get(f"/cases/{case_id}?designate_q=李").get_data(as_text=True)
    assert f'id="designate-provider-{ids[0]}"' in found and f'id="designate-provider-{ids[1]}"' not in found
    by_org = coordinator.get(f"/cases/{case_id}?designate_q=明德").get_data(as_text=True)
    assert all(f'id="designate-provider-{pid}"' in by_org for pid in ids)
