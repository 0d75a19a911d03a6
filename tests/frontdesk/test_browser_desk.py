"""In a real browser (CSRF on, the page's script running): the desk takes 20 callers in a row by
keyboard only (the phone field has the focus, Tab moves on, Enter saves, the form comes back empty with
the channel kept), sees a caller's earlier consultations while typing their number, and turns one
consultation into a case without retyping it."""

from __future__ import annotations

from playwright.sync_api import expect

from legalaid.db import db

CATEGORY_BOXES = 6  # one tab stop each


def test_twenty_callers_by_keyboard_then_one_becomes_a_case(page, login_page, make_user, app):
    make_user(roles=("desk",), username="desk")
    login_page("desk")
    page.goto("/desk")
    page.select_option("#channel", "visit")  # the first caller came in person; kept for the next ones
    page.focus("#phone")
    keys = page.keyboard
    for i in range(20):
        expect(page.locator("#phone")).to_be_focused()
        keys.type(f"1380000{i % 5:04d}")
        if i >= 5:  # the same person called before: their history shows while the number is typed
            expect(page.locator("#earlier")).to_contain_text(f"Question {i - 5}")
        keys.press("Tab")
        keys.type(f"Caller {i % 5}")
        keys.press("Tab")
        if i % 5 == 0:
            keys.press("Space")  # the first category: migrant worker
        for _ in range(CATEGORY_BOXES):
            keys.press("Tab")
        keys.type("Wage")  # the cause list is searched by typing
        keys.press("Tab")
        keys.type(f"Question {i}")
        keys.press("Tab")
        keys.type(f"Answer {i}")
        keys.press("Enter")
        expect(page.locator(".flash-success")).to_contain_text("Consultation saved")
        expect(page.locator("#phone")).to_have_value("")
        expect(page.locator("#channel")).to_have_value("visit")
    expect(page.locator("#today tbody tr")).to_have_count(10)

    with app.app_context():
        from assignment.consultations_models import Consultation

        rows = db.session.scalars(db.select(Consultation).order_by(Consultation.id)).all()
        assert len(rows) == 20
        assert {r.channel for r in rows} == {"visit"} and {r.cause for r in rows} == {"wage_arrears"}
        assert rows[0].person_categories == ["migrant_worker"] and rows[1].person_categories == []
        first = rows[0].id

    page.goto(f"/consultations/{first}")
    page.click("#register-application")
    expect(page.locator("#applicant_name")).to_have_value("Caller 0")
    expect(page.locator("#applicant_phone")).to_have_value("13800000000")
    expect(page.locator("#cause")).to_have_value("wage_arrears")
    expect(page.locator("input[name=categories][value=migrant_worker]")).to_be_checked()
    page.fill("#applicant_id_number", "110101199003077571")
    page.click("#register-case")
    expect(page.locator(".flash-success")).to_contain_text("registered")
    expect(page.locator("#linked-case")).to_contain_text("-MS-")
    expect(page.locator("#register-application")).to_have_count(0)


def test_desk_page_fits_a_phone(page, login_page, make_user):
    make_user(roles=("desk",), username="desk")
    page.set_viewport_size({"width": 390, "height": 844})
    login_page("desk")
    page.goto("/desk")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/consultations")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
