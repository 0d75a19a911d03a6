"""Issue 11 item 2: when subsidies are paid to the organisation (SUBSIDY_RULES.payee, DESIGN.md §4), the
organisation's own bank account is the payee's: with one, the subsidy is batched and the bank file carries
it in full; without one, batching refuses it and says why."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from tests.subsidies import page_helpers
from tests.subsidies.page_helpers import EN, fresh, text_of

signed_in = page_helpers.signed_in  # the fixture: signed_in("finance") -> a client signed in with that role

ORG_ACCOUNT = "6217000010098765432"


@pytest.fixture
def paid_to_organisations(app, monkeypatch):
    monkeypatch.setitem(
        app.config, "SUBSIDY_RULES", {**app.config.get("SUBSIDY_RULES", {}), "payee": "organization"}
    )


@pytest.fixture
def organisation_of(session):
    from assignment.models import Organization, Provider

    def get(provider_id: int) -> Organization:
        return session.get(Organization, session.get(Provider, provider_id).organization_id)

    return get


def test_organisation_with_an_account_is_paid_in_full_through_the_pages(
    paid_to_organisations, payable, make_provider_here, organisation_of, session, signed_in, staff
):
    from assignment import panel
    from supervision.subsidies.models import Subsidy

    provider_id = make_provider_here(name="Lawyer Li")
    org = organisation_of(provider_id)
    panel.update_organization(
        session, org, {"bank_account": ORG_ACCOUNT, "bank_name": "农业银行"}, staff("admin")
    )
    session.commit()
    (subsidy_id,) = payable(1, provider_id=provider_id)

    finance = signed_in("finance")
    queue = text_of(finance.get("/finance/subsidies", headers=EN))
    assert f'name="subsidy_ids" value="{subsidy_id}"' in queue
    made = finance.post("/finance/subsidies", data={"subsidy_ids": [str(subsidy_id)], "confirmed": "yes"})
    assert made.status_code == 303
    subsidy = fresh(session, Subsidy, subsidy_id)
    assert subsidy.status == "batched"

    exported = finance.get(f"/finance/batches/{subsidy.batch_id}/export.csv", headers=EN)
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    exported.close()
    assert rows[1][1:4] == [org.name, ORG_ACCOUNT, "农业银行"]
    assert rows[1][8] == "Lawyer Li"  # the handler is still named
    page = text_of(finance.get(f"/finance/batches/{subsidy.batch_id}", headers=EN))
    assert ORG_ACCOUNT not in page and "*" * (len(ORG_ACCOUNT) - 4) + ORG_ACCOUNT[-4:] in page


def test_organisation_account_through_the_api_is_sealed_and_shown_masked(
    app, paid_to_organisations, payable, make_provider_here, session, signed_in, staff, monkeypatch
):
    from cryptography.fernet import Fernet

    from assignment.models import Organization, Provider
    from supervision.subsidies.batches import create_payment_batch
    from supervision.subsidies.exports import batch_rows

    monkeypatch.setitem(app.config, "BANK_ACCOUNT_KEY", Fernet.generate_key().decode())
    admin = signed_in("admin")
    created = admin.post(
        "/api/v1/organizations",
        json={
            "name": "城关律师事务所",
            "kind": "law_firm",
            "bank_account": ORG_ACCOUNT,
            "bank_name": "工商银行",
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["bank_account"] == "*" * 15 + "5432" and body["bank_name"] == "工商银行"
    org = session.get(Organization, body["id"])
    assert org.bank_account_stored.startswith("fernet:") and ORG_ACCOUNT not in org.bank_account_stored
    provider_id = make_provider_here()
    session.get(Provider, provider_id).organization_id = org.id
    session.commit()
    (subsidy_id,) = payable(1, provider_id=provider_id)
    batch = create_payment_batch(session, staff("finance"), [subsidy_id])
    (row,) = list(batch_rows(session, batch, masked=False))
    assert row[1:4] == ["城关律师事务所", ORG_ACCOUNT, "工商银行"]


@pytest.mark.parametrize("missing", ["bank_account", "bank_name", "both"])
def test_organisation_without_an_account_is_refused_with_the_reason(
    paid_to_organisations, payable, make_provider_here, organisation_of, session, signed_in, staff, missing
):
    from assignment import panel
    from legalaid.errors import DomainError
    from supervision.subsidies.batches import create_payment_batch
    from supervision.subsidies.models import Subsidy
    from supervision.subsidies.payees import payee_problems

    provider_id = make_provider_here()
    org = organisation_of(provider_id)
    account = {"bank_account": ORG_ACCOUNT, "bank_name": "农业银行"}
    if missing == "both":
        account = {}
    else:
        account[missing] = ""
    panel.update_organization(session, org, account, staff("admin"))
    session.commit()
    (subsidy_id,) = payable(1, provider_id=provider_id)
    reason = f"the payee is the organisation, and {org.name} has no bank account on the panel"

    assert payee_problems(session, [subsidy_id]) == {subsidy_id: reason}
    with pytest.raises(DomainError) as refused:
        create_payment_batch(session, staff("finance"), [subsidy_id])
    assert refused.value.status == 409 and reason in refused.value.message
    session.rollback()

    finance = signed_in("finance")
    queue = text_of(finance.get("/finance/subsidies", headers=EN))
    assert reason in queue and f'name="subsidy_ids" value="{subsidy_id}"' not in queue
    assert fresh(session, Subsidy, subsidy_id).status == "payable"
    # The API's contract refuses only what is not payable (API.md): named by id, it is batched, and the
    # batch page marks the missing account.
    answer = finance.post("/api/v1/payment-batches", json={"subsidy_ids": [subsidy_id]})
    assert answer.status_code == 201 and fresh(session, Subsidy, subsidy_id).status == "batched"


def test_admin_enters_the_organisations_account_on_its_page_and_it_is_shown_masked(
    as_role, session, paid_to_organisations
):
    from assignment import panel
    from assignment.models import Organization

    admin = as_role("admin")
    created = admin.post(
        "/admin/organizations",
        data={
            "name": "城关法律服务所",
            "kind": "legal_service_office",
            "bank_account": ORG_ACCOUNT,
            "bank_name": "农业银行",
        },
    )
    assert created.status_code in (302, 303)
    org = session.scalars(sa.select(Organization).where(Organization.name == "城关法律服务所")).one()
    assert panel.bank_account_of(org) == ORG_ACCOUNT and org.bank_name == "农业银行"

    page = text_of(admin.get(f"/admin/organizations/{org.id}", headers=EN))
    assert ORG_ACCOUNT not in page and "***************5432" in page
    assert 'id="bank_account"' in page and 'id="bank_name"' in page and 'value="农业银行"' in page
    saved = admin.post(  # an empty account keeps the stored one; the bank is corrected
        f"/admin/organizations/{org.id}",
        data={"name": org.name, "kind": org.kind, "bank_account": "", "bank_name": "中国农业银行"},
    )
    assert saved.status_code in (302, 303)
    session.expire_all()
    assert panel.bank_account_of(org) == ORG_ACCOUNT and org.bank_name == "中国农业银行"
    too_long = admin.post(
        f"/admin/organizations/{org.id}", data={"name": org.name, "kind": org.kind, "bank_account": "6" * 61}
    )
    assert too_long.status_code == 422 and 'class="field-error"' in too_long.get_data(as_text=True)
