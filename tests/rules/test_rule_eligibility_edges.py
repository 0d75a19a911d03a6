"""Who may take a case at the edges the mutation run found unpinned (issue 12, bench/MUTATION.md): a case
with no named party at all (a conflict cannot match, and nobody is passed over for one)."""

from __future__ import annotations

from assignment.models import Organization, ProviderConflict
from assignment.rotation import provider_ineligibility
from legalaid import clock
from tests.rules.builders import _provider


def test_a_case_without_a_named_party_passes_nobody_over_for_a_conflict(session, make_case_at):
    case = make_case_at(session, "accepted", columns={"applicant_name": "   ", "opposing_party": None})
    free, declared = _provider(session, "Free"), _provider(session, "Declared")
    session.add(ProviderConflict(provider_id=declared.id, party_name=""))
    session.flush()
    assert provider_ineligibility(session, free, case, clock.today()) is None
    assert provider_ineligibility(session, declared, case, clock.today()) is None


def test_a_case_goes_to_the_pool_of_its_intake_area_before_the_pool_without_one(session, make_case_at):
    """DESIGN.md §4 "Pools": a pool without an area serves only the areas no other pool claims."""
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import assign_by_rotation, pool_for_case

    general = create_pool(session, "Civil, anywhere", ["civil"], ["lawyer"], None)
    local = create_pool(session, "Civil, Lakeside", ["civil"], ["lawyer"], None, area="Lakeside")
    for pool in (general, local):
        set_pool_member(session, pool, _provider(session, f"Member of {pool.name}"), None)
    session.flush()
    for area, pool in (("Lakeside", local), ("Hillside", general), (None, general)):
        case = make_case_at(session, "accepted", intake={"intake_point": area} if area else None)
        assert pool_for_case(session, case).id == pool.id, area
        assert assign_by_rotation(session, case, None).pool_id == pool.id, area


def test_the_rotation_passes_over_the_opposing_partys_organisation(session, make_case_at):
    """Through ``assign_by_rotation`` (which reads the linked cases with the pool), not only through
    ``provider_ineligibility``: first in line is a colleague of the other party's provider."""
    from assignment.models import Assignment
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import assign_by_rotation

    firm = Organization(name="Opposing firm", kind="law_firm")
    theirs, colleague, stranger = (_provider(session, name) for name in ("Theirs", "Colleague", "Stranger"))
    theirs.organization = colleague.organization = firm
    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    for member in (colleague, stranger):  # colleague first: ties go to the lowest id
        set_pool_member(session, pool, member, None)
    opposing = make_case_at(session, "accepted")
    session.add(
        Assignment(
            case_id=opposing.id,
            provider_id=theirs.id,
            mode="designated",
            status="accepted",
            live=True,
            assigned_at=clock.now(),
            respond_by=clock.now(),
            explanation={},
        )
    )
    session.flush()
    ours = make_case_at(session, "accepted", intake={"opposing_case_id": opposing.id})
    assert assign_by_rotation(session, ours, None).provider_id == stranger.id


def test_only_the_other_partys_live_provider_makes_an_opposing_organisation(session, make_case_at):
    """The firm of whoever now acts on the linked case; not a firm that declined it, nor a firm acting
    on some unrelated case."""
    from assignment.models import Assignment

    def acting(case, provider, live):
        session.add(
            Assignment(
                case_id=case.id,
                provider_id=provider.id,
                mode="rotation",
                status="accepted" if live else "declined",
                live=live,
                assigned_at=clock.now(),
                respond_by=clock.now(),
                explanation={},
            )
        )

    declined, unrelated, acts = (_provider(session, name) for name in ("Declined", "Unrelated", "Acts"))
    opposing, elsewhere = make_case_at(session, "accepted"), make_case_at(session, "accepted")
    acting(opposing, declined, live=False)
    acting(elsewhere, unrelated, live=True)
    acting(opposing, acts, live=True)
    session.flush()
    ours = make_case_at(session, "accepted", intake={"opposing_case_id": opposing.id})
    colleagues = {}
    for firm_of in (declined, unrelated, acts):
        colleague = _provider(session, f"Colleague of {firm_of.name}")
        colleague.organization = firm_of.organization
        colleagues[firm_of.name] = colleague
    session.flush()
    why = {name: provider_ineligibility(session, p, ours, clock.today()) for name, p in colleagues.items()}
    assert why == {"Declined": None, "Unrelated": None, "Acts": "opposing_organization"}
