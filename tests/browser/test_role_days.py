"""Each role's day walked through the pages only (issue 11, "Done when"), in 简体中文 and English, on the
demo district: start at the home page, follow only the links and buttons the pages show (the sign-in
page is the only address typed), confirm what asks first, and end with a phone-width pass over the role's
main pages (no sideways scroll, every table's key column in view)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from legalaid import clock
from tests.browser.conftest import phone_pass

pytestmark = pytest.mark.browser
LOCALES = ["zh_Hans", "en"]


def confirm(page) -> None:
    """Answer the "are you sure?" step a destructive or money-moving action asks first."""
    page.wait_for_selector("#confirm-yes")
    page.click("#confirm-yes")
    page.wait_for_load_state()


def flash_error(page) -> str:
    errors = page.locator(".flash-error, .field-error")
    return " | ".join(errors.all_inner_texts()) if errors.count() else ""


def where(page) -> str:
    """The page's address and heading, to say where a walk stopped."""
    heading = page.locator("h1")
    return f"{page.url} ({heading.first.inner_text() if heading.count() else 'no heading'})"


def tab_to(page, selector: str, most: int = 60) -> None:
    """Press Tab until the control the selector names has the focus (as a keyboard user would)."""
    for _ in range(most):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reaches {selector} on {page.url}")


@pytest.mark.parametrize("locale", LOCALES)
def test_finance_day(open_as, locale):
    page = open_as("finance", locale)
    # The home page's panel leads to the payable queue.
    page.click("#payable-queue-panel h2 a")
    page.wait_for_selector("h1")
    chosen = page.locator("input[name=subsidy_ids]")
    assert chosen.count() >= 2, (
        f"{where(page)}: the payable queue offers {chosen.count()} subsidies to batch: "
        + page.locator("main section").nth(1).inner_text()[:500]
    )
    ids = [chosen.nth(i).get_attribute("value") for i in range(2)]
    for i in range(2):
        chosen.nth(i).check()
    page.click("#batch-selected")
    confirm(page)
    assert "/finance/batches/" in page.url, f"no batch made: {flash_error(page)}"
    assert page.locator(".flash-success").count() == 1
    assert page.locator("#batch-status").get_attribute("data-status") == "open"
    rows = page.locator("#batch-items tbody tr")
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.subsidy)")) == sorted(ids)
    assert page.locator("#batch-items .badge.overdue").count() == 0, "a payee's bank details are missing"

    # The bank file: every line complete (account, bank, amount).
    with page.expect_download() as download:
        page.click("#export-csv")
    body = download.value.path().read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert len(lines) == 1 + len(ids), lines
    for line in lines[1:]:
        subsidy, payee, account, bank, amount = line[:5]
        assert subsidy in ids and payee and account and bank and float(amount) > 0, line

    # The bank paid: confirm it (asked first).
    page.fill("#bank_reference", f"BANK-{locale}-1")
    page.click("#confirm-paid")
    confirm(page)
    assert page.locator("#batch-status").get_attribute("data-status") == "confirmed", flash_error(page)
    assert page.locator(".flash-success").count() == 1

    wrong = phone_pass(page)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_desk_day(open_as, locale):
    page = open_as("desk", locale)
    phone = "13900001234" if locale == "en" else "13900005678"
    # From home to the desk form, then the whole consultation by keyboard only.
    page.click("#to-desk")
    page.wait_for_selector("#desk-form")
    tab_to(page, "#phone")  # the phone field has the focus on arrival
    page.keyboard.type(phone)
    page.keyboard.press("Tab")
    page.keyboard.type("Walker " + locale)
    tab_to(page, "select#cause")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#question")
    page.keyboard.type("Unpaid wages for three months")
    tab_to(page, "#answer")
    page.keyboard.type("Explained how to apply for legal aid")
    tab_to(page, "#save-consultation")
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash-success, .flash-error, .field-error")
    assert page.locator(".flash-success").count() == 1, flash_error(page)
    assert page.locator("#today tbody tr").count() >= 1

    # The caller is looked up by phone: the earlier consultation shows.
    tab_to(page, "#phone")
    page.keyboard.type(phone)
    tab_to(page, "#lookup-earlier")
    page.keyboard.press("Enter")
    page.wait_for_selector(".earlier-consultations li")
    assert "Unpaid wages" in page.locator("#earlier").inner_text()

    # From that consultation to an application, prefilled from it.
    page.locator(".earlier-consultations li a").first.click()
    page.click("#register-application")
    page.wait_for_selector("#case-form")
    assert page.locator("#applicant_name").input_value() == "Walker " + locale
    page.fill("#applicant_id_number", "110101199003071234")
    if not page.locator("#cause").input_value():
        page.select_option("#cause", index=1)
    page.click("#register-case")
    page.wait_for_load_state()
    assert page.locator(".flash-success").count() == 1, flash_error(page)
    assert page.locator("#register-application").count() == 0  # the consultation now names its case

    wrong = phone_pass(page)
    assert not wrong, "\n".join(wrong)


def maybe_confirm(page) -> None:
    """Answer the "are you sure?" step if this action asks one."""
    page.wait_for_load_state()
    if page.locator("#confirm-yes").count():
        confirm(page)


def register_and_approve(page, applicant: str) -> None:
    """As the coordinator, from the home page: register an application and approve it; ends on the case."""
    page.goto("/")  # the home page (the sign-in lands there; a link back is on every page)
    page.locator("main a[href='/cases/new']").first.click()
    page.wait_for_selector("#case-form, form")
    page.select_option("#case_type", "civil")
    page.fill("#applicant_name", applicant)
    page.fill("#applicant_id_number", "110101199003071234")
    if page.locator("#cause").count() and not page.locator("#cause").input_value():
        page.select_option("#cause", index=1)
    page.locator("button[type=submit].primary").last.click()
    page.wait_for_load_state()
    assert page.locator("#case-status").count() == 1, f"no case page after registering: {flash_error(page)}"
    page.check("input[name='decision-decision'][value=approve]")
    page.click("#decide")
    maybe_confirm(page)
    assert page.locator("#assign-rotation, #designate").count(), f"not approved: {flash_error(page)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_lawyer_day(open_as, locale):
    # The coordinator offers a lawyer a case through the pages (designated by name); a lawyer on leave
    # today cannot take it, so the next demo lawyer is asked.
    coord = open_as("coord", locale)
    register_and_approve(coord, f"Designated client {locale}")
    refusals = []
    for number in range(1, 8):
        lawyer = open_as(f"lawyer{number:02d}", locale)
        name = lawyer.locator(".nav a[href='/account']").inner_text().strip()
        coord.fill("#designate_q", name)
        coord.click("#designate-find")
        coord.locator("#designate-choices label", has_text=name).locator("input[type=radio]").check()
        coord.fill("#designate-reason", "The client asked for this lawyer")
        coord.click("#designate-submit")
        maybe_confirm(coord)
        if coord.locator("#current-provider").count():
            break
        refusals.append(f"{name}: {flash_error(coord)}")
    else:
        raise AssertionError(f"{where(coord)}: no lawyer could be designated: {refusals}")
    assert name in coord.locator("#current-provider").inner_text(), flash_error(coord)

    # The lawyer: the offer is on the home page; accept it.
    lawyer.goto("/")
    lawyer.locator("#offered-panel li a").first.click()
    lawyer.locator("button[id^=accept-]").click()
    maybe_confirm(lawyer)
    assert lawyer.locator(".flash-success").count() == 1, flash_error(lawyer)

    # Record a hearing from the hearings page.
    lawyer.goto("/")
    lawyer.locator(".nav a[href='/supervision/hearings']").click()
    lawyer.click("#record-hearing-go")
    lawyer.wait_for_selector("#save-hearing")
    starts = lawyer.locator("#starts_at")
    assert starts.count(), "the hearing form has no start time"
    tomorrow = (clock.today() + dt.timedelta(days=7)).isoformat()  # the centre's clock, as the server's
    starts.fill(f"{tomorrow}T09:30")
    if lawyer.locator("#ends_at").count():
        lawyer.fill("#ends_at", f"{tomorrow}T11:30")
    lawyer.fill("#court", "District court")
    lawyer.click("#save-hearing")
    lawyer.wait_for_load_state()
    assert lawyer.locator(".flash-success").count() == 1, f"hearing not recorded: {flash_error(lawyer)}"

    # Hand in the closing materials of a case the home page says is due: only what is ready.
    lawyer.goto("/")
    lawyer.locator("main a[href$='/close']").first.click()
    lawyer.wait_for_selector("#close-case")
    if not lawyer.locator("#outcome").input_value():
        lawyer.select_option("#outcome", index=1)
    lawyer.locator("fieldset.checks input[type=checkbox]").first.check()
    lawyer.click("#close-case")
    maybe_confirm(lawyer)
    assert lawyer.locator(".flash-success").count() == 1, f"case not closed: {flash_error(lawyer)}"

    # Read the score, then the subsidies.
    lawyer.goto("/")
    lawyer.locator(".nav a[href='/scoring/my-scores']").click()
    lawyer.wait_for_selector("h1")
    scores = lawyer.locator("main table a")
    if scores.count():
        scores.first.click()
        lawyer.wait_for_selector("h1")
    lawyer.goto("/")
    lawyer.locator("main a[href='/me/subsidies']").first.click()
    assert lawyer.locator("#my-subsidies, .empty").count()

    wrong = phone_pass(lawyer)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_coordinator_day(open_as, locale):
    page = open_as("coord", locale)
    register_and_approve(page, f"Rotation client {locale}")
    page.click("#assign-rotation")
    maybe_confirm(page)
    first = page.locator("#current-provider").inner_text()
    assert first, f"no provider after assigning by rotation: {flash_error(page)}"
    why = page.locator("#why-this-provider")
    assert why.is_visible() and why.inner_text().strip(), "no 'why this provider'"
    page.fill("#reassign-reason", "The provider is ill")
    page.click("#reassign")
    confirm(page)
    second = page.locator("#current-provider").inner_text()
    assert second and second.split("—")[0] != first.split("—")[0], f"not reassigned: {flash_error(page)}"

    wrong = phone_pass(page)
    assert not wrong, "\n".join(wrong)


def nav_to(page, path: str) -> None:
    """Follow the navigation's link to ``path`` (opening "More" when it is there)."""
    link = page.locator(f".nav a[href='{path}']")
    assert link.count(), f"{where(page)}: the navigation has no link to {path}"
    if not link.first.is_visible() and page.locator(".nav-more > summary").count():
        page.click(".nav-more > summary")
    link.first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", LOCALES)
def test_supervisor_day(open_as, locale):
    page = open_as("sup", locale)
    # An observation whose hearing has started: file the report (one still to come says when it can be).
    nav_to(page, "/supervision/observations")
    hrefs = page.locator("table a.button").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs, f"{where(page)}: no observation listed"
    later = 0
    for href in hrefs:
        page.locator(f"table a.button[href='{href}']").first.click()
        if page.locator("#file-report").count():
            for group in ("preparation", "examination", "argument", "effect"):
                page.locator(f"fieldset#{group} input[type=radio]").first.check()
            page.click("#file-report")
            maybe_confirm(page)
            assert page.locator(".flash-success").count() == 1, f"{where(page)}: {flash_error(page)}"
            break
        later += page.locator("#report-later").count()
        page.go_back()
    else:  # the demo's supervisor has only hearings still to come (or reported): these say it waits
        assert later, f"{where(page)}: no observation offers a report or says when it can be filed"

    # A follow-up call: the client was reached and says the provider took money.
    nav_to(page, "/supervision/calls")
    page.locator("#call-list a.button").first.click()
    page.check("fieldset#reached input[value=yes]")
    if page.locator("#satisfaction").count():
        page.select_option("#satisfaction", index=1)
    page.check("#took_money")
    page.fill("#notes", "The client paid the lawyer 500 yuan")
    page.click("#save-attempt")
    maybe_confirm(page)
    # Recorded, with the red flag it raised said (shown as an alert, not a plain success).
    assert page.locator(".flash").count() and not page.locator(".field-error").count(), where(page)

    # The red flag that call raised: confirm it (asked first).
    nav_to(page, "/supervision/red-flags")
    page.locator("main table tbody a").first.click()  # the head's links sort the list
    assert page.locator("input[name=outcome]").count(), f"{where(page)}: the newest flag is not open"
    page.check("input[name=outcome][value=confirmed]")
    page.fill("#reason", "The client's receipt")
    page.locator("main form button.primary").click()
    maybe_confirm(page)
    assert page.locator(".flash-success").count() == 1, f"{where(page)}: {flash_error(page)}"

    # Score a closed file from the scoring list: start a sheet, give every item its points, submit.
    nav_to(page, "/scoring/")
    page.locator("main table tbody a").first.click()
    if page.locator("#start-sheet").count():
        page.click("#start-sheet")
        page.wait_for_load_state()
    else:
        page.locator("main table a[href*='/sheets/']").first.click()
    # Keep what the sheet suggests, give the rest full points, and note each item.
    for box in page.locator("#sheet-form input[type=number]").all():
        if not box.input_value():
            box.fill(box.get_attribute("max") or "1")
    for note in page.locator("#sheet-form textarea[name^=note-]").all():
        note.fill("Checked against the file")
    page.fill("#veto_note", "Checked against the file")
    page.click("#submit-sheet")
    maybe_confirm(page)
    assert page.locator(".flash-success").count() == 1, f"{where(page)}: {flash_error(page)}"

    wrong = phone_pass(page)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_admin_day(open_as, locale):
    page = open_as("admin", locale)
    username = f"new-lawyer-{locale.lower().replace('_', '-')}"
    lawyer = f"Walker Lawyer {locale}"
    # A new lawyer joins the panel ...
    nav_to(page, "/admin/providers")
    page.fill("#provider-form #name", lawyer)
    page.select_option("#provider-form #organization_id", index=1)
    page.fill("#provider-form #practice_since", "2015-03-01")
    page.fill("#provider-form #areas", "Dongcheng")
    page.click("#add-provider")
    maybe_confirm(page)
    assert page.locator(".flash-success").count() == 1, f"{where(page)}: {flash_error(page)}"
    # ... and is given a login linked to that entry.
    nav_to(page, "/admin/users")
    page.locator("a[href='#new-user']").click()
    page.fill("#new-user #provider_q", lawyer)
    page.click("#new-user #find-provider")
    page.wait_for_load_state()
    option = page.locator("#new-user select#provider_id option", has_text=lawyer)
    assert option.count() == 1, f"{where(page)}: the new lawyer is not offered to link"
    page.select_option("#new-user select#provider_id", option.get_attribute("value"))
    page.fill("#new-user #username", username)
    page.fill("#new-user #display_name", "New Lawyer")
    page.fill("#new-user #password", "Walk-passw0rd")
    page.check("#new-user input[name=roles][value=provider]")
    page.click("#create-user")
    maybe_confirm(page)
    assert page.locator(".flash-success").count() == 1, f"{where(page)}: {flash_error(page)}"

    # Its page: edit the roles, disable it (asked first) and enable it again.
    if page.locator("#user-roles").count() == 0:
        page.fill("#user-filter input[type=search], #user-filter input[type=text]", username)
        page.click("#filter-users")
        page.locator("#users a", has_text=username).click()
    page.check("#user-roles input[name=roles][value=desk]")
    page.click("#save-roles")
    maybe_confirm(page)
    assert page.locator(".flash-success").count() == 1, f"{where(page)}: {flash_error(page)}"
    assert page.locator("#user-roles input[name=roles][value=desk]").is_checked()
    state = page.locator("#state").inner_text()
    page.click("#disable-user")
    confirm(page)
    assert page.locator("#enable-user").count() == 1, f"{where(page)}: {flash_error(page)}"
    assert page.locator("#state").inner_text() != state
    page.click("#enable-user")
    maybe_confirm(page)
    assert page.locator("#disable-user").count() == 1, f"{where(page)}: {flash_error(page)}"
    assert page.locator("#state").inner_text() == state

    # The rules in force.
    nav_to(page, "/admin/rules")
    assert page.locator("main table, main dl").count(), f"{where(page)}: no rule shown"

    wrong = phone_pass(page)
    assert not wrong, "\n".join(wrong)
