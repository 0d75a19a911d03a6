"""In a real browser: the coordinator designates a named provider from a picker that shows each
member's organisation, kind, open cases and years of practice; typing narrows the list at once, and
without JavaScript the search button asks the server. Everything is reachable by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assignment.models import Case
from legalaid.db import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def pool_with_names(app, make_pool, make_organization):
    from assignment import panel

    _pool, ids = make_pool(n=3, years=8, organization_id=make_organization(name="Sunrise Law"))
    with app.app_context():
        for pid, name in zip(ids, ("Li Lei", "Wang Fang", "Zhao Min"), strict=True):
            panel.get_provider(db.session, pid).name = name
        db.session.commit()
    return ids


def test_coordinator_types_to_find_and_designates_by_keyboard(
    page, login_page, make_user, make_case, pool_with_names, read
):
    case_id = make_case()
    make_user(roles=("coordinator",), username="coord")
    login_page("coord")
    page.goto(f"/cases/{case_id}")
    rows = page.locator("#designate-choices tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Sunrise Law")
    expect(rows.first).to_contain_text("lawyer")
    expect(rows.first).to_contain_text("8 years")
    expect(rows.first).to_contain_text("0 of 10")

    page.fill("#designate_q", "wang")
    expect(page.locator("#designate-choices tbody tr:visible")).to_have_count(1)
    page.focus("#designate_q")
    for _ in range(5):  # past the search button (and a scrolling table's box) to the first visible choice
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    page.keyboard.press("Space")
    wang = pool_with_names[1]
    expect(page.locator(f"#designate-provider-{wang}")).to_be_checked()
    page.fill("#designate-reason", "speaks the client's dialect")
    page.click("#designate-submit")
    expect(page.locator(".flash-success")).to_contain_text("override")
    assert read(Case, case_id)["status"] == "assigned"


def test_the_picker_searches_without_javascript(
    browser_instance, live_server, make_user, make_case, pool_with_names
):
    case_id = make_case()
    make_user(roles=("coordinator",), username="coord")
    context = browser_instance.new_context(base_url=live_server, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("#username", "coord")
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.goto(f"/cases/{case_id}")
        page.fill("#designate_q", "zhao")
        page.click("#designate-find")
        expect(page.locator("#designate-choices tbody tr")).to_have_count(1)
        expect(page.locator("#designate-choices")).to_contain_text("Zhao Min")
    finally:
        context.close()
