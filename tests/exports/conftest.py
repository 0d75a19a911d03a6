"""Fixtures of the files prepared in the background: consultations registered through the API, cases
archived through the service (the subsidy tests' builders), and a job run to its end."""

from __future__ import annotations

import csv
import io

import pytest

from legalaid.export_jobs import wait_for_exports
from tests.frontdesk.test_consultations_api import body as consultation  # the register's one body
from tests.subsidies import conftest as subsidy_fixtures

# Archived cases are built by the subsidy tests' fixtures (tests/subsidies/conftest.py).
default_rates = subsidy_fixtures.default_rates
facts = subsidy_fixtures.facts
make_case = subsidy_fixtures.make_case
make_provider_here = subsidy_fixtures.make_provider_here
staff = subsidy_fixtures.staff


@pytest.fixture(autouse=True)
def export_folder(app, tmp_path):
    """Each test's files in a folder of its own (what is left there is this test's)."""
    app.config["EXPORT_FOLDER"] = str(tmp_path / "exports")
    return tmp_path / "exports"


@pytest.fixture
def desk(as_role):
    """A desk clerk's client with seven consultations in the register (two by letter)."""
    client = as_role("desk")
    for i in range(7):
        channel = "letter" if i in (2, 5) else "hotline"
        answer = client.post(
            "/api/v1/consultations", json=consultation(channel=channel, question=f"=1+2 Q{i}")
        )
        assert answer.status_code == 201, answer.get_json()
    return client


@pytest.fixture
def run_to_end(app):
    """run_to_end(client, body) -> the job as the API gives it once its thread has ended."""

    def run(client, body):
        asked = client.post("/api/v1/exports", json=body)
        assert asked.status_code == 201, asked.get_json()
        wait_for_exports(app)
        answer = client.get(f"/api/v1/exports/{asked.get_json()['id']}")
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    return run


@pytest.fixture
def archived(make_case, staff, session):
    """archived(n) -> n closed cases archived by a supervisor (this year's archive numbers)."""
    from supervision.subsidies.archive import archive_case

    def make(n=1):
        supervisor = staff("supervisor")
        for _ in range(n):
            case_id = make_case()
            archive_case(session, supervisor, case_id)
            session.commit()

    return make


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"))))


def xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = [["" if v is None else str(v) for v in row] for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def error_of(response, status: int) -> dict:
    """The API.md error body of an answer that must have ``status``."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return error


def fetch(client, path: str, **kwargs):
    """(status, mimetype, Content-Disposition, body) of a file answer, the answer closed."""
    answer = client.get(path, **kwargs)
    try:
        return answer.status_code, answer.mimetype, answer.headers.get("Content-Disposition", ""), answer.data
    finally:
        answer.close()
