"""Files prepared in the background, in a real browser: the desk clerk asks for the register from its
page with the keyboard, follows the file's page until it is ready and downloads it; the file's page
and the list of files pass axe-core in both languages, on a laptop and on a 390 px phone."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import DESKTOP, LAYOUT, PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_the_desk_prepares_the_register_and_downloads_it(open_as, assert_accessible, locale):
    page = open_as("desk", locale, DESKTOP)
    page.goto("/consultations")
    page.select_option("#prepare-format", "csv")
    page.focus("#prepare-file")
    page.keyboard.press("Enter")  # the button is reached and pressed from the keyboard
    page.wait_for_url(re.compile(r"/exports/\d+$"))
    for _ in range(40):  # the page reloads itself while the file is written; a small register is quick
        if page.locator("#export-download").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    assert page.locator("#export-download").count(), page.content()
    assert page.locator("label[for=export-progress]").count() == 1
    with page.expect_download() as download:
        page.click("#export-download")
    assert download.value.suggested_filename == "consultations.csv"
    job = urlsplit(page.url).path
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in (job, "/exports"):
            page.goto(path)
            assert_accessible(page, f"{path} @{viewport['width']}px ({locale})")
            layout = page.evaluate(LAYOUT)
            assert layout["scrollWidth"] <= layout["width"] and not layout["cut"], (path, layout)
    assert page.locator(f'a[href="{job}"]').count() == 1  # the list links the file's page
