"""Intake rules (numbering, green channel, decision, missing materials, deadlines), eligibility
rules of rotation, continuation, reassignment, the bounded explanation, and the panel CSV import."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from assignment.intake import (
    case_deadlines,
    decide_application,
    is_green_channel,
    lapse_overdue_material_requests,
    request_materials,
    supply_materials,
)
from assignment.models import Assignment, Provider
from assignment.panel import declare_conflict, get_provider
from assignment.panel_import import import_panel_csv
from assignment.rotation import accept_assignment, assign_by_rotation, reassign_case
from legalaid import clock
from legalaid.errors import Invalid, NotAllowed
from legalaid.models import AuditEntry

TODAY = clock.today()


@pytest.mark.parametrize(
    ("categories", "cause", "case_type", "green"),
    [
        (["migrant_worker"], "wage_arrears", "civil", True),
        (["migrant_worker"], "work_injury", "civil", True),
        (["migrant_worker"], "marriage_family", "civil", False),
        (["elderly"], "contract", "civil", True),
        (["disabled"], "theft", "criminal", True),
        (["minor"], "contract", "civil", True),
        (["domestic_violence"], "marriage_family", "civil", True),
        (["service_member"], "contract", "administrative", True),
        ([], "wage_arrears", "civil", False),
    ],
)
def test_green_channel_rule(categories, cause, case_type, green):
    assert is_green_channel(categories, cause, case_type) is green


def test_case_numbers_are_sequential_per_year_and_type(make_case):
    civil = [make_case(status="applied").number for _ in range(3)]
    criminal = make_case(status="applied", case_type="criminal").number
    year = TODAY.year
    assert civil == [f"{year}-MS-00001", f"{year}-MS-00002", f"{year}-MS-00003"]
    assert criminal == f"{year}-XS-00001"
    last_year = make_case(status="applied", received_on=dt.date(year - 1, 12, 31)).number
    assert last_year == f"{year - 1}-MS-00001"


def test_notified_criminal_case_starts_accepted(make_case):
    case = make_case(status="applied", case_type="criminal", source="notification")
    assert case.status == "accepted" and case.means_test is None
    assert case_deadlines(case)["assignment"]["due_on"] == TODAY + dt.timedelta(days=3)


def test_rejection_needs_a_written_reason(session, make_case, coordinator):
    case = make_case(status="applied")
    with pytest.raises(Invalid):
        decide_application(session, case, coordinator, approved=False)
    decide_application(session, case, coordinator, approved=False, reason="income above the threshold")
    assert case.status == "rejected"
    with pytest.raises(NotAllowed):
        decide_application(session, case, coordinator, approved=True)


def test_missing_materials_pause_the_decision_clock_then_lapse(session, make_case, coordinator):
    received = TODAY - dt.timedelta(days=10)
    case = make_case(status="applied", received_on=received)
    request_materials(
        session, case, ["income certificate", "ID copy"], coordinator, on=received + dt.timedelta(days=2)
    )
    assert case_deadlines(case)["decision"]["state"] == "paused"
    with pytest.raises(NotAllowed):  # one notice lists everything
        supply_materials(session, case, coordinator, on=received + dt.timedelta(days=6))
        request_materials(session, case, ["more"], coordinator)
    assert case.paused_days == 4
    assert case_deadlines(case)["decision"]["due_on"] == received + dt.timedelta(days=11)

    other = make_case(status="applied")
    request_materials(session, other, ["ID copy"], coordinator, on=TODAY - dt.timedelta(days=20))
    session.commit()
    lapsed = lapse_overdue_material_requests(session, TODAY)
    assert [c.id for c in lapsed] == [other.id] and other.status == "withdrawn"


def test_every_transition_writes_an_audit_entry(session, make_case, make_pool, lawyers, coordinator):
    make_pool(lawyers(1))
    case = make_case()
    assign_by_rotation(session, case, coordinator)
    session.commit()
    actions = session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "case", AuditEntry.object_id == case.id)
    ).all()
    assert actions == ["case.register", "case.decide", "case.assign"]


def test_criminal_defence_goes_only_to_lawyers(session, make_pool, make_case, provider_in, coordinator):
    adviser, lawyer = provider_in("legal_adviser"), provider_in("lawyer")
    make_pool([adviser, lawyer], case_types=("criminal",))
    assignment = assign_by_rotation(session, make_case(case_type="criminal"), coordinator)
    assert assignment.provider_id == lawyer
    assert assignment.explanation["skipped"][0] == {
        "provider_id": adviser, "eligible": False, "reason": "criminal_needs_lawyer", "deficit": 0.5,
    }  # fmt: skip


def test_life_or_death_case_needs_three_years(session, make_pool, make_case, lawyers, coordinator):
    junior, senior = lawyers(1, years=2) + lawyers(1, years=3)
    make_pool([junior, senior], case_types=("criminal",))
    case = make_case(case_type="criminal", max_sentence="life")
    assert assign_by_rotation(session, case, coordinator).provider_id == senior


def test_opposing_aided_party_gets_a_provider_from_another_organisation(
    session, make_pool, make_case, provider_in, coordinator
):
    firm_a = provider_in()
    same_firm = provider_in(organization_id=get_provider(session, firm_a).organization_id)
    other_firm = provider_in()
    make_pool([firm_a, same_firm, other_firm])
    first = make_case()
    assert assign_by_rotation(session, first, coordinator).provider_id == firm_a
    session.commit()
    second = make_case(opposing_case_id=first.id)
    assert assign_by_rotation(session, second, coordinator).provider_id == other_firm


def test_declared_conflict_with_the_applicant(session, make_pool, make_case, lawyers, coordinator):
    ids = lawyers(2)
    make_pool(ids)
    declare_conflict(session, get_provider(session, ids[0]), "  wang  WU ", None)
    case = make_case(applicant={"name": "Wang Wu", "id_number": "1234567"})
    assert assign_by_rotation(session, case, coordinator).provider_id == ids[1]


def test_later_criminal_stage_continues_with_the_previous_provider(
    session, make_pool, make_case, lawyers, coordinator
):
    ids = lawyers(3)
    make_pool(ids, case_types=("criminal",))
    for _ in range(2):
        assign_by_rotation(session, make_case(case_type="criminal"), coordinator)
    session.commit()
    investigation = make_case(case_type="criminal", stage="investigation")
    first = assign_by_rotation(session, investigation, coordinator)
    accept_assignment(session, first, None)
    session.commit()
    trial = make_case(case_type="criminal", stage="trial", previous_case_id=investigation.id)
    follow = assign_by_rotation(session, trial, coordinator)
    assert (first.provider_id, follow.provider_id, follow.mode) == (ids[2], ids[2], "continuation")


def test_reassignment_picks_by_rotation_and_ends_the_old_assignment(
    session, make_pool, make_case, lawyers, coordinator
):
    ids = lawyers(3)
    make_pool(ids)
    case = make_case()
    old = assign_by_rotation(session, case, coordinator)
    accept_assignment(session, old, None)
    session.commit()
    with pytest.raises(Invalid):
        reassign_case(session, case, " ", coordinator)
    new = reassign_case(session, case, "client complaint (Law art. 55)", coordinator)
    session.commit()
    assert (old.status, old.live, new.provider_id, case.status) == ("replaced", False, ids[1], "assigned")
    assert get_provider(session, ids[0]).open_cases == 0 and get_provider(session, ids[1]).open_cases == 1


def test_explanation_is_bounded(session, make_pool, make_case, lawyers, coordinator):
    ids = lawyers(30)
    make_pool(ids)
    for pid in ids[:25]:
        declare_conflict(session, get_provider(session, pid), "Acme", None)
    assignment = assign_by_rotation(session, make_case(opposing_party="Acme"), coordinator)
    e = assignment.explanation
    assert len(e["skipped"]) == 20 and e["picked"]["provider_id"] == ids[25] and len(e["next"]) == 4
    assert session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1


CSV_OK = """name,kind,organization,practice_since,max_open_cases,specialties,bank_account,pools
Li Lei,lawyer,Mingde Law Firm,2010-05-01,12,labour;family,6222020000001234,
Han Meimei,legal_adviser,East Town Legal Service Office,2016-01-01,,,,
"""
CSV_BAD = """name,kind,organization,practice_since,max_open_cases
Good Row,lawyer,Firm,2010-01-01,5
,judge,Firm,yesterday,many
"""


def test_panel_csv_import_all_or_nothing(session):
    with pytest.raises(Invalid) as bad:
        import_panel_csv(session, CSV_BAD, None)
    assert list(bad.value.fields) == ["row 3"] and len(bad.value.fields["row 3"]) == 4
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Provider)) == 0
    assert import_panel_csv(session, CSV_OK, None) == {"providers": 2, "organizations": 2}
    session.commit()
    li = session.scalars(sa.select(Provider).where(Provider.name == "Li Lei")).one()
    assert li.specialties == ["labour", "family"] and li.max_open_cases == 12


def test_panel_import_command(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_BAD)
    result = runner.invoke(args=["panel", "import", str(bad)])
    assert result.exit_code != 0 and "row 3" in result.output
    good = tmp_path / "good.csv"
    good.write_text(CSV_OK)
    result = runner.invoke(args=["panel", "import", str(good)])
    assert result.exit_code == 0 and "imported 2 providers" in result.output
