"""Stations and the cases taken at them (issue 14)."""

from __future__ import annotations

import pytest

from legalaid.db import db


@pytest.fixture
def station(app):
    """An active township workstation; its id."""
    from assignment import stations

    with app.app_context():
        s = stations.create_station(
            db.session, {"name": "新桥镇法律援助工作站", "kind": "township", "area": "新桥镇"}, None
        )
        db.session.commit()
        return s.id
