"""In a real browser (CSRF on): the admin's home says who needs attention; the admin gives a new
lawyer a login linked to their panel record (found by organisation), disables a user after the
question and enables them again; the users pages fit a phone and every control has a name."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

UNNAMED_CONTROLS = """() => [...document.querySelectorAll('main :is(input, select, textarea, button)')]
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !(el.tagName === 'BUTTON' && el.innerText.trim()))
  .map(el => el.outerHTML)"""


def test_admin_links_a_new_lawyer_disables_and_enables_a_user(
    page, login_page, make_user, make_organization, make_provider
):
    firm = make_organization(name="Mingde Law Firm")
    make_provider(name="Li Lei", organization_id=firm)
    make_provider(name="Wang Fang")
    make_user(roles=("provider",), username="unlinked")
    make_user(roles=("admin",), username="boss")
    login_page("boss")
    expect(page.locator("#admin-attention")).to_contain_text("unlinked")
    expect(page.locator("#admin-attention")).to_contain_text(
        "2 lawyers or advisers taking cases have no login"
    )
    page.click("#providers-without-login")

    page.fill("#provider_q", "mingde")
    page.keyboard.press("Enter")
    options = page.locator("#provider_id option")
    expect(options).to_have_count(2)  # "none" and Li Lei
    page.select_option("#provider_id", label="Li Lei · Mingde Law Firm")
    page.fill("#username", "lilei")
    page.fill("#password", "Long-enough-1")
    page.check("input[name=roles][value=provider]")
    page.click("#create-user")
    expect(page.locator(".flash-success")).to_contain_text("lilei")
    assert page.evaluate(UNNAMED_CONTROLS) == []

    page.select_option("#role", "provider")
    page.click("#filter-users")
    expect(page.locator("#users tbody tr")).to_have_count(2)
    page.click("#users >> text=lilei")
    expect(page.locator("#user-state")).to_contain_text("Li Lei · Mingde Law Firm")
    assert page.evaluate(UNNAMED_CONTROLS) == []

    page.click("#disable-user")
    expect(page.locator("#confirm-question")).to_contain_text("Disable this user?")
    expect(page.locator(".confirm-detail")).to_contain_text("lilei")
    page.click("#confirm-yes")
    expect(page.locator(".flash-success")).to_contain_text("can no longer sign in")
    expect(page.locator("#state")).to_have_text("Account disabled")
    page.click("#enable-user")
    expect(page.locator("#state")).to_have_text("Can sign in")
    expect(page.locator("#user-history")).to_contain_text("User enabled again")


def test_users_pages_fit_a_phone(browser_instance, live_server, make_user):
    from tests.conftest import PASSWORD

    uid = make_user(roles=("finance",), username="a-rather-long-username-for-a-phone")
    make_user(roles=("admin",), username="boss")
    context = browser_instance.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("#username", "boss")
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_url(lambda url: "/login" not in url)
        for path in ("/", "/admin/users", f"/admin/users/{uid}"):
            page.goto(path)
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 390, f"{path} is {width}px wide on a 390px phone"
        page.goto("/admin/users")
        expect(page.locator("#users tbody tr").first.locator("td").first).to_be_visible()
    finally:
        context.close()
