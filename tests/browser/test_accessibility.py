"""Every role's home and main pages pass axe-core's WCAG 2 A/AA rules with no serious or critical
finding, in 简体中文 and English, at 1366 px and on a 390 px phone; the phone's menu is reached by Tab
and opened from the keyboard; a focused control shows a focus ring."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, nav_links

pytestmark = pytest.mark.browser

# Each role's demo login; sup4 is the deputy head (coordinator and supervisor).
WALKERS = ["coord", "sup", "sup4", "finance", "lawyer01", "admin", "desk"]


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
@pytest.mark.parametrize("username", WALKERS)
def test_main_pages_have_no_serious_accessibility_finding(open_as, assert_accessible, username, locale):
    page = open_as(username, locale, DESKTOP)
    pages = nav_links(page)
    found = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in pages:
            page.goto(path)
            found += [f"{path} @{viewport['width']}px: {line}" for line in assert_accessible.violations(page)]
    assert not found, f"{username} ({locale}): axe-core found\n" + "\n".join(found)


# Whether the focused element shows a ring: an outline, or a box-shadow, that is not none.
RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // A date field's calendar button (inside the browser's own shadow tree) has the focus: the field
  // itself no longer matches :focus and the browser draws that button's ring.
  if (el.tagName === "INPUT" && !el.matches(":focus")) return {ring: true, what: el.id};
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {ring: outline || shadow, what: el.tagName + (el.id ? "#" + el.id : "") + " " +
          (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 30)};
}"""


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_phone_menu_is_reached_by_tab_and_opens_by_keyboard(open_as, locale):
    page = open_as("sup4", locale, PHONE)
    assert not page.locator("#main-nav").is_visible()
    page.locator("body").focus()
    for _ in range(6):  # the brand, then the menu button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "nav-toggle":
            break
    assert page.evaluate("document.activeElement.id") == "nav-toggle", "Tab does not reach the menu"
    name = "菜单" if locale == "zh_Hans" else "Menu"
    assert page.get_by_role("checkbox", name=name).count() == 1
    ring = page.evaluate(RING)
    assert ring["ring"], f"the menu button shows no focus ring: {ring['what']}"
    page.keyboard.press("Space")
    assert page.locator("#main-nav").is_visible()
    page.keyboard.press("Tab")  # into the open menu
    assert page.evaluate("document.activeElement.closest('#main-nav') !== null")
    assert page.locator("#main-nav a").first.is_visible()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # and closed again
    assert not page.locator("#main-nav").is_visible()


@pytest.mark.parametrize("username", ["coord", "finance", "desk", "lawyer01", "admin", "sup"])
def test_every_control_reached_by_tab_shows_a_focus_ring(open_as, username):
    """Tab through each main page: every control that takes focus shows an outline or a shadow."""
    page = open_as(username, "zh_Hans", DESKTOP)
    bare = []
    for path in nav_links(page):
        page.goto(path)
        page.locator("body").focus()
        for _ in range(40):
            page.keyboard.press("Tab")
            ring = page.evaluate(RING)
            if ring is None:
                break
            if not ring["ring"]:
                bare.append(f"{path}: {ring['what']}")
    assert not bare, "no visible focus ring on\n" + "\n".join(dict.fromkeys(bare))
