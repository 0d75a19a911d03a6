"""In a real browser: a supervisor scores a closed file with one deduction and a note and submits;
the provider signs in, reads the score and the note, and the sheet prints on one A4 page."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_supervisor_scores_and_provider_reads_the_printable_sheet(
    page, login_page, session, make_closed_case, make_person
):
    case, provider_login = make_closed_case(in_sample=False)
    supervisor = make_person("supervisor", username="scorer-wang")
    number, provider_username = case.number, provider_login.username
    assert supervisor.id
    session.commit()
    session.close()  # nothing held open while the browser works (SQLite has one writer)

    login_page("scorer-wang")
    page.click("text=Scoring")
    page.click(f"text={number}")
    page.click("#start-sheet")
    page.wait_for_selector("#sheet-form")
    for row in page.locator("tr.score-item").all():
        maximum = row.get_attribute("data-max")
        points = row.locator("input[type=number]")
        if not points.input_value():
            points.fill(maximum)
    page.fill("#points-investigation", "12.5")
    page.fill("#note-investigation", "未调取银行流水 bank records not obtained")
    # the vendored script keeps the total and grade current as the scorer types
    page.wait_for_function("document.getElementById('live-total').textContent === '97.5'")
    assert "Excellent" in page.locator("#live-grade").inner_text()
    page.click("#submit-sheet")
    page.click("#confirm-yes")  # submitting asks first
    page.wait_for_selector("#file-status")
    assert page.locator("#file-status").inner_text() == "Final"
    page.click("#sign-out")

    login_page(provider_username)
    page.click("text=My scores")
    page.click(f"text={number}")
    assert "97.5" in page.locator("#final-total").inner_text()
    assert "bank records not obtained" in page.content()

    page.emulate_media(media="print")
    assert not page.locator("#accept-score").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the score sheet prints on {pages} A4 pages"
