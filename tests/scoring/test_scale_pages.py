"""Issue 16 at the scoring pages: the provider's scores page paged off their own files, the quality
report's per-provider table paged, filtered and sorted (page and API) with its CSV streaming every
row, the score-files list with a capped count, and a fixed number of statements per page whatever the
number of files."""

from __future__ import annotations

import csv
import io

import pytest

from legalaid import listing
from supervision.scoring import files, lists, sheets
from supervision.scoring.models import ScoreFile
from tests.conftest import PASSWORD
from tests.scoring.conftest import points_for_total


def client_for(app, user):
    c = app.test_client()
    r = c.post("/api/v1/session", json={"username": user.username, "password": PASSWORD})
    assert r.status_code == 200
    return c


@pytest.fixture
def scored(session, make_closed_case, supervisor):
    """scored(total, provider=None, owner=None) -> (case, provider login): a closed case marked once,
    final; ``owner`` (a provider id) takes the file over (a provider has one login, made once)."""

    def make(total=100, provider=None, owner=None):
        case, login = make_closed_case(in_sample=False, **({"provider": provider} if provider else {}))
        if owner is not None:
            session.get(ScoreFile, case.id).provider_id = owner
        checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
        sheet = sheets.create_score_sheet(
            session, case.id, supervisor, items=points_for_total(checklist, total)
        )
        sheets.submit_score_sheet(session, sheet, supervisor)
        session.commit()
        return case, login

    return make


def _api(client, url, status=200):
    r = client.get(url)
    assert r.status_code == status, (url, r.get_data(as_text=True)[:500])
    return r.get_json()


def test_quality_api_pages_sorts_and_filters_the_provider_table(app, session, scored, make_person):
    totals = [95, 85, 70]
    for total in totals:
        scored(total)
    c = client_for(app, make_person("supervisor"))
    whole = _api(c, "/api/v1/reports/quality")
    assert whole["providers_total"] == 3 and whole["page"] == 1 and whole["per_page"] == 50
    assert [p["average"] for p in whole["providers"]] == [95.0, 85.0, 70.0]  # best first
    assert whole["overall"]["count"] == 3 and whole["overall"]["average"] == 83.3
    assert whole["from"] and whole["to"]  # this year up to today unless asked
    first = _api(c, "/api/v1/reports/quality?per_page=1&page=1")
    second = _api(c, "/api/v1/reports/quality?per_page=1&page=2")
    assert first["providers_total"] == second["providers_total"] == 3
    assert [first["providers"][0]["provider_id"], second["providers"][0]["provider_id"]] == [
        p["provider_id"] for p in whole["providers"][:2]
    ]
    past = _api(c, "/api/v1/reports/quality?per_page=1&page=9")
    assert past["providers"] == [] and past["providers_total"] == 3
    for key in ("average", "count", "name", "organisation", "fail"):
        up = [p["provider_id"] for p in _api(c, f"/api/v1/reports/quality?sort={key}")["providers"]]
        down = [p["provider_id"] for p in _api(c, f"/api/v1/reports/quality?sort=-{key}")["providers"]]
        assert sorted(up) == sorted(down) and len(up) == 3, key
    up = _api(c, "/api/v1/reports/quality?sort=average")["providers"]
    assert [p["average"] for p in up] == [70.0, 85.0, 95.0]
    name = whole["providers"][1]["name"]
    only = _api(c, f"/api/v1/reports/quality?q={name}")
    assert [p["name"] for p in only["providers"]] == [name] and only["providers_total"] == 1
    assert only["overall"]["count"] == 3  # the filter narrows the table, not the figures
    best = whole["providers"][0]["provider_id"]
    org = session.scalar(lists.sa.select(ScoreFile.organization_id).where(ScoreFile.provider_id == best))
    in_org = _api(c, f"/api/v1/reports/quality?organization_id={org}")
    assert best in [p["provider_id"] for p in in_org["providers"]]
    assert all(p["organization"] == whole["providers"][0]["organization"] for p in in_org["providers"])


def test_quality_api_refuses_bad_paging_sort_and_filters(app, scored, make_person):
    scored(90)
    c = client_for(app, make_person("supervisor"))
    for query in (
        "sort=best",
        "page=0",
        "per_page=501",
        "page=abc",
        "organization_id=x",
        "q=" + "x" * 101,
        "from=2026-13-01",
    ):
        body = _api(c, f"/api/v1/reports/quality?{query}", 422)
        assert body["error"]["code"] == "invalid", query


def test_quality_csv_streams_every_provider_whatever_the_page(app, session, scored, make_person):
    for total in (95, 85, 70):
        scored(total)
    c = client_for(app, make_person("supervisor"))
    for url in ("/scoring/quality.csv", "/api/v1/reports/quality?format=csv&per_page=1"):
        r = c.get(url)
        assert r.status_code == 200 and r.mimetype == "text/csv" and r.is_streamed
        rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
        assert rows[0][:3] == ["level", "id", "name"]
        assert sum(1 for row in rows if row[0] == "provider") == 3
        assert sum(1 for row in rows if row[0] == "scorer") == 1


def test_quality_page_pages_sorts_filters_and_refuses_bad_input(app, session, scored, make_person):
    for total in (95, 85, 70):
        scored(total)
    c = client_for(app, make_person("supervisor"))
    app.config["LIST_PAGE_SIZE"] = 1
    try:
        one = c.get("/scoring/quality")
        two = c.get("/scoring/quality?page=2")
        assert one.status_code == two.status_code == 200
        one, two = one.get_data(as_text=True), two.get_data(as_text=True)
        assert "95.0" in one and "85.0" in two and 'id="quality-providers-next"' in one
        assert "Providers with final scores from" in one and ": 3</p>" in one
        low = c.get("/scoring/quality?sort=average").get_data(as_text=True)
        assert "70.0" in low.split('id="quality-providers"')[1].split("</table>")[0]
    finally:
        app.config["LIST_PAGE_SIZE"] = 50
    assert c.get("/scoring/quality?sort=best").status_code == 422
    assert c.get("/scoring/quality?q=" + "x" * 101).status_code == 422
    assert c.get("/scoring/quality?page=abc").status_code == 400
    assert c.get("/scoring/quality?page=99999").status_code == 200
    assert c.get("/scoring/quality?date_from=2026-99-01").status_code == 422


def test_my_scores_page_is_paged_off_the_providers_own_files(app, session, scored, make_org_provider):
    provider = make_org_provider()
    _case, login = scored(95, provider=provider)
    scored(75, owner=provider.id)
    scored(60)  # someone else's
    c = client_for(app, login)
    app.config["LIST_PAGE_SIZE"] = 1
    try:
        first = c.get("/scoring/my-scores").get_data(as_text=True)
        second = c.get("/scoring/my-scores?page=2").get_data(as_text=True)
    finally:
        app.config["LIST_PAGE_SIZE"] = 50
    assert "2 final scores, average 85.0" in first and 'id="my-scores-next"' in first
    assert "Page 2 of 2" in second
    assert c.get("/scoring/my-scores?page=x").status_code == 400


def test_score_files_count_is_capped(app, session, scored, make_person):
    for total in (95, 85):
        scored(total)
    c = client_for(app, make_person("supervisor"))
    body = _api(c, "/api/v1/score-files")
    assert body["total"] == 2 and body["total_capped"] is False and len(body["items"]) == 2
    assert (
        _api(c, "/api/v1/score-files?per_page=1&page=2")["items"][0]["case_id"] == body["items"][1]["case_id"]
    )
    assert listing.capped_count(session, lists.filter_files(lists.sa.select(ScoreFile), {}), 1) == (1, True)
    assert _api(c, "/api/v1/score-files?sort=nope", 422)["error"]["code"] == "invalid"


PAGES = (
    "/scoring/",
    "/scoring/quality",
    "/api/v1/reports/quality",
    "/api/v1/score-files",
    "/scoring/quality.csv",
)


def test_a_fixed_number_of_statements_whatever_the_number_of_files(
    app, session, scored, make_person, make_org_provider, count_queries
):
    staff = client_for(app, make_person("supervisor", "admin"))
    provider = make_org_provider()
    _case, login = scored(90, provider=provider)
    scored(80)
    mine = client_for(app, login)

    def counts():
        found = {}
        for url in PAGES:
            with count_queries() as q:
                assert staff.get(url).status_code == 200, url
            found[url] = q.count
        with count_queries() as q:
            assert mine.get("/scoring/my-scores").status_code == 200
        found["/scoring/my-scores"] = q.count
        return found

    small = counts()
    for total in (95, 85, 70, 65):
        scored(total)
    scored(77, owner=provider.id)
    scored(88, owner=provider.id)
    assert counts() == small
