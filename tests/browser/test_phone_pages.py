"""Each role's main pages on a 390 px phone and at 1366 px (issue 11, item 13): on the phone nothing
scrolls the page sideways, every table keeps its key (first) column in view and no Chinese cell is
squeezed to a character or two a line, the menu opens by keyboard; at 1366 px the navigation is one
line, whatever the roles and the language.

The pages are the demo district's, in a real browser (Debian's Chromium), for each role's home and the
pages its navigation links to.
"""

from __future__ import annotations

import pytest

from legalaid.demo import STAFF

# Each role's demo login (the front desk once the demo has one).
WALKERS = ["coord", "sup", "sup4", "finance", "lawyer01", "admin"] + [u for u, _r, _n in STAFF if u == "desk"]
BROWSER_LOCALES = {"zh_Hans": "zh-CN", "en": "en-GB"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}

# What the page reports about its own layout: sideways scroll, tables whose first column is out of
# view, and the navigation's lines.
LAYOUT = r"""() => {
  const width = window.innerWidth;
  const cut = [];
  for (const table of document.querySelectorAll("main table")) {
    const cell = Array.from(table.querySelectorAll("tr > :first-child")).find((c) => c.colSpan === 1);
    if (!cell || cell.offsetParent === null) continue;
    const box = cell.getBoundingClientRect();
    if (box.left < -1 || box.right > width + 1 || box.width < 16) {
      cut.push((table.id || table.className || "table") + ": " + cell.textContent.trim().slice(0, 20));
    }
  }
  // Chinese squeezed to a character or so a line: lines for more than half its characters.
  const squeezed = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const text = cell.textContent.replace(/\s+/g, "");
    if (text.length < 4 || !/[\u3400-\u9fff]/.test(text) || cell.offsetParent === null) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
    if (lines.size >= 3 && lines.size >= text.length * 0.6) squeezed.push(text.slice(0, 12));
  }
  const tops = new Set();
  for (const item of document.querySelectorAll(".topbar > *, .nav > *")) {
    const box = item.getBoundingClientRect();
    if (box.height > 0) tops.add(Math.round(box.top + box.height / 2));
  }
  const nav = document.querySelector(".nav");
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    width: width,
    cut: cut,
    squeezed: squeezed.slice(0, 5),
    navHeight: nav ? nav.getBoundingClientRect().height : 0,
    topbarHeight: document.querySelector(".topbar").getBoundingClientRect().height,
  };
}"""


def signed_in_page(browser_instance, base_url, username, locale, viewport):
    from legalaid.demo import DEMO_PASSWORD

    context = browser_instance.new_context(
        locale=BROWSER_LOCALES[locale], base_url=base_url, viewport=viewport
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def main_pages(page) -> list[str]:
    """Home and every page the navigation links to (the "More" menu's too)."""
    hrefs = page.eval_on_selector_all(".nav a[href]", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(["/", *(h for h in hrefs if h.startswith("/"))]))


@pytest.mark.parametrize("locale", list(BROWSER_LOCALES))
@pytest.mark.parametrize("username", WALKERS)
def test_main_pages_fit_a_phone_and_keep_their_key_column(browser_instance, demo_server, username, locale):
    context, page = signed_in_page(browser_instance, demo_server, username, locale, PHONE)
    try:
        wrong = []
        for path in main_pages(page):
            page.goto(path)
            layout = page.evaluate(LAYOUT)
            if layout["scrollWidth"] > layout["width"]:
                wrong.append(
                    f"{path}: page is {layout['scrollWidth']} px wide on a {layout['width']} px phone"
                )
            if layout["cut"]:
                wrong.append(f"{path}: key column out of view in {layout['cut']}")
            if layout["squeezed"]:
                wrong.append(f"{path}: a character or two a line in {layout['squeezed']}")
        assert not wrong, "\n".join(wrong)
    finally:
        context.close()


@pytest.mark.parametrize("locale", list(BROWSER_LOCALES))
@pytest.mark.parametrize("username", WALKERS)
def test_navigation_is_one_line_at_1366(browser_instance, demo_server, username, locale):
    context, page = signed_in_page(browser_instance, demo_server, username, locale, DESKTOP)
    try:
        layout = page.evaluate(LAYOUT)
        assert layout["topbarHeight"] < 60, f"the top bar wraps: {layout['topbarHeight']} px high"
        assert layout["scrollWidth"] <= layout["width"]
        more = page.locator(".nav-more > summary")
        if more.count():
            more.focus()
            page.keyboard.press("Enter")
            first = page.locator(".nav-more-items a").first
            assert first.is_visible()
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.closest('.nav-more-items') !== null")
    finally:
        context.close()


def test_phone_menu_opens_by_keyboard_and_is_named(browser_instance, demo_server):
    context, page = signed_in_page(browser_instance, demo_server, "sup4", "zh_Hans", PHONE)
    try:
        assert not page.locator("#main-nav").is_visible()
        toggle = page.get_by_role("checkbox", name="菜单").or_(page.get_by_role("checkbox", name="Menu"))
        page.locator("body").focus()
        for _ in range(5):  # the brand, then the menu button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "nav-toggle":
                break
        assert page.evaluate("document.activeElement.id") == "nav-toggle"
        assert toggle.count() == 1
        page.keyboard.press("Space")
        assert page.locator("#main-nav").is_visible()
        assert page.locator("#main-nav a").first.is_visible()
        layout = page.evaluate(LAYOUT)
        assert layout["scrollWidth"] <= layout["width"]
    finally:
        context.close()
