"""A finance clerk clears the payable queue in the browser (each money-moving step asks first); the bank
file is complete; the provider sees the subsidy paid."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.browser


def test_finance_batches_exports_and_confirms_then_provider_sees_paid(
    page, login_page, payable, make_provider_here, staff, session
):
    from openpyxl import load_workbook

    provider_id = make_provider_here(name="Lawyer Li")
    payable(1, provider_id=provider_id)
    payable(1)
    payable(1, case_type="criminal", stage="trial")
    clerk = staff("finance").username
    lawyer = staff("provider", provider_id=provider_id).username
    session.commit()

    login_page(clerk)
    page.goto("/finance/subsidies")
    page.select_option("#case_type", "civil")
    page.click("#apply-filter")
    page.wait_for_url("**case_type=civil**")  # the filtered list has loaded, not the one before it
    page.wait_for_load_state()
    assert page.locator("input[name=subsidy_ids]").count() == 2
    assert "Batch all 2 that can be paid" in page.inner_text("#batch-all")
    page.click("#batch-all")
    assert "Put these subsidies in a payment batch?" in page.inner_text("h1")
    page.click("#confirm-yes")
    page.wait_for_url("**/finance/batches/*")
    assert "2 subsidies" in page.inner_text(".flash")
    assert "None" not in page.inner_text("#batch-items")
    assert page.inner_text("#batch-items .outcome") == "awaiting the bank"

    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert rows[0][:5] == ("Subsidy no.", "Payee", "Bank account", "Bank", "Amount (yuan)")
    assert len(rows) == 3 and {r[5] for r in rows[1:]} == {132000}
    assert {float(r[4]) for r in rows[1:]} == {1320.0} and all(r[2] and r[3] == "ICBC" for r in rows[1:])
    assert "Lawyer Li" in {r[1] for r in rows[1:]}

    page.fill("#bank_reference", "ICBC-2026-0001")
    page.click("#confirm-paid")
    assert "Confirm that the bank paid this batch?" in page.inner_text("h1")
    page.click("#confirm-yes")
    page.wait_for_selector(".flash-success")
    assert page.get_attribute("#batch-status", "data-status") == "confirmed"
    assert page.inner_text("#batch-status") == "confirmed paid"
    assert page.inner_text("#batch-items .outcome") == "paid"

    page.click("#sign-out")
    login_page(lawyer)
    page.goto("/me/subsidies")
    assert page.get_attribute("#my-subsidies .status", "data-status") == "paid"
    assert page.inner_text("#my-subsidies .status") == "paid"
    assert "Paid on" in page.inner_text("#my-subsidies")
