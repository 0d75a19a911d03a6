"""Issue 11 (items 2 and 9) and issue 12 (item 3) for subsidies and finance, through the pages and the
API: one batched archive check for every list, zero subsidies closed with their reason, hold reasons
read in the reader's language, and no batch without a usable payee account, with complete bank files.
Money typed in yuan, the lists paged and actions asking first: test_subsidy_rates_and_lists.py."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from tests.subsidies import page_helpers
from tests.subsidies.page_helpers import EN, TODAY, fresh, text_of

signed_in = page_helpers.signed_in  # the fixture: signed_in("finance") -> a client signed in with that role


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
