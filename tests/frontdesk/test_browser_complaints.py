"""In a real browser (CSRF on): a supervisor registers a complaint about a lawyer, accepts it and asks
for a statement; the lawyer answers on their own page; the supervisor decides (asked first) and
answers the complainant. The pages in Chinese at a phone's width."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from legalaid import clock


def test_complaint_from_receipt_to_answer(page, login_page, make_user, make_provider):
    lawyer = make_provider(name="Li Lawyer")
    make_user(roles=("supervisor",), username="sup")
    make_user(roles=("provider",), username="lawyer", provider_id=lawyer)

    login_page("sup")
    page.goto("/complaints")
    page.click("#new-complaint")
    page.fill("#complainant_name", "Zhao Lei")
    page.select_option("#complainant_relation", "client")
    page.select_option("#respondent_kind", "provider")
    page.select_option("#respondent", f"provider:{lawyer}")
    page.select_option("#matter", "neglect")
    page.fill("#request", "Make the lawyer file the claim")
    page.fill("#facts", "No news for two months")
    page.click("#register-complaint")
    expect(page.locator(".flash-success")).to_contain_text("Complaint registered")
    page.check("#decision-0")
    page.click("#record-acceptance")
    expect(page.locator("h1 .badge")).to_have_text("accepted for handling")
    page.locator("#statement-request-form input[type=date]").fill(
        (clock.today() + dt.timedelta(days=7)).isoformat()  # the centre's day, not the browser's
    )
    page.click("#ask-statement")
    expect(page.locator(".flash-success")).to_contain_text("asked for a statement")
    complaint_url = page.url
    page.click("#sign-out")

    login_page("lawyer")
    page.get_by_role("link", name="Complaints about me").click()
    expect(page.locator("main")).not_to_contain_text("Zhao Lei")
    page.locator("textarea[name=text]").fill("I filed the claim yesterday.")
    page.locator("button[id^=send-statement]").click()
    expect(page.locator(".flash-success")).to_contain_text("Statement sent")
    page.click("#sign-out")

    login_page("sup")
    page.goto(complaint_url)
    expect(page.locator("main")).to_contain_text("I filed the claim yesterday.")
    page.select_option("#outcome", "upheld_education")
    page.fill("#findings", "Slow, now filed")
    page.click("#decide")
    page.click("#confirm-yes")
    expect(page.locator(".flash-success")).to_contain_text("Decision recorded")
    page.select_option("#method", "phone")
    page.click("#record-answer")
    expect(page.locator("h1 .badge")).to_have_text("answered")


def test_pages_in_chinese_at_a_phones_width(page, login_page, make_user):
    make_user(roles=("supervisor",), username="sup", locale="zh_Hans")
    page.set_viewport_size({"width": 390, "height": 844})
    login_page("sup")
    for path in ("/complaints", "/complaints/new", "/consultations", "/guidance?cause=wage_arrears"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
