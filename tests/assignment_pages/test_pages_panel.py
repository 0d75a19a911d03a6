"""Admin pages of the panel: organisations, providers, leave, conflicts, pools, CSV import."""

from __future__ import annotations

import io

from assignment.models import (
    Organization,
    PoolMember,
    Provider,
    ProviderConflict,
    ProviderLeave,
    RotationPool,
)

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
    admin.post(f"/admin/pools/{pool_id}/members/{provider_id}/remove")
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
    assert "row 3" in html and "row 4" in html and "practice_since must be a date" in html
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
