"""The central invariant, "payable, batched or paid only with the case's archive record", tried
through every path: the service, the API, the pages, the CLI, and a direct SQL update (which the
database itself refuses)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from legalaid.errors import NotAllowed


@pytest.fixture
def pending_id(make_case, subsidy_of, session):
    """A subsidy whose case is closed but not archived."""
    subsidy_id = subsidy_of(make_case()).id
    session.commit()
    return subsidy_id


def status_of(session, subsidy_id):
    from supervision.subsidies.models import Subsidy

    session.expire_all()
    status = session.get(Subsidy, subsidy_id).status
    session.commit()
    return status


def test_service_refuses(session, staff, pending_id):
    from supervision.subsidies.batches import create_payment_batch
    from supervision.subsidies.subsidies import hold_subsidy, release_subsidy

    with pytest.raises(NotAllowed):
        create_payment_batch(session, staff("finance"), [pending_id])
    session.rollback()
    supervisor = staff("supervisor")
    hold_subsidy(session, supervisor, pending_id, "complaint")
    assert release_subsidy(session, supervisor, pending_id, "dismissed").status == "pending"
    session.commit()
    assert status_of(session, pending_id) == "pending"


def test_api_refuses(app, session, staff, pending_id):
    username = staff("finance").username
    session.commit()
    with app.app_context():
        client = app.test_client()
        client.post("/api/v1/session", json={"username": username, "password": "Test-passw0rd"})
        assert client.post("/api/v1/payment-batches", json={"subsidy_ids": [pending_id]}).status_code == 409
        assert client.post("/api/v1/payment-batches", json={"filter": {}}).status_code == 409
    assert status_of(session, pending_id) == "pending"


def test_pages_refuse(app, session, staff, pending_id):
    username = staff("finance").username
    session.commit()
    with app.app_context():
        client = app.test_client()
        client.post("/login", data={"username": username, "password": "Test-passw0rd"})
        asked = client.post("/finance/subsidies", data={"subsidy_ids": [str(pending_id)]})
        assert asked.status_code == 200 and b'id="confirm-yes"' in asked.data  # asks first
        chosen = {"subsidy_ids": [str(pending_id)], "confirmed": "yes"}
        r = client.post("/finance/subsidies", data=chosen, follow_redirects=True)
        assert r.status_code == 200 and b"is pending" in r.data
        r = client.post(
            "/finance/subsidies", data={"all_matching": "1", "confirmed": "yes"}, follow_redirects=True
        )
        assert b"No payable subsidy" in r.data
    assert status_of(session, pending_id) == "pending"


def test_cli_refuses(app, session, staff, pending_id):
    username = staff("finance").username
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["subsidies", "batch", str(pending_id), "--as", username])
    assert result.exit_code != 0 and "is pending" in result.output
    result = runner.invoke(args=["subsidies", "batch", "--all-payable", "--as", username])
    assert result.exit_code != 0
    assert status_of(session, pending_id) == "pending"


@pytest.mark.parametrize("status", ["payable", "batched", "paid"])
def test_database_refuses_release_without_archive(app, session, pending_id, status):
    from legalaid.db import db

    with app.app_context(), pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE subsidy SET status = :s, amount_fen = 100 WHERE id = :id"),
            {"s": status, "id": pending_id},
        )
    assert status_of(session, pending_id) == "pending"


def test_database_refuses_another_cases_archive(app, session, payable, pending_id):
    """The composite key: a subsidy may only point at its own case's archive record."""
    from legalaid.db import db
    from supervision.subsidies.models import Subsidy

    [other] = payable()
    other_archive = session.get(Subsidy, other).archive_id
    session.commit()
    with app.app_context(), pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE subsidy SET status = 'payable', amount_fen = 1, archive_id = :a WHERE id = :id"),
            {"a": other_archive, "id": pending_id},
        )
    assert status_of(session, pending_id) == "pending"


def test_database_keeps_a_subsidy_in_one_live_batch(app, session, payable, staff):
    from legalaid.db import db
    from supervision.subsidies.batches import create_payment_batch

    [sid] = payable()
    create_payment_batch(session, staff("finance"), [sid])
    session.commit()
    with app.app_context(), pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO payment_batch (status, count, total_fen, payee_mode, created_at, failed_count) "
                "VALUES ('open', 1, 1, 'provider', :now, 0)"
            ),
            {"now": dt.datetime(2026, 1, 1)},
        )
        other = conn.execute(sa.text("SELECT max(id) FROM payment_batch")).scalar()
        conn.execute(
            sa.text(
                "INSERT INTO payment_batch_item (batch_id, subsidy_id, amount_fen, outcome) "
                "VALUES (:b, :s, 1, 'pending')"
            ),
            {"b": other, "s": sid},
        )
    with app.app_context(), pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE subsidy SET status = 'payable' WHERE id = :id"), {"id": sid})
    assert status_of(session, sid) == "batched"
