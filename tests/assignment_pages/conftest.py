"""Fixtures of the assignment pages: a pool of lawyers, cases made through the intake services,
clients signed in as a coordinator or as a provider."""

from __future__ import annotations

import itertools

import pytest

from legalaid.db import db

_seq = itertools.count(1)


@pytest.fixture
def make_pool(app, make_provider):
    """make_pool(n=3, case_types=("civil", "criminal"), **provider_fields) -> (pool id, [provider ids])."""

    def make(n=3, case_types=("civil", "criminal"), **provider_fields):
        from assignment import panel, pools

        ids = [make_provider(**provider_fields) for _ in range(n)]
        with app.app_context():
            pool = pools.create_pool(db.session, f"Pool {next(_seq)}", case_types, ("lawyer",), None)
            for pid in ids:
                pools.set_pool_member(db.session, pool, panel.get_provider(db.session, pid), None)
            db.session.commit()
            return pool.id, ids

    return make


@pytest.fixture
def make_case(app, make_case_at):
    """make_case(status="accepted", case_type="civil", **fields) -> case id (applied or accepted),
    through the intake services: tests/conftest.py's ``make_case_at``."""

    def make(status="accepted", case_type="civil", **fields):
        stage = "accepted" if status == "accepted" else "applied"
        with app.app_context():
            case = make_case_at(db.session, stage, case_type=case_type, intake=fields)
            db.session.commit()
            return case.id

    return make


@pytest.fixture
def assign(app):
    """assign(case_id) -> assignment id, by rotation (as the system)."""

    def run(case_id):
        from assignment import intake, rotation

        with app.app_context():
            assignment = rotation.assign_by_rotation(db.session, intake.get_case(db.session, case_id), None)
            db.session.commit()
            return assignment.id

    return run


@pytest.fixture
def read(app):
    """read(Model, id) -> a fresh copy of one row's attributes as a dict (None when absent)."""

    def get(model, ident):
        with app.app_context():
            row = db.session.get(model, ident)
            if row is None:
                return None
            return {c.key: getattr(row, c.key) for c in model.__mapper__.column_attrs}

    return get


@pytest.fixture
def last(app, read):
    """last(Model) -> the newest row as a dict (ids are not promised to restart at 1 per test)."""

    def get(model):
        import sqlalchemy as sa

        with app.app_context():
            ident = db.session.scalar(sa.select(sa.func.max(model.id)))
        return read(model, ident) if ident is not None else None

    return get


@pytest.fixture
def count(app):
    """count(Model) -> rows in its table."""

    def run(model):
        import sqlalchemy as sa

        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return run


@pytest.fixture
def coordinator(as_role):
    return as_role("coordinator")


@pytest.fixture
def provider_client(as_role):
    """provider_client(provider_id) -> a client signed in as that provider."""

    def make(provider_id):
        return as_role("provider", provider_id=provider_id)

    return make
