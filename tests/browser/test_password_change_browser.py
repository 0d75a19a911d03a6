"""In a real browser (CSRF on): an admin sets a temporary password (the "change at next sign-in" box
comes ticked); its holder signs in, lands on the change-password page, cannot leave it for another
page, chooses their own password and goes on to the page they asked for."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TEMPORARY = "Temporary-pass-1"
OWN = "My-own-pass-22"


@pytest.fixture
def page(browser_instance, live_server):
    """A fresh page that may run axe-core (the service's policy allows only its own scripts)."""
    context = browser_instance.new_context(locale="en-GB", base_url=live_server, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_temporary_password_must_be_changed_at_the_next_sign_in(
    page, login_page, make_user, assert_accessible
):
    uid = make_user(roles=("supervisor",), username="wang")
    make_user(roles=("admin",), username="boss")
    login_page("boss")
    page.goto(f"/admin/users/{uid}")
    expect(page.locator("#must_change")).to_be_checked()
    assert_accessible(page)
    page.fill("#password", TEMPORARY)
    page.fill("#confirm", TEMPORARY)
    page.click("#reset-password")
    expect(page.locator(".flash-success")).to_contain_text("next sign in")
    expect(page.locator("#must-change-password")).to_be_visible()
    page.click("#sign-out")

    page.goto("/login")
    page.fill("#username", "wang")
    page.fill("#password", TEMPORARY)
    page.click("#sign-in")
    page.wait_for_url("**/account/password**")
    expect(page.locator("#password-change-required")).to_be_visible()
    assert_accessible(page)
    page.goto("/")
    page.wait_for_url("**/account/password**")
    expect(page.locator(".flash-warning").first).to_contain_text("Choose your own password")

    page.fill("#current_password", TEMPORARY)
    page.fill("#new_password", TEMPORARY)
    page.fill("#confirm", TEMPORARY)
    page.click("#save-password")
    expect(page.locator(".field-error")).to_contain_text("same as the current password")

    page.fill("#current_password", TEMPORARY)
    page.fill("#new_password", OWN)
    page.fill("#confirm", OWN)
    page.click("#save-password")
    expect(page.locator(".flash-success")).to_contain_text("Your password has been changed")
    assert "/account/password" not in page.url
    page.goto("/")
    assert "/account/password" not in page.url
