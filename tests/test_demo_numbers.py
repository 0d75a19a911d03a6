"""Demo cases take their numbers from the intake's counter, so a case registered afterwards never
collides with one (the unique year / type / sequence)."""

import random

import sqlalchemy as sa

from assignment.intake import register_case
from assignment.models import Case
from legalaid import clock


def test_cases_made_by_the_demos_leave_the_counter_right(session, make_provider, make_person):
    from assignment.demo import cases_in_progress

    make_provider()
    coordinator = make_person("coordinator")
    cases_in_progress(session, random.Random(1), 3, coordinator, case_types=("civil", "criminal"))
    cases_in_progress(session, random.Random(2), 6, coordinator, case_types=("civil", "criminal"))
    session.commit()
    for case_type, cause in (("civil", "contract"), ("criminal", "theft")):
        register_case(
            session,
            {
                "case_type": case_type,
                "cause": cause,
                "received_on": clock.today(),
                "applicant": {"name": "A", "id_number": "110101199003077571"},
            },
            coordinator,
        )
    session.commit()
    numbers = session.scalars(sa.select(Case.number)).all()
    keys = session.execute(sa.select(Case.year, Case.case_type, Case.seq)).all()
    # 3 from the scheduling demo, 3 more topped up by the scoring demo (it reuses cases in progress), 2 new.
    assert len(numbers) == 8 and len(set(numbers)) == 8 and len(set(keys)) == 8
