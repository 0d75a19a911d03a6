"""In a real browser (CSRF on): the coordinator registers, approves and assigns an application by
rotation and reads why; the provider finds it on My assignments, reads why them and accepts."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from legalaid import clock


def test_register_approve_assign_and_accept(page, login_page, make_user, make_pool):
    _pool, (lawyer,) = make_pool(n=1, name="Li Lawyer")
    make_user(roles=("coordinator",), username="coord")
    make_user(roles=("provider",), username="lawyer", provider_id=lawyer)

    login_page("coord")
    page.get_by_role("link", name="Intake queue").click()
    page.click("#new-case")
    page.select_option("#case_type", "civil")
    page.select_option("#cause", "wage_arrears")
    page.fill("#received_on", clock.today().isoformat())
    page.fill("#applicant_name", "Wang Fang")
    page.fill("#applicant_id_number", "110101199003077571")
    page.check("input[name=categories][value=migrant_worker]")
    page.fill("#opposing_party", "Acme Building Co")
    page.click("#register-case")
    expect(page.locator(".flash-success")).to_contain_text("registered")
    expect(page.locator("#case-status")).to_have_text("applied")
    expect(page.locator("#id-number")).to_contain_text("7571")
    expect(page.locator("#id-number")).not_to_contain_text("110101199003077571")

    page.check("#decision-decision-0")
    page.select_option("#decision-means_test", "waived")
    page.fill("#decision-means_test_proof", "migrant worker's wage claim")
    page.click("#decide")
    expect(page.locator("#case-status")).to_have_text("accepted")

    page.click("#assign-rotation")
    expect(page.locator(".flash-success")).to_contain_text("assigned to Li Lawyer")
    why = page.locator("#why-this-provider")
    expect(why).to_contain_text("Rotation")
    expect(why.locator("tr.picked")).to_contain_text("Li Lawyer")
    page.click("#sign-out")

    login_page("lawyer")
    expect(page.locator("#offered-panel")).to_contain_text("Assignments awaiting your answer")
    page.get_by_role("link", name="My assignments").click()
    card = page.locator("section.assignment").first
    expect(card).to_contain_text("Wang Fang")
    card.locator("summary", has_text="Why you").click()
    expect(card.locator("tr.picked")).to_contain_text("Li Lawyer")
    card.get_by_role("button", name="Accept").click()
    expect(page.locator(".flash-success")).to_contain_text("You accepted case")
    expect(page.locator("section.assignment").first).to_contain_text(re.compile("accepted"))
