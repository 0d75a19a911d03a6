def test_shots(page, login_page, make_user, make_pool, make_case, assign, app):
    pool_id, ids = make_pool(n=4, name="Wang Lawyer With A Long Name")
    make_case(status="applied", applicant={"name": "Plain Li", "id_number": "110101199003071111"})
    make_case(status="applied", cause="wage_arrears", applicant={"name": "Green Zhao", "id_number": "110101199003072222", "categories": ["migrant_worker"]})
    import datetime as dt
    make_case(status="applied", received_on=dt.date.today() - dt.timedelta(days=10))
    make_case()
    for _ in range(5):
        last = make_case(opposing_party="Acme")
        aid = assign(last)
    make_user(roles=("coordinator", "admin"), username="coord")
    from assignment.models import Assignment
    from legalaid.db import db
    with app.app_context():
        pid = db.session.get(Assignment, aid).provider_id
    make_user(roles=("provider",), username="lawyer", provider_id=pid)
    login_page("coord")
    for width in (1100, 380):
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in [("home", "/"), ("queue", "/cases"), ("case", f"/cases/{last}"), ("form", "/cases/new"),
                          ("report", "/reports/rotation"), ("providers", "/admin/providers"), ("pool", f"/admin/pools/{pool_id}"),
                          ("window", "/cases/4/window")]:
            page.goto(url)
            page.screenshot(path=f"/tmp/shots/{name}-{width}.png", full_page=True)
    page.click("#sign-out")
    login_page("lawyer")
    for width in (1100, 380):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/me/assignments")
        page.screenshot(path=f"/tmp/shots/mine-{width}.png", full_page=True)
        page.goto(f"/me/assignments/{aid}")
        page.screenshot(path=f"/tmp/shots/detail-{width}.png", full_page=True)
