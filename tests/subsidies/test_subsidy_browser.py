"""A finance clerk clears the payable queue in the browser; the provider sees the subsidy paid."""

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
    page.click("#batch-all")
    page.wait_for_url("**/finance/batches/*")
    assert "2 subsidies" in page.inner_text(".flash")

    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert rows[0][:3] == ("subsidy_id", "payee", "bank_account")
    assert len(rows) == 3 and {r[5] for r in rows[1:]} == {132000}
    assert "Lawyer Li" in {r[1] for r in rows[1:]}

    page.fill("#bank_reference", "ICBC-2026-0001")
    page.click("#confirm-paid")
    page.wait_for_selector(".flash-success")
    assert page.get_attribute("#batch-status", "data-status") == "confirmed"
    assert page.inner_text("#batch-status") == "confirmed paid"

    page.click("#sign-out")
    login_page(lawyer)
    page.goto("/me/subsidies")
    assert page.get_attribute("#my-subsidies .status", "data-status") == "paid"
    assert page.inner_text("#my-subsidies .status") == "paid"
    assert "Paid on" in page.inner_text("#my-subsidies")
