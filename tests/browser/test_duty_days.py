"""Stations and the duty rota (issue 14) walked through the pages only, on the demo district, in a real
browser: the coordinator's stations, month grid and next month's rota (drawn up, then published after
the confirmation); a lawyer's day on duty on a 390 px phone in Chinese (check in with one tap, the legal
help by kind, check out); a swap asked, accepted and approved; a station's month reviewed and archived
(asked first) so that its duty subsidies reach finance; the admin's stations and the desk's station
choice with the detained flag. Every page is checked with axe-core in both languages and at phone
width (no sideways scroll, the key column in view)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from legalaid import clock
from tests.browser.conftest import LAYOUT, PHONE

pytestmark = pytest.mark.browser

LANGS = {"zh_Hans": "zh-Hans", "en": "en"}


def flash_error(page) -> str:
    errors = page.locator(".flash-error, .field-error")
    return " | ".join(errors.all_inner_texts()) if errors.count() else ""


def where(page) -> str:
    heading = page.locator("h1")
    return f"{page.url} ({heading.first.inner_text() if heading.count() else 'no heading'})"


def set_language(page, locale: str) -> None:
    if page.locator("html").get_attribute("lang") != LANGS[locale]:
        page.click(f"button[name=locale][value={locale}]")
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == LANGS[locale], where(page)


def english_words(page) -> list[str]:
    """Latin words of four letters or more in the main part of a Chinese page: untranslated text."""
    text = page.locator("main").inner_text()
    return sorted(set(re.findall(r"\b[A-Za-z][a-z]{3,}\b", text)))


def fits_a_phone(page) -> list[str]:
    """What scrolls sideways or hides a table's key column at 390 px (the viewport is put back)."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    layout = page.evaluate(LAYOUT)
    page.set_viewport_size(size)
    wrong = []
    if layout["scrollWidth"] > layout["width"]:
        wrong.append(f"{page.url}: {layout['scrollWidth']} px wide on a {layout['width']} px phone")
    if layout["cut"]:
        wrong.append(f"{page.url}: key column out of view in {layout['cut']}")
    return wrong


def check_everywhere(page, assert_accessible, problems: list[str]) -> None:
    """The page (reached by a GET) in Chinese and in English: axe-core, no English left in the Chinese,
    and at phone width. Ends in Chinese."""
    for locale in ("en", "zh_Hans"):
        set_language(page, locale)
        found = assert_accessible.violations(page)
        problems.extend(f"{where(page)} [{locale}] {v}" for v in found)
        problems.extend(f"[{locale}] {w}" for w in fits_a_phone(page))
        if locale == "zh_Hans":
            words = english_words(page)
            if words:
                problems.append(f"{where(page)}: English in the Chinese page: {words}")


def nav_to(page, path: str) -> None:
    """Follow the navigation's link to ``path`` (opening the phone menu or "More" when needed)."""
    link = page.locator(f".nav a[href='{path}'], #main-nav a[href='{path}']").first
    assert link.count(), f"{where(page)}: the navigation has no link to {path}"
    toggle = page.locator("label[for=nav-toggle]")
    if not link.is_visible() and toggle.is_visible():  # the phone's menu
        toggle.click()
    if not link.is_visible() and page.locator(".nav-more > summary").count():
        page.locator(".nav-more > summary").first.click()
    link.click()
    page.wait_for_load_state()


def confirm(page, assert_accessible=None) -> None:
    page.wait_for_selector("#confirm-yes")
    if assert_accessible is not None:
        assert_accessible(page)
        layout = fits_a_phone(page)
        assert not layout, layout
    page.click("#confirm-yes")
    page.wait_for_load_state()


def success(page) -> str:
    assert page.locator(".flash-success").count() == 1, f"{where(page)}: {flash_error(page)}"
    return page.locator(".flash-success").inner_text()


# 1. The coordinator: stations, a station's month, next month's rota drawn up and published.


def test_coordinator_draws_up_and_publishes_next_months_rota(open_as, assert_accessible):
    page = open_as("coord", "zh_Hans")
    problems: list[str] = []
    nav_to(page, "/duty")
    check_everywhere(page, assert_accessible, problems)
    stations = page.locator("#duty-stations tbody tr")
    assert stations.count() >= 5, f"{where(page)}: {stations.count()} stations"
    # Every demo station has this month's rota published.
    published = page.locator("#duty-stations tbody td", has_text="已发布")
    assert published.count() >= 5, page.locator("#duty-stations").inner_text()

    # The court's station: who is on each shift, the pending swap, the gaps (if any) said.
    page.locator("#duty-stations a", has_text="法院").click()
    page.wait_for_selector("#rota-grid")
    check_everywhere(page, assert_accessible, problems)
    rows = page.locator("#rota-grid tbody tr")
    assert rows.count() > 10
    names = [t.strip() for t in page.locator("#rota-grid tbody tr td:nth-child(3)").all_inner_texts()]
    assert all(names), "a shift names neither a provider nor a gap"
    summary = page.locator("#rota-grid").locator("xpath=../..").locator("p").first.inner_text()
    pending_badges = page.locator("#rota-grid .badge").count()
    if pending_badges:
        assert "换班" in summary or "swap" in summary, summary
    gaps = page.locator("#rota-grid .overdue").count()
    if gaps:
        assert "空缺" in summary or "gap" in summary, summary

    # Next month (or the first without a published rota): draw up a draft, then publish it.
    for _ in range(3):
        page.click("a[rel=next]")
        page.wait_for_load_state()
        if page.locator("#generate-form").count():
            break
    else:
        raise AssertionError(f"{where(page)}: no month offers to draw up a rota")
    page.click("#generate-rota")
    page.wait_for_load_state()
    success(page)
    assert page.locator("#rota-status").inner_text() == "草稿", where(page)
    assert page.locator("#rota-grid tbody tr").count() > 10
    check_everywhere(page, assert_accessible, problems)  # the draft: its grid, publish and the form again
    # Publishing asks first: cancel once (still a draft), then confirm.
    page.click("#publish-rota")
    page.wait_for_selector("#confirm-cancel")
    page.click("#confirm-cancel")
    page.wait_for_load_state()
    assert page.locator("#rota-status").inner_text() == "草稿", where(page)
    page.click("#publish-rota")
    confirm(page, assert_accessible)
    success(page)
    assert page.locator("#rota-status").inner_text() == "已发布", where(page)
    assert page.locator("#publish-rota, #generate-form").count() == 0
    assert not problems, "\n".join(problems)


# 2. A lawyer's day on duty, on a phone, in Chinese.


def _next_shift_day(page) -> tuple[str, dt.date]:
    """The first shift on "my shifts" from today on with no swap asked: its card's id and day."""
    today = clock.today()
    for card in page.locator("section.shift").all():
        day = dt.date.fromisoformat(card.locator("h2").inner_text().split(" ")[0])
        if day >= today and card.locator("select[name=provider_id]").count():
            return card.get_attribute("id"), day
    raise AssertionError(f"{where(page)}: no shift to come without a swap")


def test_lawyer_checks_in_logs_help_and_checks_out_on_a_phone(open_as, assert_accessible):
    page = open_as("lawyer05", "zh_Hans", PHONE)
    nav_to(page, "/my/shifts")
    card_id, day = _next_shift_day(page)
    if day != clock.today():  # no shift today (a weekend): the centre's clock moves to the shift's day
        clock.travel_to(day)
        page = open_as("lawyer05", "zh_Hans", PHONE)
        nav_to(page, "/my/shifts")
    problems: list[str] = []
    card = page.locator(f"#{card_id}")
    check_in = card.locator("button[id^=check-in-]")
    assert check_in.count() == 1, f"{where(page)}: no check-in on the shift of {day}"
    box = check_in.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, f"the check-in button is small: {box}"
    check_in.click()  # one tap
    page.wait_for_load_state()
    assert "已签到" in success(page)
    card = page.locator(f"#{card_id}")
    assert "已签到" in card.locator("p strong").inner_text()
    check_everywhere(page, assert_accessible, problems)
    # The legal help given, by kind, and a note; then check out.
    card.locator("input[name=advice]").fill("3")
    card.locator("input[name=plea_witness]").fill("1")
    card.locator("textarea[name=note]").fill("为两名在押人员提供法律咨询，见证一份认罪认罚具结书。")
    card.locator("button[id^=check-out-]").click()
    page.wait_for_load_state()
    success(page)
    card = page.locator(f"#{card_id}")
    assert "已完成" in card.locator("p strong").inner_text(), card.inner_text()
    done = card.locator("p.muted").inner_text()
    assert "3" in done and "1" in done, done
    assert card.locator("button[id^=check-in-], button[id^=check-out-]").count() == 0
    check_everywhere(page, assert_accessible, problems)
    assert not problems, "\n".join(problems)


# 3. A swap: asked by one provider, accepted by the other, approved by a coordinator.


def test_swap_asked_accepted_and_approved(open_as, assert_accessible):
    asker = open_as("lawyer07", "zh_Hans")
    taker = open_as("lawyer08", "zh_Hans")
    taker_name = taker.locator(".nav a[href='/account']").inner_text().strip()
    nav_to(asker, "/my/shifts")
    today, asked = clock.today(), None
    refusals = []
    for card in asker.locator("section.shift").all():
        day = dt.date.fromisoformat(card.locator("h2").inner_text().split(" ")[0])
        choice = card.locator("select[name=provider_id] option", has_text=taker_name)
        if day <= today or not choice.count():
            continue
        card_id = card.get_attribute("id")
        card.locator("select[name=provider_id]").select_option(choice.first.get_attribute("value"))
        card.locator("form[action$='/swap'] button").click()
        asker.wait_for_load_state()
        if asker.locator(".flash-success").count():
            asked = (card_id, day)
            break
        refusals.append(flash_error(asker))
    assert asked, f"{where(asker)}: no shift could be asked of {taker_name}: {refusals}"
    card_id, day = asked
    assert asker.locator(f"#{card_id} form[action$='/withdraw'] button").count() == 1

    # The other provider sees it asked of them and accepts.
    nav_to(taker, "/my/shifts")
    item = taker.locator("#swaps-asked li", has_text=day.isoformat())
    assert item.count() >= 1, f"{where(taker)}: the swap is not shown to {taker_name}"
    assert_accessible(taker)
    item.first.locator("button").click()
    taker.wait_for_load_state()
    success(taker)

    # The coordinator approves it on the station's month grid; the grid then names the new provider.
    coord = open_as("coord", "zh_Hans")
    nav_to(coord, "/duty")
    month = day.strftime("%Y-%m")
    for _ in range(2):
        if month in coord.locator("h1").inner_text():
            break
        coord.click("a[rel=next]")
        coord.wait_for_load_state()
    shift_row = None
    for link in coord.locator("#duty-stations tbody a").all():
        href = link.get_attribute("href")
        coord.locator(f"#duty-stations a[href='{href}']").click()
        coord.wait_for_load_state()
        row = coord.locator(f"#rota-grid tr#{card_id}")
        if row.count():
            shift_row = row
            break
        coord.go_back()
    assert shift_row is not None, f"the shift {card_id} is on no station's grid"
    assert_accessible(coord)
    approve = shift_row.locator("form[action$='/approve'] button")
    assert approve.count() == 1, (
        f"{where(coord)}: the accepted swap offers no approval: {shift_row.inner_text()}"
    )
    approve.click()
    coord.wait_for_load_state()
    if coord.locator("#confirm-yes").count():
        confirm(coord, assert_accessible)
    success(coord)
    row = coord.locator(f"#rota-grid tr#{card_id}")
    assert taker_name in row.locator("td:nth-child(3)").inner_text(), row.inner_text()
    assert row.locator(".badge").count() == 0

    # The asker's shift is gone from their list; the taker has it.
    nav_to(asker, "/my/shifts")
    assert asker.locator(f"#{card_id}").count() == 0
    nav_to(taker, "/my/shifts")
    assert taker.locator(f"#{card_id}").count() == 1


# 4. The coordinator reviews last month at a station with a missed shift and archives it.


def test_month_review_archives_and_the_subsidies_reach_finance(open_as, assert_accessible):
    page = open_as("coord", "zh_Hans")
    problems: list[str] = []
    nav_to(page, "/duty")
    page.click("a[rel=prev]")  # last month first, then this one
    page.wait_for_load_state()
    found = None
    for _month in range(2):
        for href in page.locator("#duty-stations tbody a").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        ):
            page.locator(f"#duty-stations a[href='{href}']").click()
            page.wait_for_load_state()
            if page.locator("#review-month").count():
                page.click("#review-month")
                page.wait_for_load_state()
                missed = page.locator("#shifts-missed")
                if (
                    page.locator("#archive-month").count()
                    and missed.count()
                    and int(missed.inner_text()) >= 1
                ):
                    found = page.url
                    break
                page.go_back()
            page.go_back()
        if found:
            break
        page.click("a[rel=next]")
        page.wait_for_load_state()
    assert found, "no station's last month has a missed shift and can be archived"
    assert int(page.locator("#shifts-missed").inner_text()) >= 1
    check_everywhere(page, assert_accessible, problems)

    # Archiving asks first: dismissed once, nothing changes.
    page.click("#archive-month")
    page.wait_for_selector("#confirm-cancel")
    assert_accessible(page)
    page.click("#confirm-cancel")
    page.wait_for_load_state()
    assert page.locator("#archive-month").count() == 1 and page.locator("#month-archived").count() == 0
    # Accepted: archived, the done shifts' subsidies payable.
    page.click("#archive-month")
    confirm(page, assert_accessible)
    success(page)
    assert page.locator("#month-archived").count() == 1
    rows = page.locator("#month-subsidies tbody tr")
    assert rows.count() >= 1
    ids = [t.strip() for t in page.locator("#month-subsidies tbody tr td:first-child").all_inner_texts()]
    assert all(
        "待支付" in t for t in page.locator("#month-subsidies tbody td:nth-child(3)").all_inner_texts()
    )
    check_everywhere(page, assert_accessible, problems)

    # Finance sees them in the payable queue.
    finance = open_as("finance", "zh_Hans")
    finance.click("#payable-queue-panel h2 a")
    finance.wait_for_selector("h1")
    offered = set(finance.locator("input[name=subsidy_ids]").evaluate_all("xs => xs.map(x => x.value)"))
    assert set(ids) <= offered, f"{where(finance)}: {sorted(set(ids) - offered)} not payable"
    assert not problems, "\n".join(problems)


# 5. The admin adds a station; the desk registers an application taken there, detained.


def test_admin_adds_a_station_and_the_desk_registers_a_detained_applicant(open_as, assert_accessible):
    admin = open_as("admin", "zh_Hans")
    problems: list[str] = []
    nav_to(admin, "/admin/stations")
    check_everywhere(admin, assert_accessible, problems)
    # The demo's station figures: an application forwarded late shows.
    late = admin.locator("#stations tbody td.overdue")
    assert late.count() >= 1, f"{where(admin)}: no station shows a late forwarding"
    name = "区人民法院速裁庭值班律师工作站"
    admin.fill("#station-form #name", name)
    admin.select_option("#station-form #kind", "court")
    admin.fill("#station-form #area", "城关街道")
    admin.fill("#station-form #hours", "工作日 8:30–17:30")
    admin.click("#add-station")
    admin.wait_for_load_state()
    success(admin)
    row = admin.locator("#stations tbody tr", has_text=name)
    assert row.count() == 1 and "工作日 8:30–17:30" in row.inner_text(), where(admin)
    row.locator("a").click()
    admin.wait_for_selector("#station-edit")
    check_everywhere(admin, assert_accessible, problems)

    # The desk: a consultation becomes an application taken at that station, the applicant detained.
    desk = open_as("desk", "zh_Hans")
    nav_to(desk, "/consultations")
    links = desk.locator("main table tbody a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    for href in links[:15]:
        desk.locator(f"main table tbody a[href='{href}']").first.click()
        desk.wait_for_load_state()
        if desk.locator("#register-application").count():
            break
        desk.go_back()
    else:
        raise AssertionError(f"{where(desk)}: no consultation offers to register an application")
    desk.click("#register-application")
    desk.wait_for_selector("#case-form")
    check_everywhere(desk, assert_accessible, problems)
    option = desk.locator("select#station_id option", has_text=name)
    assert option.count() == 1, f"{where(desk)}: the new station is not offered"
    assert desk.locator("input#detained[type=checkbox]").count() == 1
    desk.select_option("select#case_type", "criminal")
    if not desk.locator("#applicant_name").input_value():
        desk.fill("#applicant_name", "郑国强")
    desk.fill("#applicant_id_number", "110101199003071234")
    desk.fill("#charge", "盗窃罪")
    if desk.locator("select#cause").count() and not desk.locator("select#cause").input_value():
        desk.select_option("select#cause", index=1)
    desk.select_option("select#station_id", option.get_attribute("value"))
    taken = clock.now().astimezone(clock.centre_tz()) - dt.timedelta(hours=2)
    desk.fill("#station_received_at", taken.strftime("%Y-%m-%dT%H:%M"))
    desk.check("#detained")
    desk.click("#register-case")
    desk.wait_for_load_state()
    success(desk)
    assert desk.locator("#linked-case").inner_text().strip(), where(desk)  # the consultation names its case
    # The station's figures count the application taken there.
    nav_to(admin, "/admin/stations")
    row = admin.locator("#stations tbody tr", has_text=name)
    assert row.locator("td:nth-child(5)").inner_text().strip() == "1", row.inner_text()
    assert not problems, "\n".join(problems)
