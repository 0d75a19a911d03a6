"""In a real browser: an admin creates a user on the users page; a supervisor reads the statistics
with their charts and changes the period."""

import pytest

pytestmark = pytest.mark.browser


def test_admin_creates_a_user_on_the_page(page, login_page, make_user):
    make_user(roles=("admin",), username="admin-user")
    login_page("admin-user")
    page.goto("/admin/users")
    page.fill("#username", "wu-finance")
    page.fill("#password", "Long-enough-1")
    page.check("input[name=roles][value=finance]")
    page.click("form[action$='/admin/users'] button[type=submit]")
    assert "wu-finance" in page.locator(".flash-success").inner_text()
    assert page.locator("td", has_text="wu-finance").count() == 1


def test_supervisor_reads_the_statistics_and_changes_the_period(page, login_page, make_user):
    make_user(roles=("supervisor",), username="sup-user")
    login_page("sup-user")
    statistics = page.locator("nav a", has_text="Statistics")
    if not statistics.is_visible():  # the less-used pages are under "More"
        page.click("nav .nav-more > summary")
    statistics.click()
    assert page.locator("h1").inner_text() == "Statistics"
    assert page.locator("svg.chart").count() == 2
    page.fill("#from", "2026-01-01")
    page.fill("#to", "2026-03-31")
    page.click("text=Show")
    page.wait_for_url("**from=2026-01-01**")
    assert page.locator("svg.chart text", has_text="2026-03").count() >= 1
    assert page.locator("#received").inner_text() == "0"
