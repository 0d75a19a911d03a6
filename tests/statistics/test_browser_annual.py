"""In a real browser: the annual report's printable A4 page prints to a PDF with a cover page and a
page per section, in Chinese, with the figures the report computed."""

import datetime as dt
import io

import pytest

from legalaid import clock

pytestmark = pytest.mark.browser

YEAR = clock.today().year - 1


def test_print_preview_is_a4_in_chinese_with_a_page_per_section(
    page, login_page, make_user, session, make_case_at
):
    from pypdf import PdfReader

    for month, group in ((3, 3), (7, 1)):
        make_case_at(
            session,
            "applied",
            intake={
                "received_on": dt.date(YEAR, month, 10),
                "group_size": group,
                "cause": "wage_arrears",
                "applicant": {
                    "name": "甲",
                    "id_number": "110101199003077571",
                    "categories": ["migrant_worker"],
                    "sex": "female",
                },
            },
        )
    make_case_at(session, "applied", intake={"received_on": dt.date(YEAR - 1, 5, 1)})
    session.commit()
    session.close()
    make_user(roles=("supervisor",), username="annual-sup")
    login_page("annual-sup")
    page.goto(f"/statistics/annual/print?year={YEAR}")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    sections = page.locator("section.report-section").count()
    assert sections >= 7
    # The cover (headline and chart), then each section from a new page (long ones may run over).
    assert sections + 1 <= len(reader.pages) <= 2 * sections + 2
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    cover = reader.pages[0].extract_text()
    assert "年度报告" in cover and f"{YEAR}" in cover
    assert "同比增长 100.00%" in cover  # two cases against one the year before
    text = "".join(p.extract_text() for p in reader.pages)
    assert "统计口径" in text and "受援人" in text and "妇女" in text


def test_annual_page_fits_a_phone_and_a_count_opens_its_records(
    page, login_page, make_user, session, make_case_at
):
    make_case_at(
        session,
        "applied",
        intake={
            "received_on": dt.date(YEAR, 4, 1),
            "group_size": 2,
            "applicant": {"name": "乙", "id_number": "110101199003077571", "sex": "female"},
        },
    )
    session.commit()
    session.close()
    make_user(roles=("coordinator",), username="annual-coord")
    login_page("annual-coord")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/statistics/annual?year={YEAR}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("label[for=year]").count() == 1
    page.click("a.drill[data-figure='persons.women']")
    page.wait_for_url("**/statistics/annual/records**")
    assert page.locator("#records-total").inner_text() == "1 record · 2 persons"
