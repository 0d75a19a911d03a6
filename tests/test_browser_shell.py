"""In a real browser (Debian's Chromium through Playwright): every role signs in, sees its home page,
switches language, and signs out."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ["admin", "coordinator", "supervisor", "provider", "finance"])
def test_role_signs_in_switches_language_and_signs_out(page, login_page, make_user, role):
    make_user(roles=(role,), username=f"{role}-user")
    login_page(f"{role}-user")
    assert page.locator("h1").inner_text().startswith("Hello")
    assert page.locator("main .badge").first.is_visible()

    page.click("button[name=locale][value=zh_Hans]")
    page.wait_for_selector("html[lang=zh-Hans]")
    assert page.locator("h1").inner_text().startswith("您好")
    page.goto("/account")  # the choice is remembered across pages
    assert page.locator("h1").inner_text() == "账户"

    page.click("button[name=locale][value=en]")
    page.wait_for_selector("html[lang=en]")
    page.click("#sign-out")
    page.wait_for_url("**/login")
    assert page.locator("h1").inner_text() == "Sign in"
    page.goto("/")
    assert "/login" in page.url


def test_wrong_password_shows_a_message(page, make_user):
    make_user(username="chen")
    page.goto("/login")
    page.fill("#username", "chen")
    page.fill("#password", "not-the-password")
    page.click("#sign-in")
    assert "Wrong username or password" in page.locator(".flash-error").inner_text()


def test_home_page_fits_a_phone(browser_instance, live_server, make_user):
    make_user(roles=("coordinator",), username="phone-user")
    context = browser_instance.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("#username", "phone-user")
        page.fill("#password", "Test-passw0rd")
        page.click("#sign-in")
        page.wait_for_url(lambda url: "/login" not in url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"page is {width}px wide on a 360px phone"
        assert not page.locator(".nav").is_visible()  # behind the menu button
        page.click(".nav-button")
        assert page.locator(".nav").is_visible()
    finally:
        context.close()
