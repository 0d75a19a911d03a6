"""In a real browser (CSRF on): the admin keeps the panel after it is made (a pool's settings, a leave
ended early, a conflict withdrawn); a coordinator on a phone, in Chinese, searches the intake queue
and reads a refusal in Chinese."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from legalaid import clock
from legalaid.db import db

TODAY = clock.today()


def test_admin_edits_a_pool_ends_a_leave_and_withdraws_a_conflict(
    page, login_page, app, make_user, make_pool
):
    from assignment import panel

    pool_id, (lawyer,) = make_pool(n=1, case_types=("civil",))
    with app.app_context():
        provider = panel.get_provider(db.session, lawyer)
        leave = panel.add_leave(
            db.session, provider, TODAY - dt.timedelta(days=2), TODAY + dt.timedelta(days=9), None
        )
        conflict = panel.declare_conflict(db.session, provider, "Acme Building Co", None)
        db.session.commit()
        leave_id, conflict_id = leave.id, conflict.id
    make_user(roles=("admin",), username="boss")

    login_page("boss")
    page.goto(f"/admin/pools/{pool_id}")
    page.fill("#settings-name", "Civil, city centre")
    page.fill("#settings-area", "城关街道")
    page.click("#save-pool")
    expect(page.locator(".flash-success")).to_contain_text("Civil, city centre")
    expect(page.locator("h1")).to_have_text("Civil, city centre")

    page.goto(f"/admin/providers/{lawyer}")
    form = page.locator(f"#end-leave-{leave_id}")
    form.locator("input[type=date]").fill(TODAY.isoformat())
    form.get_by_role("button").click()
    expect(page.locator("#confirm-question")).to_have_text("End or cancel this leave?")
    page.click("#confirm-yes")
    expect(page.locator(".flash-success")).to_contain_text(TODAY.isoformat())
    expect(page.locator("#leaves")).to_contain_text(f"– {TODAY.isoformat()}")

    page.locator(f"#withdraw-conflict-{conflict_id}").get_by_role("button").click()
    expect(page.locator(".confirm-detail")).to_contain_text("Acme Building Co")
    page.click("#confirm-yes")
    expect(page.locator(".flash-success")).to_contain_text("Acme Building Co")
    expect(page.locator("#conflicts")).to_have_count(0)


def test_coordinator_on_a_phone_searches_the_queue_in_chinese(page, login_page, make_user, make_case):
    make_case(applicant={"name": "王芳", "id_number": "110101199003077571"})
    make_case(applicant={"name": "李明", "id_number": "110101199003077571"})
    make_user(roles=("coordinator",), username="coord", locale="zh_Hans")
    page.set_viewport_size({"width": 360, "height": 740})

    login_page("coord")
    page.goto("/cases")
    page.fill("#q", "王芳")
    page.click("#search")
    section = page.locator("#queue-assignment")
    expect(section).to_contain_text("王芳")
    expect(section).not_to_contain_text("李明")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    section.locator("tbody a").first.click()  # the one case found
    page.click("#assign-rotation")  # no pool serves civil cases yet
    expect(page.locator(".flash-error")).to_contain_text("没有负责 民事 类案件的轮候池")
