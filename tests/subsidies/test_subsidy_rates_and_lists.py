"""Issue 11 (items 3, 12 and 8) for subsidies and finance, through the pages and the API: money typed
in yuan and rates corrected or withdrawn, the subsidy lists paged, sorted and filtered, and every
destructive or money-moving action asking first."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from legalaid import clock
from tests.subsidies import page_helpers
from tests.subsidies.page_helpers import EN, TODAY, asked_first, fresh, text_of

signed_in = page_helpers.signed_in  # the fixture: signed_in("finance") -> a client signed in with that role


# --- issue 11 item 3: money typed in yuan; rates corrected and withdrawn ---


def _rate_id(session, **where):
    from supervision.subsidies.models import SubsidyRate

    session.expire_all()
    found = session.scalar(sa.select(SubsidyRate.id).filter_by(**where))
    session.commit()
    return found


RATE = {"case_type": "civil", "stage": "", "provider_kind": "lawyer", "effective_from": "2030-01-01"}


@pytest.mark.parametrize(
    ("typed", "fen"), [("1500", 150000), ("1,500.5", 150050), ("¥1200.05", 120005), ("0", 0)]
)
def test_rates_are_typed_in_yuan(typed, fen, signed_in, session):
    from supervision.subsidies.models import SubsidyRate

    admin = signed_in("admin")
    added = admin.post("/admin/subsidy-rates", data={**RATE, "amount": typed})
    assert added.status_code == 303
    rate = fresh(session, SubsidyRate, _rate_id(session, effective_from=clock.today().replace(2030, 1, 1)))
    assert rate.amount_fen == fen
    page = text_of(admin.get("/admin/subsidy-rates", headers=EN))
    assert (
        "Amount (yuan)" in page and "Amount (fen)" not in page and ">Civil<" in page and ">civil<" not in page
    )


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("12.345", "At most two decimals"),
        ("abc", "Type an amount in yuan"),
        ("-5", "cannot be negative"),
        ("", "Type the amount in yuan"),
        ("1e30", "far too large"),
    ],
)
def test_a_mistyped_amount_is_refused_in_words(typed, said, signed_in, session):
    admin = signed_in("admin")
    page = text_of(admin.post("/admin/subsidy-rates", data={**RATE, "amount": typed}, headers=EN))
    assert said in page and "amount_fen" not in page
    assert _rate_id(session, effective_from=clock.today().replace(2030, 1, 1)) is None


def test_an_unused_rate_is_corrected_or_withdrawn_a_used_one_is_not(payable, signed_in, session):
    from legalaid.models import AuditEntry
    from supervision.subsidies.models import SubsidyRate

    admin = signed_in("admin")
    assert admin.post("/admin/subsidy-rates", data={**RATE, "amount": "15"}).status_code == 303
    mistaken = _rate_id(session, effective_from=clock.today().replace(2030, 1, 1))
    corrected = admin.post(
        f"/admin/subsidy-rates/{mistaken}",
        data={
            f"r{mistaken}-effective_from": "2030-02-01",
            f"r{mistaken}-amount": "1500",
            f"r{mistaken}-note": "typo",
        },
    )
    assert corrected.status_code == 303
    rate = fresh(session, SubsidyRate, mistaken)
    assert (rate.amount_fen, rate.effective_from.isoformat(), rate.note) == (150000, "2030-02-01", "typo")

    asked = admin.post(f"/admin/subsidy-rates/{mistaken}/withdraw", headers=EN)
    assert asked_first(asked) and "Withdraw this rate?" in asked.get_data(as_text=True)
    assert fresh(session, SubsidyRate, mistaken) is not None
    assert (
        admin.post(f"/admin/subsidy-rates/{mistaken}/withdraw", data={"confirmed": "yes"}).status_code == 303
    )
    assert fresh(session, SubsidyRate, mistaken) is None

    payable(1)  # computed with the default civil lawyer rate: now in use
    used = _rate_id(session, case_type="civil", provider_kind="lawyer", stage="")
    page = text_of(admin.get("/admin/subsidy-rates", headers=EN))
    assert f'id="withdraw-{used}"' not in page and "in use" in page
    refused = admin.post(
        f"/admin/subsidy-rates/{used}/withdraw", data={"confirmed": "yes"}, headers=EN, follow_redirects=True
    )
    assert "already computed with this rate" in text_of(refused)
    assert fresh(session, SubsidyRate, used).amount_fen == 120000
    session.expire_all()
    actions = set(
        session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("subsidy_rate.%")))
    )
    assert {"subsidy_rate.add", "subsidy_rate.correct", "subsidy_rate.withdraw"} <= actions


# --- issue 11 item 12: the supervisor's subsidy list is paged, sorted and filtered ---


def test_subsidy_list_is_paged_sorted_and_filtered(
    make_case, make_provider_here, payable, signed_in, session
):
    zhang = make_provider_here(name="Lawyer Zhang")
    for _ in range(55):
        make_case(score_final=False)
    payable(2, provider_id=zhang)
    supervisor = signed_in("supervisor")

    first = text_of(supervisor.get("/supervision/subsidies", headers=EN))
    assert (
        first.count("<tr data-subsidy=") == 50
        and "57 subsidies match" in first
        and 'id="subsidies-next"' in first
    )
    second = text_of(supervisor.get("/supervision/subsidies?page=2", headers=EN))
    assert second.count("<tr data-subsidy=") == 7

    filtered = text_of(supervisor.get("/supervision/subsidies?status=payable&q=zhang", headers=EN))
    assert filtered.count("<tr data-subsidy=") == 2 and "Lawyer Zhang" in filtered
    by_amount = text_of(supervisor.get("/supervision/subsidies?sort=-amount", headers=EN))
    assert by_amount.index("¥1,320.00") < by_amount.index(
        "<tr data-subsidy=", by_amount.index("¥1,320.00") + 1
    )
    assert 'aria-sort="descending"' in by_amount

    api = supervisor.get("/api/v1/subsidies?q=Zhang&sort=-id&per_page=1").get_json()
    assert api["total"] == 2 and len(api["items"]) == 1
    assert supervisor.get("/api/v1/subsidies?sort=nonsense").status_code == 422
    period = supervisor.get(
        f"/api/v1/subsidies?archived_from={TODAY.isoformat()}&archived_to={TODAY.isoformat()}"
    )
    assert period.get_json()["total"] == 2


# --- issue 11 item 8: ask first ---


def test_money_moving_and_destructive_actions_ask_first(payable, make_case, signed_in, session):
    from assignment.models import Case
    from supervision.subsidies.models import PaymentBatch, Subsidy

    ids = payable(3)
    finance = signed_in("finance")
    asked = finance.post("/finance/subsidies", data={"subsidy_ids": [str(i) for i in ids[:2]]}, headers=EN)
    assert asked_first(asked) and "2 subsidies chosen" in asked.get_data(as_text=True)
    assert [fresh(session, Subsidy, i).status for i in ids] == ["payable"] * 3
    batch = finance.post("/api/v1/payment-batches", json={"subsidy_ids": ids[:2]}).get_json()["id"]

    confirm = {"bank_reference": "B-9", "paid_on": TODAY.isoformat()}
    asked = finance.post(f"/finance/batches/{batch}/confirm", data=confirm, headers=EN)
    assert (
        asked_first(asked)
        and "Payment batch" in asked.get_data(as_text=True)
        and "¥2,640.00" in asked.get_data(as_text=True)
    )
    assert asked_first(finance.post(f"/finance/batches/{batch}/cancel", headers=EN))
    assert fresh(session, PaymentBatch, batch).status == "open"
    assert finance.post(f"/finance/batches/{batch}/cancel", data={"confirmed": "yes"}).status_code == 303
    assert fresh(session, PaymentBatch, batch).status == "cancelled"

    supervisor = signed_in("supervisor")
    asked = supervisor.post(f"/supervision/subsidies/{ids[2]}/hold", data={"reason": "complaint"}, headers=EN)
    assert asked_first(asked) and "Hold this subsidy?" in asked.get_data(as_text=True)
    assert fresh(session, Subsidy, ids[2]).status == "payable"
    held = supervisor.post(
        f"/supervision/subsidies/{ids[2]}/hold", data={"reason": "complaint", "confirmed": "yes"}
    )
    assert held.status_code == 303 and fresh(session, Subsidy, ids[2]).status == "held"
    asked = supervisor.post(
        f"/supervision/subsidies/{ids[2]}/release", data={"reason": "resolved"}, headers=EN
    )
    assert asked_first(asked) and "Release this subsidy?" in asked.get_data(as_text=True)
    assert fresh(session, Subsidy, ids[2]).status == "held"

    case_id = make_case()
    asked = supervisor.post(f"/supervision/archive/{case_id}", headers=EN)
    assert asked_first(asked) and "Archive this case?" in asked.get_data(as_text=True)
    assert fresh(session, Case, case_id).status == "closed"
    assert supervisor.post(f"/supervision/archive/{case_id}", data={"confirmed": "yes"}).status_code == 303
    assert fresh(session, Case, case_id).status == "archived"


def test_queue_sorts_and_batches_filter_by_state(payable, make_provider_here, signed_in, session):
    small = payable(1, grade="pass")  # ¥1,200.00
    large = payable(1, grade="excellent")  # ¥1,440.00
    finance = signed_in("finance")
    queue = text_of(finance.get("/finance/subsidies?sort=-amount", headers=EN))
    assert queue.index(f'data-subsidy="{large[0]}"') < queue.index(f'data-subsidy="{small[0]}"')
    queue = text_of(finance.get("/finance/subsidies?sort=amount", headers=EN))
    assert queue.index(f'data-subsidy="{small[0]}"') < queue.index(f'data-subsidy="{large[0]}"')
    first = finance.post("/api/v1/payment-batches", json={"subsidy_ids": small}).get_json()["id"]
    finance.post(f"/finance/batches/{first}/cancel", data={"confirmed": "yes"})
    second = finance.post("/api/v1/payment-batches", json={"subsidy_ids": large}).get_json()["id"]
    listed = text_of(finance.get("/finance/batches?status=open", headers=EN))
    assert f"/finance/batches/{second}" in listed and f"/finance/batches/{first}" not in listed
    archive = text_of(signed_in("supervisor").get(f"/supervision/archive?year={TODAY.year}", headers=EN))
    assert "2 files archived" in archive


def test_the_question_never_shows_another_roles_objects(payable, make_case, signed_in):
    """Asking first names the object (a batch's total, a case number): only for the role that acts."""
    ids = payable(1)
    finance = signed_in("finance")
    batch = finance.post("/api/v1/payment-batches", json={"subsidy_ids": ids}).get_json()["id"]
    case_id = make_case()
    lawyer = signed_in("provider")
    for path in (
        f"/finance/batches/{batch}/confirm",
        f"/finance/batches/{batch}/cancel",
        f"/supervision/subsidies/{ids[0]}/hold",
        f"/supervision/archive/{case_id}",
    ):
        answer = lawyer.post(path, data={"reason": "x"}, headers=EN)
        assert answer.status_code == 403 and "confirm-yes" not in answer.get_data(as_text=True)
    assert finance.post(f"/supervision/archive/{case_id}", headers=EN).status_code == 403


def test_a_batch_page_shows_its_items_a_page_at_a_time(payable, signed_in, monkeypatch):
    from supervision.subsidies import views

    monkeypatch.setattr(views, "BATCH_PAGE_SIZE", 1)
    ids = payable(2)
    finance = signed_in("finance")
    batch = finance.post("/api/v1/payment-batches", json={"subsidy_ids": ids}).get_json()["id"]
    first = text_of(finance.get(f"/finance/batches/{batch}", headers=EN))
    second = text_of(finance.get(f"/finance/batches/{batch}?page=2", headers=EN))
    assert first.count("<tr data-subsidy=") == 1 and f'data-subsidy="{ids[0]}"' in first
    assert second.count("<tr data-subsidy=") == 1 and f'data-subsidy="{ids[1]}"' in second
    assert 'id="items-next"' in first and "awaiting the bank" in second
