"""Keeping the panel after it is made: leave ended early or cancelled, conflicts withdrawn,
organisations and pools edited (DESIGN.md §4 "Pools", §5 "admin")."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from assignment import panel, pools
from assignment.models import PoolMember, PoolScope, ProviderConflict, ProviderLeave, RotationPool
from assignment.rotation import assign_by_rotation, provider_ineligibility
from legalaid import clock
from legalaid.errors import Forbidden, Invalid, NotAllowed, NotFound
from legalaid.models import AuditEntry

TODAY = clock.today()
DAY = dt.timedelta(days=1)


@pytest.fixture
def admin(make_person):
    return make_person("admin")


def audit_actions(session, object_type, object_id):
    return session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.seq)
    ).all()


def _leave(session, provider_id, starts_on, ends_on):
    leave = panel.add_leave(session, panel.get_provider(session, provider_id), starts_on, ends_on, None)
    session.commit()
    return leave


# --- leave ---


def test_leave_ended_early_makes_provider_available_next_day(session, provider_in, make_case, admin):
    provider_id = provider_in()
    leave = _leave(session, provider_id, TODAY - 2 * DAY, TODAY + 10 * DAY)
    case = make_case()
    provider = panel.get_provider(session, provider_id)
    assert provider_ineligibility(session, provider, case, TODAY + DAY) == "on_leave"
    panel.end_leave(session, leave, TODAY, admin)
    session.commit()
    assert provider_ineligibility(session, provider, case, TODAY) == "on_leave"
    assert provider_ineligibility(session, provider, case, TODAY + DAY) is None
    assert session.get(ProviderLeave, leave.id).ends_on == TODAY
    assert audit_actions(session, "provider", provider_id)[-1] == "provider.leave_end"


def test_leave_ended_yesterday_lets_rotation_pick_them_today(
    session, provider_in, make_pool, make_case, admin, coordinator
):
    provider_id = provider_in()
    make_pool([provider_id])
    leave = _leave(session, provider_id, TODAY - 2 * DAY, TODAY + 10 * DAY)
    panel.end_leave(session, leave, TODAY - DAY, admin)
    session.commit()
    assert assign_by_rotation(session, make_case(), coordinator).provider_id == provider_id


def test_future_leave_is_cancelled_by_a_last_day_before_its_start(session, provider_in, admin):
    provider_id = provider_in()
    leave = _leave(session, provider_id, TODAY + 5 * DAY, TODAY + 9 * DAY)
    leave_id = leave.id
    assert panel.end_leave(session, leave, TODAY, admin) is None
    session.commit()
    assert session.get(ProviderLeave, leave_id) is None
    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.object_id, entry.actor_id) == ("provider.leave_cancel", provider_id, admin.id)
    assert entry.before == {"from": (TODAY + 5 * DAY).isoformat(), "to": (TODAY + 9 * DAY).isoformat()}


def test_future_leave_can_be_shortened(session, provider_in, admin):
    leave = _leave(session, provider_in(), TODAY + 5 * DAY, TODAY + 9 * DAY)
    assert panel.end_leave(session, leave, TODAY + 6 * DAY, admin).ends_on == TODAY + 6 * DAY


@pytest.mark.parametrize("last_day", [TODAY + 10 * DAY, TODAY + 11 * DAY])
def test_leave_cannot_be_ended_on_or_after_its_last_day(session, provider_in, admin, last_day):
    leave = _leave(session, provider_in(), TODAY - DAY, TODAY + 10 * DAY)
    with pytest.raises(Invalid) as refused:
        panel.end_leave(session, leave, last_day, admin)
    assert "last_day" in refused.value.fields
    session.rollback()
    assert session.get(ProviderLeave, leave.id).ends_on == TODAY + 10 * DAY


def test_leave_already_over_cannot_be_ended(session, provider_in, admin):
    leave = _leave(session, provider_in(), TODAY - 9 * DAY, TODAY - DAY)
    with pytest.raises(NotAllowed):
        panel.end_leave(session, leave, TODAY - 5 * DAY, admin)


def test_leave_of_another_provider_is_not_found(session, provider_in):
    mine, other = provider_in(), provider_in()
    leave = _leave(session, other, TODAY, TODAY + DAY)
    with pytest.raises(NotFound):
        panel.get_leave(session, panel.get_provider(session, mine), leave.id)


# --- conflicts ---


def test_withdrawn_conflict_no_longer_skips(session, provider_in, make_case, admin):
    provider_id = provider_in()
    provider = panel.get_provider(session, provider_id)
    conflict = panel.declare_conflict(session, provider, "Acme Ltd", admin)
    session.commit()
    case = make_case(opposing_party="Acme Ltd")
    assert provider_ineligibility(session, provider, case, TODAY) == "conflict"
    panel.withdraw_conflict(session, conflict, admin)
    session.commit()
    assert provider_ineligibility(session, provider, case, TODAY) is None
    assert session.scalar(sa.select(sa.func.count()).select_from(ProviderConflict)) == 0
    assert audit_actions(session, "provider", provider_id) == [
        "provider.create",
        "provider.conflict",
        "provider.conflict_withdraw",
    ]


def test_conflict_of_another_provider_is_not_found(session, provider_in):
    mine, other = provider_in(), provider_in()
    conflict = panel.declare_conflict(session, panel.get_provider(session, other), "Acme Ltd", None)
    session.commit()
    with pytest.raises(NotFound):
        panel.get_conflict(session, panel.get_provider(session, mine), conflict.id)


def test_only_admins_and_coordinators_withdraw_conflicts(session, provider_in, make_person):
    provider = panel.get_provider(session, provider_in())
    conflict = panel.declare_conflict(session, provider, "Acme Ltd", None)
    session.commit()
    with pytest.raises(Forbidden):
        panel.withdraw_conflict(session, conflict, make_person("supervisor"))


# --- organisations ---


def test_organization_edit_is_audited(session, admin):
    org = panel.create_organization(session, "Sunrise Law", "law_firm", admin)
    panel.update_organization(
        session, org, {"name": " Sunrise Legal ", "kind": "legal_service_office", "area": "East"}, admin
    )
    session.commit()
    assert (org.name, org.kind, org.area) == ("Sunrise Legal", "legal_service_office", "East")
    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.object_id) == ("organization.update", org.id)
    assert entry.before == {
        "name": "Sunrise Law",
        "kind": "law_firm",
        "area": None,
        "bank_name": None,
        "bank_account": None,
    }


def test_organization_bank_account_is_sealed_audited_masked_and_removable(session, admin):
    """The payee's account when subsidies are paid to organisations: kept like a provider's."""
    org = panel.create_organization(
        session, "Sunrise Law", "law_firm", admin, bank_account=" 6217000010098765432 "
    )
    session.commit()  # audit entries are sealed at commit
    assert panel.bank_account_of(org) == "6217000010098765432"
    created = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert created.after["bank_account"] == "***************5432"
    panel.update_organization(session, org, {"bank_name": " 农业银行 "}, admin)
    session.commit()
    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.after["bank_name"] == "农业银行"
    assert "6217000010098765432" not in str(created.after) + str(entry.before) + str(entry.after)
    panel.update_organization(session, org, {"bank_account": "", "bank_name": None}, admin)
    assert (org.bank_account_stored, org.bank_name) == (None, None)


@pytest.mark.parametrize(
    ("fields", "at_fault"),
    [
        ({"name": "  "}, "name"),
        ({"name": "Other Firm"}, "name"),
        ({"kind": "court"}, "kind"),
        ({"founded": "1990"}, "founded"),
    ],
)
def test_organization_edit_keeps_the_rules_of_creation(session, admin, fields, at_fault):
    panel.create_organization(session, "Other Firm", "law_firm", admin)
    org = panel.create_organization(session, "Sunrise Law", "law_firm", admin)
    with pytest.raises(Invalid) as refused:
        panel.update_organization(session, org, fields, admin)
    assert at_fault in refused.value.fields


def test_organization_may_keep_its_own_name(session, admin):
    org = panel.create_organization(session, "Sunrise Law", "law_firm", admin)
    panel.update_organization(session, org, {"name": "Sunrise Law", "area": "West"}, admin)
    assert org.area == "West"


# --- pools ---


def _scopes(session, pool_id):
    return sorted(
        session.execute(
            sa.select(PoolScope.case_type, PoolScope.area_key).where(PoolScope.pool_id == pool_id)
        ).all()
    )


def test_pool_edit_moves_its_claims_and_is_audited(session, make_pool, admin):
    pool = make_pool(case_types=("civil", "administrative"), name="Civil")
    pools.update_pool(
        session,
        pool,
        {"name": "Civil East", "case_types": ["civil", "non_litigation"], "area": "East"},
        admin,
    )
    session.commit()
    assert (pool.name, pool.case_types, pool.area) == ("Civil East", ["civil", "non_litigation"], "East")
    assert _scopes(session, pool.id) == [("civil", "East"), ("non_litigation", "East")]
    assert audit_actions(session, "rotation_pool", pool.id) == ["pool.create", "pool.update"]
    entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.before["case_types"] == ["administrative", "civil"] and entry.after["area"] == "East"


def test_pool_edit_keeping_a_claim_does_not_meet_itself(session, make_pool, admin):
    pool = make_pool(case_types=("civil",))
    pools.update_pool(session, pool, {"case_types": ["civil", "administrative"]}, admin)
    session.commit()
    assert _scopes(session, pool.id) == [("administrative", ""), ("civil", "")]


def test_pool_edit_that_overlaps_another_pool_is_refused(session, make_pool, admin):
    make_pool(case_types=("criminal",), area="East", name="Criminal East")
    pool = make_pool(case_types=("civil",), name="Civil")
    with pytest.raises(Invalid) as refused:
        pools.update_pool(session, pool, {"case_types": ["civil", "criminal"], "area": "East"}, admin)
    assert "Criminal East" in refused.value.message and "case_types" in refused.value.fields
    session.rollback()
    assert (pool.case_types, pool.area) == (["civil"], None)
    assert _scopes(session, pool.id) == [("civil", "")]


def test_pool_without_area_overlapping_another_without_area_is_refused(session, make_pool, admin):
    make_pool(case_types=("criminal",), name="Criminal")
    pool = make_pool(case_types=("civil",), area="East")
    with pytest.raises(Invalid, match="Criminal"):
        pools.update_pool(session, pool, {"case_types": ["criminal"], "area": None}, admin)


def test_pool_cannot_take_the_name_of_another(session, make_pool, admin):
    make_pool(name="Civil", case_types=("civil",))
    pool = make_pool(name="Criminal", case_types=("criminal",))
    with pytest.raises(Invalid) as refused:
        pools.update_pool(session, pool, {"name": "Civil"}, admin)
    assert "name" in refused.value.fields


def test_pool_cannot_drop_a_kind_its_members_have(session, make_pool, provider_in, admin):
    adviser, lawyer = provider_in("legal_adviser"), provider_in("lawyer")
    pool = make_pool([adviser, lawyer], provider_kinds=("lawyer", "legal_adviser"))
    with pytest.raises(Invalid) as refused:
        pools.update_pool(session, pool, {"provider_kinds": ["lawyer"]}, admin)
    assert "legal_adviser" in refused.value.message and "provider_kinds" in refused.value.fields
    session.rollback()
    assert pool.provider_kinds == ["lawyer", "legal_adviser"]
    pools.remove_pool_member(session, pool, panel.get_provider(session, adviser), admin)
    pools.update_pool(session, pool, {"provider_kinds": ["lawyer"]}, admin)
    session.commit()
    assert pool.provider_kinds == ["lawyer"]


def test_pool_edit_keeps_members_and_their_places(session, make_pool, lawyers, make_case, coordinator, admin):
    ids = lawyers(3)
    pool = make_pool(ids)
    for _ in range(2):
        assign_by_rotation(session, make_case(), coordinator)
    session.commit()

    def places():
        members = sa.select(PoolMember.provider_id, PoolMember.weight, PoolMember.offset, PoolMember.turns)
        rows = session.execute(members.where(PoolMember.pool_id == pool.id).order_by(PoolMember.provider_id))
        return rows.all(), session.scalar(sa.select(RotationPool.clock).where(RotationPool.id == pool.id))

    before = places()
    pools.update_pool(session, pool, {"name": "Renamed", "case_types": ["civil", "administrative"]}, admin)
    session.commit()
    assert places() == before
    assert assign_by_rotation(session, make_case(), coordinator).provider_id == ids[2]


@pytest.mark.parametrize(
    ("fields", "at_fault"),
    [
        ({"name": ""}, "name"),
        ({"case_types": []}, "case_types"),
        ({"case_types": ["tax"]}, "case_types"),
        ({"provider_kinds": ["judge"]}, "provider_kinds"),
        ({"clock": 0}, "clock"),
    ],
)
def test_pool_edit_keeps_the_rules_of_creation(session, make_pool, admin, fields, at_fault):
    pool = make_pool()
    with pytest.raises(Invalid) as refused:
        pools.update_pool(session, pool, fields, admin)
    assert at_fault in refused.value.fields


def test_only_admins_edit_pools(session, make_pool, coordinator):
    pool = make_pool()
    with pytest.raises(Forbidden):
        pools.update_pool(session, pool, {"name": "Mine"}, coordinator)
    assert session.get(RotationPool, pool.id).name != "Mine"


def test_a_pool_claim_lost_to_another_admin_at_the_last_moment_is_a_422(
    session, make_pool, admin, monkeypatch, as_role
):
    """Two admins creating overlapping pools at once both pass the overlap check; the scope's unique
    key stops the second, which must answer as a refusal (422), not a server error."""
    make_pool(case_types=("civil",), name="Civil")
    checked = pools._checked_pool_fields

    def without_overlap_check(session, name, case_types, provider_kinds, area, pool=None):
        return checked(session, name, ["administrative"], provider_kinds, area, pool) | {
            "case_types": sorted(case_types)
        }

    monkeypatch.setattr(pools, "_checked_pool_fields", without_overlap_check)
    with pytest.raises(Invalid) as refused:
        pools.create_pool(session, "Civil again", ["civil"], ["lawyer"], admin)
    assert "case_types" in refused.value.fields
    session.rollback()
    response = as_role("admin").post(
        "/api/v1/pools", json={"name": "Civil too", "case_types": ["civil"], "provider_kinds": ["lawyer"]}
    )
    assert response.status_code == 422, response.get_json()
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(RotationPool)) == 1


def test_a_provider_cannot_become_a_kind_their_pool_refuses(session, make_pool, provider_in, admin):
    lawyer = provider_in("lawyer")
    make_pool([lawyer], provider_kinds=("lawyer",), name="Lawyers only")
    provider = panel.get_provider(session, lawyer)
    with pytest.raises(Invalid) as refused:
        panel.update_provider(session, provider, {"kind": "legal_adviser"}, admin)
    assert "Lawyers only" in refused.value.message and "kind" in refused.value.fields
    session.rollback()
    assert panel.get_provider(session, lawyer).kind == "lawyer"


def test_an_organisation_area_is_kept_without_surrounding_spaces(session, admin):
    org = panel.create_organization(session, "Firm with area", "law_firm", admin, area="  East  ")
    assert org.area == "East"
