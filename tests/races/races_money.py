"""Races for archiving, subsidies and payment batches (the table and its rules: tests/races/harness.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from tests.races.centre import Centre
from tests.races.harness import N, one_winner, only, race, races, seq

# --- archive -------------------------------------------------------------------------------------


def _ready_to_archive(c: Centre) -> int:
    case_id = c.case_in("closed")
    c.settle(case_id)
    return case_id


@races("subsidies_api.archive_case.post", kind="transition")
def race_archivings(c: Centre):
    from supervision.subsidies.models import ArchiveRecord

    case_id = _ready_to_archive(c)
    one_winner(race(c.many("h_sup1"), lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/archive")), 201)
    assert c.count(ArchiveRecord, ArchiveRecord.case_id == case_id) == 1
    assert c.audit("case.archive", case_id) == 1
    assert c.subsidy_of(case_id).status == "payable"
    c.goes_forward(case_id, 2)  # batched, paid


@races("subsidies_api.correct_archived_case.post", kind="create")
def race_archive_corrections(c: Centre):
    from assignment.models import Case

    case_id = c.case_in("archived")
    names = [f"Corrected {i}" for i in range(N)]
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(
            f"/api/v1/cases/{case_id}/archive/corrections",
            json={"changes": {"applicant_name": names[i]}, "reason": "typo"},
        ),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.audit("case.archive_correction", case_id) == got[200]
    assert c.scalar(sa.select(Case.applicant_name).where(Case.id == case_id)) in names
    c.goes_forward(case_id)


@races("subsidies_api.archive_case.post", "subsidies_api.correct_archived_case.post", kind="mixed")
def race_archive_against_correction(c: Centre):
    from supervision.subsidies.models import ArchiveRecord

    case_id = _ready_to_archive(c)

    def send(cl, i):
        if i % 2:
            return cl.post(
                f"/api/v1/cases/{case_id}/archive/corrections",
                json={"changes": {"applicant_phone": "13900000000"}, "reason": "new phone"},
            )
        return cl.post(f"/api/v1/cases/{case_id}/archive")

    answers = race(c.many("h_sup1"), send)
    got = only(answers, {200, 201, 409})
    assert got[201] == 1, got
    assert c.count(ArchiveRecord, ArchiveRecord.case_id == case_id) == 1
    assert c.audit("case.archive_correction", case_id) == got[200]
    c.goes_forward(case_id)


# --- subsidies and payment batches ---------------------------------------------------------------


@races("subsidies_api.hold.post", kind="transition")
def race_holds(c: Centre):
    case_id, subsidy_id = c.payable_subsidy()
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(f"/api/v1/subsidies/{subsidy_id}/hold", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 200)
    assert c.audit("subsidy.hold", subsidy_id) == 1
    c.goes_forward(case_id, 3)  # released, batched, paid


@races("subsidies_api.release.post", kind="transition")
def race_releases(c: Centre):
    case_id, subsidy_id = c.payable_subsidy()
    assert (
        c.one("h_sup1").post(f"/api/v1/subsidies/{subsidy_id}/hold", json={"reason": "flag"}).status_code
        == 200
    )
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(f"/api/v1/subsidies/{subsidy_id}/release", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 200)
    assert c.audit("subsidy.release", subsidy_id) == 1
    assert c.subsidy_of(case_id).status == "payable"
    c.goes_forward(case_id, 2)


@races("subsidies_api.hold.post", "subsidies_api.release.post", kind="mixed")
def race_hold_against_release(c: Centre):
    case_id, subsidy_id = c.payable_subsidy()

    def send(cl, i):
        return cl.post(
            f"/api/v1/subsidies/{subsidy_id}/{'release' if i % 2 else 'hold'}", json={"reason": "r"}
        )

    answers = race(c.many("h_sup1"), send)
    only(answers, {200, 409})
    holds = sum(1 for i, a in enumerate(answers) if a.status_code == 200 and not i % 2)
    releases = sum(1 for i, a in enumerate(answers) if a.status_code == 200 and i % 2)
    # Each release undid one hold: the story alternates hold, release, hold…
    assert holds - releases in (0, 1) and holds >= 1, (holds, releases)
    assert c.audit("subsidy.hold", subsidy_id) == holds
    assert c.audit("subsidy.release", subsidy_id) == releases
    assert c.subsidy_of(case_id).status == ("held" if holds > releases else "payable")
    c.goes_forward(case_id, 3 if holds > releases else 2)


@races("subsidies_api.create_batch.post", kind="unique")
def race_batches_of_one_subsidy(c: Centre):
    from supervision.subsidies.models import PaymentBatchItem

    case_id, subsidy_id = c.payable_subsidy()
    answers = race(
        c.many("h_fin"), lambda cl, i: cl.post("/api/v1/payment-batches", json={"subsidy_ids": [subsidy_id]})
    )
    one_winner(answers, 201)
    assert c.count(PaymentBatchItem, PaymentBatchItem.subsidy_id == subsidy_id) == 1
    assert c.subsidy_of(case_id).status == "batched"
    c.goes_forward(case_id)


def _confirm(c: Centre, cl, batch_id: int):
    body = {"bank_reference": f"REF-{next(seq)}", "paid_on": clock.today().isoformat()}
    return cl.post(f"/api/v1/payment-batches/{batch_id}/confirm", json=body)


@races("subsidies_api.confirm.post", kind="transition")
def race_batch_confirmations(c: Centre):
    case_id, subsidy_id, batch_id = c.open_batch()
    one_winner(race(c.many("h_fin"), lambda cl, i: _confirm(c, cl, batch_id)), 200)
    assert c.audit("payment_batch.confirm", batch_id) == 1
    assert c.subsidy_of(case_id).status == "paid"


@races("subsidies_api.cancel.post", kind="transition")
def race_batch_cancellations(c: Centre):
    case_id, subsidy_id, batch_id = c.open_batch()
    answers = race(
        c.many("h_fin"),
        lambda cl, i: cl.post(f"/api/v1/payment-batches/{batch_id}/cancel", json={"reason": "r"}),
    )
    one_winner(answers, 200)
    assert c.audit("payment_batch.cancel", batch_id) == 1
    assert c.subsidy_of(case_id).status == "payable"
    c.goes_forward(case_id, 2)  # batched again, paid


@races("subsidies_api.cancel.post", "subsidies_api.confirm.post", kind="mixed")
def race_batch_cancel_against_confirm(c: Centre):
    case_id, subsidy_id, batch_id = c.open_batch()

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/payment-batches/{batch_id}/cancel", json={"reason": "wrong"})
        return _confirm(c, cl, batch_id)

    one_winner(race(c.many("h_fin"), send), 200)
    confirmed = c.audit("payment_batch.confirm", batch_id)
    assert confirmed + c.audit("payment_batch.cancel", batch_id) == 1
    assert c.subsidy_of(case_id).status == ("paid" if confirmed else "payable")
    if not confirmed:
        c.goes_forward(case_id, 2)


@races("subsidies_api.reverse.post", kind="unique")
def race_reversals(c: Centre):
    from supervision.subsidies.models import Subsidy

    case_id, subsidy_id = c.payable_subsidy()
    c.goes_forward(case_id, 2)  # batched, paid
    amount = c.scalar(sa.select(Subsidy.amount_fen).where(Subsidy.id == subsidy_id))
    answers = race(
        c.many("h_fin"),
        lambda cl, i: cl.post(f"/api/v1/subsidies/{subsidy_id}/reverse", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 201, (409, 422))
    assert (
        c.scalar(sa.select(sa.func.sum(Subsidy.amount_fen)).where(Subsidy.reversal_of_id == subsidy_id))
        == -amount
    )


@races("subsidies_api.add_rate.post", kind="unique")
def race_rates(c: Centre):
    from supervision.subsidies.models import SubsidyRate

    effective = clock.today() + dt.timedelta(days=200 + next(seq))
    body = {
        "case_type": "non_litigation",
        "provider_kind": "legal_adviser",
        "effective_from": effective.isoformat(),
        "amount_fen": 70000,
    }
    one_winner(
        race(c.many("h_admin"), lambda cl, i: cl.post("/api/v1/subsidy-rates", json=body)), 201, (409, 422)
    )
    assert c.count(SubsidyRate, SubsidyRate.effective_from == effective) == 1
