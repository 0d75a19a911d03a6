"""Payment batches: each subsidy paid exactly once; holds block batching; confirm once; cancel; exports."""

from __future__ import annotations

import io
import threading

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.errors import Forbidden, Invalid, NotAllowed

TODAY = clock.today()


@pytest.fixture
def clerk(staff):
    return staff("finance")


def statuses(session, ids):
    from supervision.subsidies.models import Subsidy

    session.expire_all()
    return [session.get(Subsidy, i).status for i in ids]


def test_batch_created_confirmed_and_paid_once(payable, session, clerk):
    from supervision.subsidies.batches import confirm_batch, create_payment_batch

    ids = payable(3)
    batch = create_payment_batch(session, clerk, ids)
    session.commit()
    assert (batch.count, batch.total_fen) == (3, 3 * 132000)
    assert statuses(session, ids) == ["batched"] * 3
    confirm_batch(session, clerk, batch.id, bank_reference="BANK-1", paid_on=TODAY, failed_ids=[ids[1]])
    session.commit()
    assert statuses(session, ids) == ["paid", "payable", "paid"]
    with pytest.raises(NotAllowed, match="cannot be confirmed again"):
        confirm_batch(session, clerk, batch.id, bank_reference="BANK-2", paid_on=TODAY)
    session.rollback()
    again = create_payment_batch(session, clerk, [ids[1]])  # the rejected one goes in a new batch
    with pytest.raises(NotAllowed, match="Nothing was batched"):
        create_payment_batch(session, clerk, [ids[0]])  # paid: never again
    session.rollback()
    assert again.count == 1


def test_any_subsidy_not_payable_refuses_the_whole_batch(payable, make_case, session, clerk, subsidy_of):
    from supervision.subsidies.batches import create_payment_batch

    ids = payable(2)
    pending = subsidy_of(make_case(status="in_progress")).id
    session.commit()
    with pytest.raises(NotAllowed, match=f"{pending} is pending"):
        create_payment_batch(session, clerk, [*ids, pending])
    session.rollback()
    assert statuses(session, ids) == ["payable", "payable"]


def test_held_subsidy_cannot_be_batched(payable, session, clerk, staff):
    from supervision.subsidies.batches import create_payment_batch
    from supervision.subsidies.subsidies import hold_subsidy

    [held] = payable()
    hold_subsidy(session, staff("supervisor"), held, "red flag")
    session.commit()
    with pytest.raises(NotAllowed, match="is held"):
        create_payment_batch(session, clerk, [held])
    session.rollback()
    with pytest.raises(NotAllowed, match="No payable subsidy"):
        create_payment_batch(session, clerk, filters={})


def test_batched_subsidy_cannot_be_held(payable, session, clerk, staff):
    from supervision.subsidies.batches import create_payment_batch
    from supervision.subsidies.subsidies import hold_subsidy

    [sid] = payable()
    create_payment_batch(session, clerk, [sid])
    session.commit()
    with pytest.raises(NotAllowed, match="cancel the batch"):
        hold_subsidy(session, staff("supervisor"), sid, "complaint")


def test_batch_all_matching_a_filter(payable, session, clerk):
    from supervision.subsidies.batches import create_payment_batch

    civil = payable(2)
    criminal = payable(1, case_type="criminal", stage="trial")
    batch = create_payment_batch(session, clerk, filters={"case_type": "civil"})
    session.commit()
    assert batch.count == 2
    assert statuses(session, civil + criminal) == ["batched", "batched", "payable"]


def test_cancelled_batch_returns_subsidies_to_payable(payable, session, clerk):
    from supervision.subsidies.batches import cancel_batch, confirm_batch, create_payment_batch

    ids = payable(2)
    batch = create_payment_batch(session, clerk, ids)
    cancel_batch(session, clerk, batch.id, "wrong account")
    session.commit()
    assert statuses(session, ids) == ["payable", "payable"]
    with pytest.raises(NotAllowed):
        confirm_batch(session, clerk, batch.id, bank_reference="X", paid_on=TODAY)
    session.rollback()
    second = create_payment_batch(session, clerk, ids)
    confirm_batch(session, clerk, second.id, bank_reference="X", paid_on=TODAY)
    with pytest.raises(NotAllowed, match="only an open batch"):
        cancel_batch(session, clerk, second.id)


def test_rejected_ids_must_belong_to_the_batch(payable, session, clerk):
    from supervision.subsidies.batches import confirm_batch, create_payment_batch

    first, other = payable(2)
    batch = create_payment_batch(session, clerk, [first])
    with pytest.raises(Invalid):
        confirm_batch(session, clerk, batch.id, bank_reference="X", paid_on=TODAY, failed_ids=[other])


@pytest.mark.parametrize("role", ["supervisor", "coordinator", "provider", "admin"])
def test_only_finance_batches_and_pays(payable, session, staff, role):
    from supervision.subsidies.batches import cancel_batch, confirm_batch, create_payment_batch

    ids = payable(1)
    other = staff(role)
    with pytest.raises(Forbidden):
        create_payment_batch(session, other, ids)
    batch = create_payment_batch(session, staff("finance"), ids)
    session.commit()
    with pytest.raises(Forbidden):
        confirm_batch(session, other, batch.id, bank_reference="X", paid_on=TODAY)
    with pytest.raises(Forbidden):
        cancel_batch(session, other, batch.id)


def test_two_clerks_batching_the_same_subsidies_at_once(app, payable, session, staff):
    """Real threads: one batch wins, the other gets 409 (NotAllowed); nothing is batched twice."""
    from legalaid.db import db
    from legalaid.models import User
    from supervision.subsidies.batches import confirm_batch, create_payment_batch
    from supervision.subsidies.models import PaymentBatch, PaymentBatchItem

    ids = payable(20)
    clerks = [staff("finance").id, staff("finance").id]
    session.commit()
    start = threading.Barrier(2)
    outcomes = []

    def batch_as(user_id, chosen):
        with app.app_context():
            try:
                start.wait()
                batch = create_payment_batch(db.session, db.session.get(User, user_id), chosen)
                db.session.commit()
                outcomes.append(("ok", batch.id))
            except NotAllowed as exc:
                db.session.rollback()
                outcomes.append(("409", exc.message))
            finally:
                db.session.remove()

    # the second clerk picks the same subsidies in the opposite order: locks go in id order anyway
    threads = [
        threading.Thread(target=batch_as, args=(clerks[0], ids)),
        threading.Thread(target=batch_as, args=(clerks[1], list(reversed(ids)))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(o[0] for o in outcomes) == ["409", "ok"]
    [winner] = [o[1] for o in outcomes if o[0] == "ok"]
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(PaymentBatch)) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(PaymentBatchItem)) == 20
    confirm_batch(session, session.get(User, clerks[0]), winner, bank_reference="B", paid_on=TODAY)
    session.commit()
    assert statuses(session, ids) == ["paid"] * 20
    from legalaid.audit import verify_chain

    assert verify_chain(session).ok


def test_reversal_is_a_new_negative_entry(payable, session, clerk):
    from supervision.subsidies.batches import confirm_batch, create_payment_batch
    from supervision.subsidies.models import Subsidy
    from supervision.subsidies.subsidies import reverse_subsidy

    [sid] = payable()
    with pytest.raises(NotAllowed):
        reverse_subsidy(session, clerk, sid, "too early")
    batch = create_payment_batch(session, clerk, [sid])
    confirm_batch(session, clerk, batch.id, bank_reference="B", paid_on=TODAY)
    entry = reverse_subsidy(session, clerk, sid, "took money, confirmed later", 32000)
    with pytest.raises(Invalid):
        reverse_subsidy(session, clerk, sid, "more than left", 100001)
    session.commit()
    assert (entry.status, entry.amount_fen, entry.reversal_of_id) == ("reversed", -32000, sid)
    assert session.get(Subsidy, sid).status == "paid"
    assert reverse_subsidy(session, clerk, sid, "the rest").amount_fen == -100000


def test_exports_csv_and_xlsx_full_account_and_audited(payable, session, clerk):
    from openpyxl import load_workbook

    from legalaid.models import AuditEntry
    from supervision.subsidies.batches import create_payment_batch
    from supervision.subsidies.exports import export_batch

    ids = payable(2)
    batch = create_payment_batch(session, clerk, ids)
    session.commit()
    kind, chunks = export_batch(session, clerk, batch.id, "csv")
    text = "".join(chunks)
    assert kind == "csv" and text.count("\n") == 3 and "1320.00" in text and "6222020200112" in text
    kind, file = export_batch(session, clerk, batch.id, "xlsx")
    with file:
        workbook = load_workbook(io.BytesIO(file.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert rows[0][0] == "subsidy_id" and [r[0] for r in rows[1:]] == ids
    assert [r[5] for r in rows[1:]] == [132000, 132000]
    exports = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "payment_batch.export")).all()
    assert [e.after["format"] for e in exports] == ["csv", "xlsx"]


def test_reconciliation_totals(payable, session, clerk):
    from supervision.subsidies.batches import confirm_batch, create_payment_batch
    from supervision.subsidies.exports import reconciliation
    from supervision.subsidies.subsidies import reverse_subsidy

    ids = payable(3)
    batch = create_payment_batch(session, clerk, ids[:2])
    confirm_batch(session, clerk, batch.id, bank_reference="B", paid_on=TODAY)
    reverse_subsidy(session, clerk, ids[0], "refund", 2000)
    session.commit()
    figures = reconciliation(session)
    assert figures["paid_total_fen"] == 2 * 132000 - 2000
    assert sum(p["total_fen"] for p in figures["by_provider"]) == 2 * 132000 - 2000
    assert figures["outstanding"]["payable"] == {"total_fen": 132000, "count": 1}
