"""Admin pages of the panel: organisations, providers, leave, conflicts, pools, CSV import."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from assignment.models import (
    Organization,
    PoolMember,
    Provider,
    ProviderConflict,
    ProviderLeave,
    RotationPool,
)
from legalaid import clock
from legalaid.db import db
from legalaid.models import AuditEntry

PROVIDER = {
    "name": "Zhang Wei",
    "kind": "lawyer",
    "practice_since": "2015-03-01",
    "max_open_cases": "8",
    "prior_legal_aid_cases": "0",
    "active": "y",
    "specialties": "labour; family",
    "bank_account": "6222020200112233445",
}


def test_admin_adds_organisation_and_provider_with_masked_account(as_role, last):
    admin = as_role("admin")
    assert admin.post(
        "/admin/organizations", data={"name": "Sunrise Law", "kind": "law_firm"}
    ).status_code in (
        302,
        303,
    )
    org_id = last(Organization)["id"]
    response = admin.post("/admin/providers", data={**PROVIDER, "organization_id": str(org_id)})
    assert response.status_code in (302, 303)
    provider = last(Provider)
    assert (provider["max_open_cases"], provider["specialties"]) == (8, ["labour", "family"])
    for url in ("/admin/providers", f"/admin/providers/{provider['id']}"):
        html = admin.get(url).get_data(as_text=True)
        assert "***************3445" in html and "6222020200112233445" not in html


def test_bad_provider_is_422_and_saves_nothing(as_role, make_organization, count):
    admin = as_role("admin")
    org = make_organization()
    response = admin.post(
        "/admin/providers",
        data={**PROVIDER, "organization_id": str(org), "max_open_cases": "0", "email": "x@"},
    )
    assert response.status_code == 422
    assert count(Provider) == 0


def test_admin_deactivates_and_changes_cap_keeping_the_account(as_role, make_provider, read):
    admin = as_role("admin")
    provider_id = make_provider(bank_account_stored="6222020200112233445")
    provider = read(Provider, provider_id)
    data = {
        **PROVIDER,
        "organization_id": str(provider["organization_id"]),
        "max_open_cases": "3",
        "bank_account": "",
    }
    data.pop("active")
    assert admin.post(f"/admin/providers/{provider_id}", data=data).status_code in (302, 303)
    provider = read(Provider, provider_id)
    assert (provider["active"], provider["max_open_cases"]) == (False, 3)
    assert provider["bank_account_stored"] == "6222020200112233445"


def test_leave_and_conflicts(as_role, make_provider, count):
    admin = as_role("admin")
    provider_id = make_provider()
    bad = admin.post(
        f"/admin/providers/{provider_id}/leave",
        data={"leave-starts_on": "2026-05-10", "leave-ends_on": "2026-05-01"},
    )
    assert bad.status_code == 422 and count(ProviderLeave) == 0
    admin.post(
        f"/admin/providers/{provider_id}/leave",
        data={"leave-starts_on": "2026-05-01", "leave-ends_on": "2026-05-10"},
    )
    admin.post(f"/admin/providers/{provider_id}/conflicts", data={"conflict-party_name": "Acme Ltd"})
    assert (count(ProviderLeave), count(ProviderConflict)) == (1, 1)
    html = admin.get(f"/admin/providers/{provider_id}").get_data(as_text=True)
    assert "2026-05-01" in html and "Acme Ltd" in html


def test_pools_with_weighted_members(as_role, make_provider, read, last, count):
    admin = as_role("admin")
    provider_id = make_provider()
    response = admin.post(
        "/admin/pools", data={"name": "Civil", "case_types": ["civil"], "provider_kinds": ["lawyer"]}
    )
    assert response.status_code in (302, 303)
    overlapping = admin.post(
        "/admin/pools", data={"name": "Civil 2", "case_types": ["civil"], "provider_kinds": ["lawyer"]}
    )
    assert overlapping.status_code == 422 and count(RotationPool) == 1
    pool_id = last(RotationPool)["id"]
    admin.post(f"/admin/pools/{pool_id}", data={"provider_id": str(provider_id), "weight": "0.5"})
    assert read(PoolMember, (pool_id, provider_id))["weight"] == 0.5
    negative = admin.post(f"/admin/pools/{pool_id}", data={"provider_id": str(provider_id), "weight": "-1"})
    assert negative.status_code == 422 and read(PoolMember, (pool_id, provider_id))["weight"] == 0.5
    admin.post(f"/admin/pools/{pool_id}/members/{provider_id}/remove", data={"confirmed": "yes"})
    assert count(PoolMember) == 0


CSV_HEADER = "name,kind,organization,practice_since,max_open_cases,pools\n"


def _upload(client, text):
    return client.post(
        "/admin/panel-import",
        data={"file": (io.BytesIO(text.encode()), "panel.csv")},
        content_type="multipart/form-data",
    )


def test_csv_import(as_role, count):
    admin = as_role("admin")
    response = _upload(
        admin,
        CSV_HEADER + "Li Na,lawyer,Sunrise Law,2010-01-01,5,\nHe Yu,legal_adviser,Town Office,2018-06-01,,\n",
    )
    assert response.status_code in (302, 303)
    assert (count(Provider), count(Organization)) == (2, 2)


def test_csv_import_reports_every_bad_row_and_imports_nothing(as_role, count):
    admin = as_role("admin")
    text = (
        CSV_HEADER
        + "Li Na,lawyer,Sunrise Law,2010-01-01,5,\nBad,judge,X,2010-13-01,five,\n,lawyer,Y,2010-01-01,,Nope\n"
    )
    response = _upload(admin, text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Line 3" in html and "Line 4" in html and "In practice since must be a date" in html
    assert "no pool named" in html
    assert count(Provider) == 0 and count(Organization) == 0


def test_csv_import_without_a_file_or_with_binary_is_422(as_role):
    admin = as_role("admin")
    assert admin.post("/admin/panel-import", data={}).status_code == 422
    binary = admin.post(
        "/admin/panel-import",
        data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert binary.status_code == 422


def test_panel_pages_are_for_admins(as_role):
    coordinator = as_role("coordinator")
    for url in ("/admin/providers", "/admin/organizations", "/admin/pools", "/admin/panel-import"):
        assert coordinator.get(url).status_code == 403
    assert coordinator.post("/admin/organizations", data={"name": "X", "kind": "law_firm"}).status_code == 403


# --- keeping the panel: leave ended or cancelled, conflicts withdrawn, organisations and pools edited ---

TODAY = clock.today()
DAY = dt.timedelta(days=1)


@pytest.fixture
def audit_actions(app):
    """audit_actions() -> every audit action so far, in chain order."""

    def run():
        with app.app_context():
            return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)).all()

    return run


def _record_leave(admin, last, provider_id, starts_on, ends_on):
    response = admin.post(
        f"/admin/providers/{provider_id}/leave",
        data={"leave-starts_on": starts_on.isoformat(), "leave-ends_on": ends_on.isoformat()},
    )
    assert response.status_code in (302, 303)
    return last(ProviderLeave)["id"]


def test_admin_ends_a_current_leave_early(as_role, make_provider, read, last, audit_actions):
    admin = as_role("admin")
    provider_id = make_provider()
    leave_id = _record_leave(admin, last, provider_id, TODAY - 2 * DAY, TODAY + 10 * DAY)
    page = admin.get(f"/admin/providers/{provider_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'id="end-leave-{leave_id}"' in html
    assert f'name="end-{leave_id}-last_day" required type="date" value="{TODAY.isoformat()}"' in html
    response = admin.post(
        f"/admin/providers/{provider_id}/leave/{leave_id}/end",
        data={f"end-{leave_id}-last_day": TODAY.isoformat(), "confirmed": "yes"},
    )
    assert response.status_code in (302, 303)
    assert read(ProviderLeave, leave_id)["ends_on"] == TODAY
    assert audit_actions()[-1] == "provider.leave_end"
    html = admin.get(response.location).get_data(as_text=True)
    assert f"Leave now ends on {TODAY.isoformat()}" in html


def test_admin_cancels_a_leave_that_has_not_started(as_role, make_provider, read, last, audit_actions):
    admin = as_role("admin")
    provider_id = make_provider()
    leave_id = _record_leave(admin, last, provider_id, TODAY + 5 * DAY, TODAY + 9 * DAY)
    html = admin.get(f"/admin/providers/{provider_id}").get_data(as_text=True)
    assert "Shorten or cancel" in html
    response = admin.post(
        f"/admin/providers/{provider_id}/leave/{leave_id}/end",
        data={f"end-{leave_id}-last_day": TODAY.isoformat(), "confirmed": "yes"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Leave cancelled." in html and "No leave recorded." in html
    assert read(ProviderLeave, leave_id) is None
    assert audit_actions()[-1] == "provider.leave_cancel"


def test_past_leave_has_no_end_form(as_role, make_provider, last):
    admin = as_role("admin")
    provider_id = make_provider()
    leave_id = _record_leave(admin, last, provider_id, TODAY - 9 * DAY, TODAY - DAY)
    html = admin.get(f"/admin/providers/{provider_id}").get_data(as_text=True)
    assert (TODAY - DAY).isoformat() in html and f"end-leave-{leave_id}" not in html


@pytest.mark.parametrize("last_day", ["", "not a date", (TODAY + 10 * DAY).isoformat()])
def test_bad_last_day_is_422_and_changes_nothing(as_role, make_provider, read, last, last_day):
    admin = as_role("admin")
    provider_id = make_provider()
    leave_id = _record_leave(admin, last, provider_id, TODAY - DAY, TODAY + 10 * DAY)
    response = admin.post(
        f"/admin/providers/{provider_id}/leave/{leave_id}/end",
        data={f"end-{leave_id}-last_day": last_day, "confirmed": "yes"},
    )
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert read(ProviderLeave, leave_id)["ends_on"] == TODAY + 10 * DAY


def test_leave_of_another_provider_is_404(as_role, make_provider, read, last):
    admin = as_role("admin")
    mine, other = make_provider(), make_provider()
    leave_id = _record_leave(admin, last, other, TODAY, TODAY + 5 * DAY)
    response = admin.post(
        f"/admin/providers/{mine}/leave/{leave_id}/end",
        data={f"end-{leave_id}-last_day": TODAY.isoformat(), "confirmed": "yes"},
    )
    assert response.status_code == 404
    assert read(ProviderLeave, leave_id)["ends_on"] == TODAY + 5 * DAY


def test_admin_withdraws_a_conflict(as_role, make_provider, last, count, audit_actions):
    admin = as_role("admin")
    provider_id = make_provider()
    admin.post(f"/admin/providers/{provider_id}/conflicts", data={"conflict-party_name": "Acme Ltd"})
    conflict_id = last(ProviderConflict)["id"]
    html = admin.get(f"/admin/providers/{provider_id}").get_data(as_text=True)
    assert f'id="withdraw-conflict-{conflict_id}"' in html
    response = admin.post(
        f"/admin/providers/{provider_id}/conflicts/{conflict_id}/withdraw",
        data={"confirmed": "yes"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Conflict with Acme Ltd withdrawn." in html
    assert "No conflict declared." in html
    assert count(ProviderConflict) == 0 and audit_actions()[-1] == "provider.conflict_withdraw"


def test_conflict_of_another_provider_is_404(as_role, make_provider, last, count):
    admin = as_role("admin")
    mine, other = make_provider(), make_provider()
    admin.post(f"/admin/providers/{other}/conflicts", data={"conflict-party_name": "Acme Ltd"})
    conflict_id = last(ProviderConflict)["id"]
    assert admin.post(f"/admin/providers/{mine}/conflicts/{conflict_id}/withdraw").status_code == 404
    assert admin.post(f"/admin/providers/{other}/conflicts/{conflict_id + 1}/withdraw").status_code == 404
    assert count(ProviderConflict) == 1


def test_admin_edits_an_organisation(as_role, make_organization, read, audit_actions):
    admin = as_role("admin")
    org_id = make_organization(name="Sunrise Law")
    assert f'href="/admin/organizations/{org_id}"' in admin.get("/admin/organizations").get_data(as_text=True)
    page = admin.get(f"/admin/organizations/{org_id}")
    assert page.status_code == 200 and 'value="Sunrise Law"' in page.get_data(as_text=True)
    response = admin.post(
        f"/admin/organizations/{org_id}",
        data={"name": "Sunrise Legal", "kind": "legal_service_office", "area": "East"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Organisation Sunrise Legal saved." in response.get_data(
        as_text=True
    )
    org = read(Organization, org_id)
    assert (org["name"], org["kind"], org["area"]) == ("Sunrise Legal", "legal_service_office", "East")
    assert audit_actions()[-1] == "organization.update"


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "kind": "law_firm"},
        {"name": "Other Firm", "kind": "law_firm"},  # taken
        {"name": "Sunrise Law", "kind": "court"},
    ],
)
def test_bad_organisation_edit_is_422_and_changes_nothing(as_role, make_organization, read, data):
    admin = as_role("admin")
    make_organization(name="Other Firm")
    org_id = make_organization(name="Sunrise Law", area="West")
    response = admin.post(f"/admin/organizations/{org_id}", data=data)
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    org = read(Organization, org_id)
    assert (org["name"], org["kind"], org["area"]) == ("Sunrise Law", "law_firm", "West")


def _new_pool(admin, last, **data):
    response = admin.post("/admin/pools", data={"provider_kinds": ["lawyer"], **data})
    assert response.status_code in (302, 303)
    return last(RotationPool)["id"]


def test_admin_edits_a_pool(as_role, read, last, audit_actions):
    admin = as_role("admin")
    pool_id = _new_pool(admin, last, name="Civil", case_types=["civil"])
    html = admin.get(f"/admin/pools/{pool_id}").get_data(as_text=True)
    assert 'id="pool-settings-form"' in html and 'value="Civil"' in html
    assert '<input checked id="settings-case_types-1"' in html  # civil
    response = admin.post(
        f"/admin/pools/{pool_id}/settings",
        data={
            "settings-name": "Civil East",
            "settings-case_types": ["civil", "administrative"],
            "settings-provider_kinds": ["lawyer", "legal_adviser"],
            "settings-area": "East",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Pool Civil East saved." in response.get_data(as_text=True)
    pool = read(RotationPool, pool_id)
    assert (pool["name"], pool["case_types"], pool["provider_kinds"], pool["area"]) == (
        "Civil East",
        ["administrative", "civil"],
        ["lawyer", "legal_adviser"],
        "East",
    )
    assert audit_actions()[-1] == "pool.update"


def test_pool_edit_that_overlaps_another_pool_is_422_naming_it(as_role, read, last):
    admin = as_role("admin")
    _new_pool(admin, last, name="Criminal", case_types=["criminal"])
    pool_id = _new_pool(admin, last, name="Civil", case_types=["civil"])
    response = admin.post(
        f"/admin/pools/{pool_id}/settings",
        data={
            "settings-name": "Civil",
            "settings-case_types": ["civil", "criminal"],
            "settings-provider_kinds": ["lawyer"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "The pool Criminal already serves criminal cases" in html
    assert read(RotationPool, pool_id)["case_types"] == ["civil"]


def test_pool_cannot_drop_a_kind_its_members_have_on_the_page(as_role, make_provider, read, last):
    admin = as_role("admin")
    pool_id = _new_pool(
        admin, last, name="Civil", case_types=["civil"], provider_kinds=["lawyer", "legal_adviser"]
    )
    adviser = make_provider(kind="legal_adviser")
    admin.post(f"/admin/pools/{pool_id}", data={"provider_id": str(adviser), "weight": "1"})
    response = admin.post(
        f"/admin/pools/{pool_id}/settings",
        data={
            "settings-name": "Civil",
            "settings-case_types": ["civil"],
            "settings-provider_kinds": ["lawyer"],
        },
    )
    assert response.status_code == 422 and "legal_adviser" in response.get_data(as_text=True)
    assert read(RotationPool, pool_id)["provider_kinds"] == ["lawyer", "legal_adviser"]


def test_pool_settings_without_a_case_type_are_422(as_role, read, last):
    admin = as_role("admin")
    pool_id = _new_pool(admin, last, name="Civil", case_types=["civil"])
    response = admin.post(
        f"/admin/pools/{pool_id}/settings",
        data={"settings-name": "Renamed", "settings-provider_kinds": ["lawyer"]},
    )
    assert response.status_code == 422
    assert read(RotationPool, pool_id)["name"] == "Civil"


def test_new_panel_pages_are_for_admins(as_role, make_provider, make_organization, last, count):
    admin = as_role("admin")
    provider_id = make_provider()
    leave_id = _record_leave(admin, last, provider_id, TODAY, TODAY + 5 * DAY)
    admin.post(f"/admin/providers/{provider_id}/conflicts", data={"conflict-party_name": "Acme Ltd"})
    conflict_id = last(ProviderConflict)["id"]
    org_id = make_organization(name="Sunrise Law")
    pool_id = _new_pool(admin, last, name="Civil", case_types=["civil"])
    coordinator = as_role("coordinator")
    assert coordinator.get(f"/admin/organizations/{org_id}").status_code == 403
    posts = {
        f"/admin/providers/{provider_id}/leave/{leave_id}/end": {
            f"end-{leave_id}-last_day": TODAY.isoformat()
        },
        f"/admin/providers/{provider_id}/conflicts/{conflict_id}/withdraw": {},
        f"/admin/organizations/{org_id}": {"name": "Mine", "kind": "law_firm"},
        f"/admin/pools/{pool_id}/settings": {
            "settings-name": "Mine",
            "settings-case_types": ["civil"],
            "settings-provider_kinds": ["lawyer"],
        },
    }
    for url, data in posts.items():
        assert coordinator.post(url, data=data).status_code == 403
    assert (count(ProviderLeave), count(ProviderConflict)) == (1, 1)
    assert last(Organization)["name"] == "Sunrise Law" and last(RotationPool)["name"] == "Civil"


def test_unknown_organisation_and_pool_are_404(as_role):
    admin = as_role("admin")
    assert admin.get("/admin/organizations/999999").status_code == 404
    assert admin.post("/admin/pools/999999/settings", data={}).status_code == 404


def test_a_pools_members_are_paged(app, as_role, make_pool):
    """A province's pool holds thousands: its page lists one page of members and links to the next."""
    pool_id, ids = make_pool(n=3)
    app.config["LIST_PAGE_SIZE"] = 2
    admin = as_role("admin")
    first = admin.get(f"/admin/pools/{pool_id}").get_data(as_text=True)
    assert f"/admin/providers/{ids[0]}" in first and f"/admin/providers/{ids[2]}" not in first
    assert 'id="members-next"' in first and "members_page=2" in first
    second = admin.get(f"/admin/pools/{pool_id}?members_page=2").get_data(as_text=True)
    assert f"/admin/providers/{ids[2]}" in second and f"/admin/providers/{ids[0]}" not in second
    assert admin.get(f"/admin/pools/{pool_id}?members_page=abc").status_code in (200, 400)
