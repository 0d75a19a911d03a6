"""The fairness report page: per-member counts against expected share, chart, CSV export."""

from __future__ import annotations

from legalaid.models import AuditEntry


def test_fairness_report_with_chart_and_csv_link(as_role, make_pool, make_case, assign):
    pool_id, ids = make_pool(n=3, name="Chen")
    for _ in range(4):
        assign(make_case())
    response = as_role("supervisor").get(f"/reports/rotation?pool_id={pool_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<svg" in html and html.count('<g class="bar">') == 3
    assert "Spread (max − min)" in html and "within the 3.0× threshold" in html
    assert f"/api/v1/reports/rotation.csv?pool_id={pool_id}" in html
    assert "<script>" not in html  # the chart is drawn by the server; no inline script (CSP)


def test_csv_export_link_answers_for_a_signed_in_coordinator(as_role, make_pool, count):
    pool_id, _ids = make_pool()
    coordinator = as_role("coordinator")
    html = coordinator.get("/reports/rotation").get_data(as_text=True)
    link = html.split('id="csv-export"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    before = count(AuditEntry)
    response = coordinator.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert count(AuditEntry) == before + 1


def test_bad_report_filter_is_422(as_role, make_pool):
    make_pool()
    assert as_role("admin").get("/reports/rotation?pool_id=1&date_from=yesterday").status_code == 422
    assert as_role("admin").get("/reports/rotation?pool_id=999999999").status_code == 422  # no such pool


def test_report_without_pools_and_for_wrong_roles(as_role):
    assert as_role("coordinator").get("/reports/rotation").status_code == 200
    assert as_role("provider").get("/reports/rotation").status_code == 403
    assert as_role("finance").get("/reports/rotation").status_code == 403
