"""Law art. 42: a waived means test names its proof; the applicant's categories can supply it."""

import pytest

from assignment.intake import decide_application
from legalaid.errors import Invalid


@pytest.mark.parametrize(
    ("categories", "cause", "ground"),
    [
        (["migrant_worker"], "wage_arrears", "migrant worker claiming wages"),
        (["migrant_worker"], "work_injury", "migrant worker claiming wages"),
        (["elderly"], "maintenance", "elderly"),
        (["minor"], "personal_injury", "minor"),
        (["disabled"], "contract", "disabled"),
    ],
)
def test_waiver_ground_comes_from_the_applicants_categories(
    make_case, session, coordinator, categories, cause, ground
):
    case = make_case(
        status="applied",
        cause=cause,
        applicant={"name": "A", "id_number": "110101199003077571", "categories": categories},
    )
    decide_application(session, case, coordinator, approved=True, means_test="waived")
    assert case.status == "accepted" and ground in case.means_test_proof


def test_waiver_without_a_ground_or_proof_is_refused(make_case, session, coordinator):
    case = make_case(
        status="applied",
        cause="contract",
        applicant={"name": "A", "id_number": "110101199003077571", "categories": ["migrant_worker"]},
    )
    with pytest.raises(Invalid) as refused:
        decide_application(session, case, coordinator, approved=True, means_test="waived")
    assert "means_test_proof" in refused.value.fields
    session.rollback()


def test_a_named_proof_is_kept(make_case, session, coordinator):
    case = make_case(status="applied", cause="contract")
    decide_application(
        session,
        case,
        coordinator,
        approved=True,
        means_test="waived",
        means_test_proof="minimum living allowance certificate",
    )
    assert case.means_test_proof == "minimum living allowance certificate"
