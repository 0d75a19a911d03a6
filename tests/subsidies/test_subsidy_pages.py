"""Issue 11 (items 2, 3, 8, 9, 12) and issue 12 (item 3) for subsidies and finance, through the pages and
the API: one batched archive check for every list, complete bank files, money typed in yuan, zero
subsidies closed with their reason, the subsidy list paged, sorted and filtered, and every destructive
or money-moving action asking first."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from legalaid import clock
from tests.subsidies.test_subsidy_api import FreshContextClient

TODAY = clock.today()
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def signed_in(app, staff, session):
    """signed_in("finance", provider_id=None) -> a test client signed in as a new user with that role."""

    def sign(*roles, provider_id=None):
        username = staff(*roles, provider_id=provider_id).username
        client = FreshContextClient(app, app.response_class, use_cookies=True)
        response = client.post("/api/v1/session", json={"username": username, "password": "Test-passw0rd"})
        assert response.status_code == 200
        return client

    return sign


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def asked_first(response) -> bool:
    return response.status_code == 200 and 'id="confirm-yes"' in response.get_data(as_text=True)


def fresh(session, model, key):
    session.expire_all()
    found = session.get(model, key)
    session.commit()
    return found


# --- issue 12 item 3: one archive check, batched, for every list ---


def _provider_with_subsidies(make_case, make_provider_here, payable, staff, session, n):
    """A provider with ``n`` subsidies in every state a list shows: waiting for each prerequisite,
    in progress, payable, held."""
    from supervision.subsidies.subsidies import hold_subsidy

    provider_id = make_provider_here()
    shapes = [
        {"materials_missing": ["outcome_document"]},
        {"score_final": False},
        {"score_settled": False},
        {"call_settled": False},
        {"red_flags": 1},
        {"status": "in_progress"},
        {},
    ]
    for i in range(n):
        if i % 9 == 0:
            payable(1, provider_id=provider_id)
        elif i % 9 == 1:
            case_id = make_case(provider_id=provider_id)
            from supervision.subsidies.models import Subsidy

            subsidy_id = session.scalar(sa.select(Subsidy.id).where(Subsidy.case_id == case_id))
            hold_subsidy(session, staff("supervisor"), subsidy_id, "client complaint")
            session.commit()
        else:
            make_case(provider_id=provider_id, **shapes[i % 9 - 2])
    return provider_id


@pytest.mark.parametrize("path", ["/me/subsidies", "/api/v1/me/subsidies", "home panel"])
def test_provider_lists_cost_the_same_queries_for_3_or_60_subsidies(
    path, app, make_case, make_provider_here, payable, staff, session, signed_in, count_queries
):
    """The provider's "my subsidies" page, the API list and the subsidy panel of the home page ask the
    archive check once for all their rows. (The home page as a whole also holds other areas' panels:
    scoring's provider panel reads each late closing's case one by one, so it is measured apart.)"""
    from supervision.subsidies.views import _provider_panel

    counts = []
    for n in (3, 60):
        provider_id = _provider_with_subsidies(make_case, make_provider_here, payable, staff, session, n)
        if path == "home panel":
            lawyer = staff("provider", provider_id=provider_id)
            with app.test_request_context("/", headers=EN), count_queries() as q:
                assert "my-subsidies-panel" in _provider_panel(lawyer)
        else:
            client = signed_in("provider", provider_id=provider_id)
            client.get(path, headers=EN)  # warm: the signed-in user and the answer caches
            with count_queries() as q:
                assert client.get(path, headers=EN).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts


def test_every_list_reads_the_same_reasons_as_archiving(make_case, payable, staff, session, signed_in):
    """The finance queue, the supervisor's list, the provider's page and the API give the one archive
    check's words, for each prerequisite read from the real readers (no fake)."""
    from assignment.models import Case
    from supervision.subsidies.archive import archive_missing
    from supervision.subsidies.models import Subsidy

    cases = {
        "red flag": make_case(red_flags=1),
        "final score": make_case(score_final=False),
        "follow-up call": make_case(call_settled=False),
        "outcome_document": make_case(materials_missing=["outcome_document"]),
    }
    supervisor = signed_in("supervisor")
    listed = supervisor.get("/api/v1/subsidies?status=pending&per_page=500").get_json()["items"]
    page = text_of(supervisor.get("/supervision/subsidies?status=pending", headers=EN))
    for named, case_id in cases.items():
        missing = archive_missing(session, session.get(Case, case_id))
        assert len(missing) == 1 and named in missing[0]
        subsidy_id = session.scalar(sa.select(Subsidy.id).where(Subsidy.case_id == case_id))
        item = next(i for i in listed if i["id"] == subsidy_id)
        assert item["waiting_for"] == f"Waiting for {missing[0]}"
        assert named.replace("outcome_document", "Outcome document") in page


# --- issue 11 item 9: a zero subsidy is closed with its reason ---


def test_zero_subsidy_is_closed_with_its_reason_never_queued(
    make_case, make_provider_here, staff, session, signed_in, subsidy_of
):
    from supervision.subsidies.archive import archive_case

    provider_id = make_provider_here()
    case_id = make_case(provider_id=provider_id, took_money=True)
    archive_case(session, staff("supervisor"), case_id)
    session.commit()
    subsidy = subsidy_of(case_id)
    assert (subsidy.status, subsidy.amount_fen) == ("cancelled", 0) and subsidy.archive_id

    finance = signed_in("finance")
    queue = text_of(finance.get("/finance/subsidies", headers=EN))
    assert f'data-subsidy="{subsidy.id}"' not in queue and "¥0.00" not in queue
    assert finance.get("/api/v1/subsidies?status=payable").get_json()["total"] == 0

    lawyer = signed_in("provider", provider_id=provider_id)
    mine = text_of(lawyer.get("/me/subsidies", headers=EN))
    assert "closed: nothing to pay" in mine and "took-money red flag was confirmed" in mine
    assert "¥0.00" not in mine and "payable" not in mine
    home = text_of(lawyer.get("/", headers=EN))
    assert "nothing to pay" in home and "¥0.00" not in home
    item = lawyer.get("/api/v1/me/subsidies").get_json()["items"][0]
    assert item["status"] == "cancelled" and item["waiting_for"].startswith("Nothing to pay")


ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
RED_FLAG_WORDS = "red flag: the client said the provider took money or gifts (Law art. 20)"


def _zh(app, msgid: str) -> str:
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("zh_Hans"):
        return gettext(msgid)


def test_red_flag_hold_is_stored_as_a_code_and_read_in_the_readers_language(
    make_case, make_provider_here, session, signed_in, app
):
    """Issue 11 item 10: the hold the service writes is a code with its flag, not English words; the
    lawyer reads it in Chinese on a Chinese page (no English hold reason), in English on an English one
    and through the API."""
    from types import SimpleNamespace

    from supervision.subsidies import _on_red_flag_raised
    from supervision.subsidies.models import Subsidy
    from supervision.subsidies.reasons import RED_FLAG_TOOK_MONEY, code_of

    provider_id = make_provider_here()
    case_id = make_case(provider_id=provider_id)
    _on_red_flag_raised(session, SimpleNamespace(id=41, case_id=case_id))
    session.commit()
    stored = session.scalar(sa.select(Subsidy.hold_reason).where(Subsidy.case_id == case_id))
    assert code_of(stored) == (RED_FLAG_TOOK_MONEY, {"flag_id": 41})
    assert "took money" not in stored
    lawyer = signed_in("provider", provider_id=provider_id)
    english = text_of(lawyer.get("/me/subsidies", headers=EN))
    assert "Held: " + RED_FLAG_WORDS in english
    chinese = text_of(lawyer.get("/me/subsidies", headers=ZH))
    assert "took money" not in chinese and "red flag" not in chinese
    if _zh(app, RED_FLAG_WORDS) != RED_FLAG_WORDS:  # the catalog has it
        assert _zh(app, RED_FLAG_WORDS) in chinese
    item = lawyer.get("/api/v1/me/subsidies").get_json()["items"][0]
    assert item["hold_reason"] == RED_FLAG_WORDS  # the API keeps English words, never the code


def test_a_hold_stored_in_english_before_codes_reads_in_chinese(
    make_case, make_provider_here, session, signed_in, app, subsidy_of
):
    """Rows written before codes hold the English words: recognised on reading, so no migration."""
    from types import SimpleNamespace

    from supervision.subsidies import _on_red_flag_resolved
    from supervision.subsidies.subsidies import hold_case_subsidy

    provider_id = make_provider_here()
    case_id = make_case(provider_id=provider_id)
    hold_case_subsidy(session, None, case_id, RED_FLAG_WORDS, by_service=True)  # as stored before codes
    session.commit()
    lawyer = signed_in("provider", provider_id=provider_id)
    chinese = text_of(lawyer.get("/me/subsidies", headers=ZH))
    assert "took money" not in chinese
    _on_red_flag_resolved(session, SimpleNamespace(id=5, case_id=case_id, status="dismissed"))
    session.commit()
    assert subsidy_of(case_id).status == "pending"  # the old hold is still found and lifted


def test_a_typed_hold_reason_stays_as_typed_and_is_marked_as_the_writers_words(
    make_case, make_provider_here, session, signed_in, staff
):
    from supervision.subsidies.subsidies import hold_case_subsidy

    provider_id = make_provider_here()
    case_id = make_case(provider_id=provider_id)
    hold_case_subsidy(session, staff("supervisor"), case_id, "客户投诉待核实")
    session.commit()
    lawyer = signed_in("provider", provider_id=provider_id)
    english = text_of(lawyer.get("/me/subsidies", headers=EN))
    assert 'Held: <span class="user-data">客户投诉待核实</span>' in english
    assert lawyer.get("/api/v1/me/subsidies").get_json()["items"][0]["hold_reason"] == "客户投诉待核实"


def test_a_typed_reason_that_looks_like_a_code_is_kept_as_words(make_case, session, staff, subsidy_of):
    from supervision.subsidies.reasons import code_of
    from supervision.subsidies.subsidies import hold_case_subsidy

    case_id = make_case()
    hold_case_subsidy(session, staff("supervisor"), case_id, '{"code":"zero_by_rule"}')
    session.commit()
    assert code_of(subsidy_of(case_id).hold_reason) is None


# --- issue 11 item 2: no batch without a usable payee account; complete bank files ---


def test_subsidy_without_account_stays_out_of_batches_and_the_queue_says_why(
    payable, make_provider_here, session, signed_in
):
    from assignment.models import Provider
    from supervision.subsidies.models import Subsidy

    ready = payable(2)
    nobody = make_provider_here(name="Lawyer No-Account")
    session.get(Provider, nobody).bank_account_stored = None
    session.commit()
    (missing,) = payable(1, provider_id=nobody)

    finance = signed_in("finance")
    queue = text_of(finance.get("/finance/subsidies", headers=EN))
    assert "no bank account for Lawyer No-Account on the panel" in queue
    assert f'name="subsidy_ids" value="{missing}"' not in queue
    assert f'name="subsidy_ids" value="{ready[0]}"' in queue
    assert "Batch all 2 that can be paid" in queue

    page = finance.post(
        "/finance/subsidies",
        data={"subsidy_ids": [str(missing)], "confirmed": "yes"},
        headers=EN,
        follow_redirects=True,
    )
    assert "Cannot be paid" in text_of(page)
    assert fresh(session, Subsidy, missing).status == "payable"

    made = finance.post("/finance/subsidies", data={"all_matching": "1", "confirmed": "yes"})
    assert made.status_code == 303
    assert [fresh(session, Subsidy, i).status for i in (*ready, missing)] == ["batched", "batched", "payable"]
    listed = finance.get("/api/v1/subsidies?status=payable").get_json()["items"]
    assert listed[0]["cannot_pay_because"] == "no bank account for Lawyer No-Account on the panel"

    # The API's contract (API.md) refuses only what is not payable: a system naming the subsidy gets its
    # batch, and the batch page shows finance the missing account before the file goes to the bank.
    answer = finance.post("/api/v1/payment-batches", json={"subsidy_ids": [missing]})
    assert answer.status_code == 201 and fresh(session, Subsidy, missing).status == "batched"
    batch_page = text_of(finance.get(f"/finance/batches/{answer.get_json()['id']}", headers=EN))
    assert "Lawyer No-Account" in batch_page and "missing" in batch_page


def test_organisation_as_payee_needs_the_organisations_account(payable, session, signed_in, app):
    from supervision.subsidies.models import Subsidy

    (subsidy_id,) = payable(1)
    app.config["SUBSIDY_RULES"] = {**app.config.get("SUBSIDY_RULES", {}), "payee": "organization"}
    finance = signed_in("finance")
    queue = text_of(finance.get("/finance/subsidies", headers=EN))
    assert "the payee is the organisation" in queue and "has no bank account" in queue
    assert finance.post("/api/v1/payment-batches", json={"filter": {}}).status_code == 409
    assert fresh(session, Subsidy, subsidy_id).status == "payable"


def test_bank_files_are_complete_and_the_batch_page_reads_in_words(
    payable, make_provider_here, session, signed_in
):
    from openpyxl import load_workbook

    provider_id = make_provider_here(name="Lawyer Wang")
    ids = payable(2, provider_id=provider_id)
    finance = signed_in("finance")
    batch = finance.post("/api/v1/payment-batches", json={"subsidy_ids": ids}).get_json()

    page = text_of(finance.get(f"/finance/batches/{batch['id']}", headers=EN))
    assert "None" not in page and "****" in page and "ICBC" in page
    assert "awaiting the bank" in page and ">pending<" not in page

    exported = finance.get(f"/finance/batches/{batch['id']}/export.csv", headers=EN)
    csv_rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    exported.close()
    assert csv_rows[0][:5] == ["Subsidy no.", "Payee", "Bank account", "Bank", "Amount (yuan)"]
    for row in csv_rows[1:]:
        assert row[1] == "Lawyer Wang" and row[2].startswith("62220202001122") and row[3] == "ICBC"
        assert row[4] == "1320.00"

    xlsx = finance.get(f"/finance/batches/{batch['id']}/export.xlsx", headers=EN)
    workbook = load_workbook(io.BytesIO(xlsx.data))
    xlsx.close()
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Subsidy no.", "Payee", "Bank account", "Bank", "Amount (yuan)"]
    for row in sheet.iter_rows(min_row=2):
        amount = row[4]
        assert amount.data_type == "n" and float(amount.value) == 1320.0 and amount.number_format == "0.00"
        assert row[5].data_type == "n" and row[5].value == 132000
        assert row[2].value and row[3].value == "ICBC"
    workbook.close()

    confirmed = finance.post(
        f"/finance/batches/{batch['id']}/confirm",
        data={
            "bank_reference": "B-1",
            "paid_on": TODAY.isoformat(),
            "failed_ids": str(ids[1]),
            "confirmed": "yes",
        },
    )
    assert confirmed.status_code == 303
    page = text_of(finance.get(f"/finance/batches/{batch['id']}", headers=EN))
    assert "rejected by the bank" in page and ">failed<" not in page and ">paid<" in page


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
