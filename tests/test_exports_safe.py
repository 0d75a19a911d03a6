"""Every file made for spreadsheets writes text as text (nothing a provider or clerk typed can become a
formula) and amounts as numbers (issue 10, item 4; OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from tests.subsidies import conftest as subsidy_fixtures

# The subsidy fixtures (archived cases with payable subsidies) live beside the subsidy tests.
default_rates = subsidy_fixtures.default_rates
facts = subsidy_fixtures.facts
make_case = subsidy_fixtures.make_case
make_provider_here = subsidy_fixtures.make_provider_here
payable = subsidy_fixtures.payable
staff = subsidy_fixtures.staff
subsidy_of = subsidy_fixtures.subsidy_of

HOSTILE_NAME = '=HYPERLINK("http://evil.example","pay")'
HOSTILE_ACCOUNT = "=1+2"


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize(
    "typed",
    [HOSTILE_NAME, HOSTILE_ACCOUNT, "+86 138", "-2+3", "@SUM(A1:A9)", "\t=1+2", "\r=1+2"],
)
def test_text_that_would_start_a_formula_is_quoted(typed):
    from legalaid.exports import safe_cell

    assert safe_cell(typed) == "'" + typed


@pytest.mark.parametrize("value", ["Lawyer Li", "李律师", "2026-00001", "", None, 132000, Decimal("-320.00")])
def test_other_cells_pass_unchanged(value):
    from legalaid.exports import safe_cell

    assert safe_cell(value) == value


def test_amounts_are_exact_yuan():
    from legalaid.exports import yuan

    assert [str(yuan(f)) for f in (132000, 5, 0, -32000)] == ["1320.00", "0.05", "0.00", "-320.00"]


@pytest.fixture
def hostile_batch(session, make_provider_here, payable, staff):
    """A payment batch of one subsidy whose provider has a hostile name and bank account."""
    from assignment.models import Provider
    from supervision.subsidies.batches import create_payment_batch

    provider_id = make_provider_here(name=HOSTILE_NAME)
    session.get(Provider, provider_id).bank_account_stored = HOSTILE_ACCOUNT
    session.commit()
    ids = payable(1, provider_id=provider_id)
    clerk = staff("finance")
    batch = create_payment_batch(session, clerk, ids)
    session.commit()
    return clerk, batch.id


def test_bank_file_csv_quotes_hostile_text_and_writes_plain_amounts(session, hostile_batch):
    from supervision.subsidies.exports import BATCH_COLUMNS, export_batch

    clerk, batch_id = hostile_batch
    kind, chunks = export_batch(session, clerk, batch_id, "csv")
    header, row = read_csv("".join(chunks))
    cells = dict(zip(header, row, strict=True))
    assert header == BATCH_COLUMNS
    assert cells["payee"] == "'" + HOSTILE_NAME and cells["provider"] == "'" + HOSTILE_NAME
    assert cells["bank_account"] == "'" + HOSTILE_ACCOUNT
    assert (cells["amount_yuan"], cells["amount_fen"]) == ("1320.00", "132000")


def test_bank_file_xlsx_has_string_cells_and_numeric_amounts(session, hostile_batch):
    from openpyxl import load_workbook

    from supervision.subsidies.exports import export_batch

    clerk, batch_id = hostile_batch
    kind, file = export_batch(session, clerk, batch_id, "xlsx")
    with file:
        workbook = load_workbook(io.BytesIO(file.read()))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    cells = {name: sheet.cell(row=2, column=i + 1) for i, name in enumerate(header)}
    for name, typed in (("payee", HOSTILE_NAME), ("bank_account", HOSTILE_ACCOUNT)):
        assert cells[name].data_type == "s", name  # a string, not a formula ("f")
        assert cells[name].value == "'" + typed
    amount = cells["amount_yuan"]
    assert amount.data_type == "n" and amount.value == 1320 and amount.number_format == "0.00"
    assert cells["amount_fen"].data_type == "n" and cells["amount_fen"].value == 132000
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    workbook.close()


def test_archive_list_quotes_a_hostile_charge(session, make_case, staff):
    from openpyxl import load_workbook

    from assignment.models import Case
    from supervision.subsidies.archive import archive_case
    from supervision.subsidies.exports import export_archive_list

    case_id = make_case(case_type="criminal", stage="trial")
    charge = "=cmd|' /C calc'!A0"  # criminal causes are typed as free text
    session.get(Case, case_id).cause = charge
    session.commit()
    archive_case(session, staff("supervisor"), case_id)
    session.commit()
    supervisor = staff("supervisor")
    _kind, chunks = export_archive_list(session, supervisor, "csv")
    header, row = read_csv("".join(chunks))
    assert dict(zip(header, row, strict=True))["cause"] == "'" + charge
    _kind, file = export_archive_list(session, supervisor, "xlsx")
    with file:
        workbook = load_workbook(io.BytesIO(file.read()))
    cause = workbook.active.cell(row=2, column=header.index("cause") + 1)
    assert (cause.data_type, cause.value) == ("s", "'" + charge)
    workbook.close()


def test_rotation_report_csv_quotes_provider_names():
    from assignment.reports import rotation_report_csv

    report = {
        "members": [
            {"provider_id": 1, "name": HOSTILE_NAME, "weight": 1.0, "count": 2, "expected": 1.5},
            {"provider_id": 2, "name": "@SUM(A1:A9)", "weight": 0.5, "count": 1, "expected": 1.5},
        ],
        "spread": 1,
        "top_decile_ratio": 1.333,
        "overrides": 0,
    }
    rows = read_csv(rotation_report_csv(report))
    assert rows[1] == ["1", "'" + HOSTILE_NAME, "1.0", "2", "1.5"]
    assert rows[2][1] == "'@SUM(A1:A9)"


def test_quality_report_csv_quotes_names_and_keeps_negative_drift_a_number():
    from supervision.scoring.reports import quality_csv

    grades = {"excellent": 1, "good": 0, "pass": 0, "fail": 0}
    report = {
        "providers": [
            {
                "provider_id": 1,
                "name": HOSTILE_NAME,
                "organization": "+Firm",
                "count": 1,
                "average": Decimal("91.0"),
                "grades": grades,
            }
        ],
        "organizations": [],
        "scorers": [
            {
                "scorer_id": 3,
                "name": "-sup",
                "count": 1,
                "average": Decimal("85.0"),
                "others_average": Decimal("88.5"),
                "drift": Decimal("-3.5"),
            }
        ],
    }
    rows = read_csv(quality_csv(report))
    assert rows[1][2:4] == ["'" + HOSTILE_NAME, "'+Firm"]
    assert rows[2][2] == "'-sup" and rows[2][-1] == "-3.5"


def test_xlsx_takes_control_characters_without_failing():
    """openpyxl refuses a control character in a cell; the file is still written."""
    from openpyxl import load_workbook

    from legalaid.exports import xlsx_file

    with xlsx_file(
        "t", ["name", "amount_yuan"], [["Li\x01", Decimal("1.50")]], money_columns=["amount_yuan"]
    ) as f:
        workbook = load_workbook(io.BytesIO(f.read()))
    name, amount = workbook.active[2]
    assert name.value == "Li\ufffd" and (amount.value, amount.number_format) == (1.5, "0.00")
    workbook.close()
