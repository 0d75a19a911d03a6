"""The pool page's "add a member" list: the providers matching a search, never all of the panel."""

import re

from assignment import views_pools


def _pool(app):
    from assignment.pools import create_pool
    from legalaid.db import db

    with app.app_context():
        pool = create_pool(db.session, "Civil", ["civil"], ["lawyer"], None)
        db.session.commit()
        return pool.id


def test_the_member_list_is_searched_and_bounded(app, as_role, make_provider, monkeypatch):
    monkeypatch.setattr(views_pools, "MEMBER_MATCHES", 3)
    ids = [make_provider(name=f"律师{i:02d}") for i in range(5)]
    wang = make_provider(name="王伟")
    pool_id = _pool(app)
    admin = as_role("admin")
    page = admin.get(f"/admin/pools/{pool_id}").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d+)"', page)
    assert len(options) == 3 and 'id="member-more"' in page
    found = admin.get(f"/admin/pools/{pool_id}?member_q=王").get_data(as_text=True)
    assert re.findall(r'<option[^>]*value="(\d+)"', found) == [str(wang)]
    # A provider chosen from a search is accepted when the form is posted back without it.
    answer = admin.post(f"/admin/pools/{pool_id}", data={"provider_id": ids[4], "weight": "1"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
