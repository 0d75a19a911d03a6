"""Issue 11 item 15: the demo's hearing records and payment batches are dated on their own days across
the demo's year, like its other histories, not at the moment the demo is loaded."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from tests.test_page_words import close_app, demo_app


@pytest.fixture(scope="module")
def demo(migrated_url, tmp_path_factory):
    started = clock.now()
    app = demo_app(migrated_url, tmp_path_factory.mktemp("misc-demo"))
    loaded = clock.now()
    yield app, started, loaded
    close_app(app)


def _at_load(moment: dt.datetime, started: dt.datetime, loaded: dt.datetime) -> bool:
    return started - dt.timedelta(minutes=1) <= moment <= loaded + dt.timedelta(minutes=1)


def test_hearings_are_recorded_on_their_own_days(demo):
    from supervision.scheduling.models import Hearing, Observation

    app, started, loaded = demo
    with app.app_context():
        rows = db.session.execute(sa.select(Hearing.recorded_at, Hearing.starts_at)).all()
        reports = db.session.scalars(
            sa.select(Observation.reported_at).where(Observation.reported_at.is_not(None))
        ).all()
    assert len(rows) >= 10
    assert not [r for r in rows if _at_load(r.recorded_at, started, loaded)]
    assert len({clock.local_date(r.recorded_at) for r in rows}) >= 8  # many days, not one
    assert reports and not [m for m in reports if _at_load(m, started, loaded)]


def test_payment_batches_are_made_and_paid_on_their_own_days(demo):
    from supervision.subsidies.models import PaymentBatch, Subsidy

    app, started, loaded = demo
    with app.app_context():
        batches = db.session.scalars(sa.select(PaymentBatch).order_by(PaymentBatch.id)).all()
        assert len(batches) >= 2
        for batch in batches:
            assert not _at_load(batch.created_at, started, loaded), batch.id
            assert clock.local_date(batch.created_at) < clock.local_date(loaded)
            if batch.confirmed_at is not None:
                assert not _at_load(batch.confirmed_at, started, loaded)
                assert batch.created_at < batch.confirmed_at
            newest_archive = db.session.scalar(
                sa.select(sa.func.max(Subsidy.archived_on)).where(Subsidy.batch_id == batch.id)
            )
            if newest_archive is not None:  # a batch takes files archived before it was made
                assert newest_archive <= clock.local_date(batch.created_at)
        assert len({clock.local_date(b.created_at) for b in batches}) == len(batches)
