"""The annual report (issue 15): a small known year, counted by hand, compared figure by figure; the
annual counts equal the sum of the monthly ones; every count's drill-down list adds up to it."""

import datetime as dt
import io

import pytest

from assignment.consultations_models import Consultation
from legalaid import clock
from supervision.complaints.models import Complaint
from supervision.scoring.models import CaseClosing
from supervision.statistics import annual_breakdowns as ab
from supervision.statistics import annual_figures as af
from supervision.statistics.annual import annual_report, figure_values, growth, statistical_year
from supervision.statistics.annual_drill import drill_total, drillable

YEAR = clock.today().year - 1  # a whole year in the past: every date passes intake's "past" window
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)


def day(month, d=10, year=YEAR):
    return dt.date(year, month, d)


def applicant(categories=(), sex=None):
    person = {"name": "申请人", "id_number": "110101199003077571", "categories": list(categories)}
    if sex:
        person["sex"] = sex
    return person


@pytest.fixture
def english(app):
    """Figures carry their words (labels, definitions): read in English, as a request would."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def known_year(session, make_case_at, make_provider):
    """The year, by hand:

    * civil, March, migrant worker, woman, group of 3 → 3 persons (migrant 3, women 3);
    * civil, March, migrant worker, man → 1 person (migrant 1);
    * civil, July, elderly + disabled → 1 person (elderly 1, disabled 1);
    * criminal, July, minor, notified (accepted at once) → 1 person (minor 1);
    * administrative, October, nobody's category, sex not given → 1 person (others 1);
    * civil, November, closed (ended in November) with 1,234.50 yuan recovered.
    The year before: 2 civil cases (one migrant worker), 1 consultation.
    Consultations: 3 by hotline (2 answered, 1 referred), 1 visit (application registered).
    Complaints: 2 received; 1 upheld and answered by its answer-by date; 1 answered late.
    """
    provider = make_provider()
    make_case_at(
        session,
        "applied",
        intake={
            "received_on": day(3),
            "applicant": applicant(["migrant_worker"], "female"),
            "group_size": 3,
            "cause": "wage_arrears",
        },
    )
    make_case_at(
        session,
        "applied",
        intake={
            "received_on": day(3, 20),
            "applicant": applicant(["migrant_worker"], "male"),
            "cause": "wage_arrears",
        },
    )
    make_case_at(
        session, "applied", intake={"received_on": day(7), "applicant": applicant(["elderly", "disabled"])}
    )
    make_case_at(
        session,
        "applied",
        case_type="criminal",
        intake={"received_on": day(7, 11), "applicant": applicant(["minor"]), "source": "notification"},
    )
    make_case_at(
        session,
        "applied",
        case_type="administrative",
        intake={"received_on": day(10), "applicant": applicant(), "cause": "administrative_act"},
    )
    closed = make_case_at(
        session, "closed", provider_id=provider, intake={"received_on": day(11, 2)}, ended_on=day(11, 20)
    )
    session.get(CaseClosing, closed.id).recovered_fen = 123450
    make_case_at(
        session,
        "applied",
        intake={"received_on": day(4, year=YEAR - 1), "applicant": applicant(["migrant_worker"])},
    )
    make_case_at(session, "applied", intake={"received_on": day(5, year=YEAR - 1)})

    def consult(when, channel, outcome):
        session.add(
            Consultation(
                occurred_at=clock.local_moment(when, dt.time(10)),
                channel=channel,
                question="问",
                answer="答",
                outcome=outcome,
            )
        )

    consult(day(2), "hotline", "answered")
    consult(day(6), "hotline", "answered")
    consult(day(6, 12), "hotline", "referred")
    consult(day(9), "visit", "application_registered")
    consult(day(9, year=YEAR - 1), "visit", "answered")

    def complain(received, answer_by, answered, outcome):
        session.add(
            Complaint(
                received_on=received,
                complainant_name="投诉人",
                complainant_relation="applicant",
                respondent_kind="centre",
                matter="other",
                request="r",
                facts="f",
                status="answered",
                accept_by=received,
                outcome=outcome,
                answer_by=answer_by,
                answered_on=answered,
            )
        )

    complain(day(4), day(5), day(4, 30), "upheld_correction")
    complain(day(8), day(9), day(9, 20), "not_upheld")
    session.commit()
    session.close()  # nothing left open: the pages' sign-ins write


EXPECTED = {
    "cases.received": 6,
    "cases.type.civil": 4,
    "cases.type.criminal": 1,
    "cases.type.administrative": 1,
    "cases.type.non_litigation": 0,
    "cases.source.application": 5,
    "cases.source.notification": 1,
    "persons.total": 8,
    "persons.migrant_worker": 4,
    "persons.women": 3,
    "persons.elderly": 1,
    "persons.disabled": 1,
    "persons.minor": 1,
    "persons.service_member": 0,
    "persons.others": 2,  # the administrative applicant and the closed case's applicant
    "persons.share.migrant_worker": 50.0,
    "persons.share.women": 37.5,
    "civil.migrant_worker": 2,
    "civil.migrant_worker_share": 50.0,
    "closings.ended": 1,
    "recovered.cases": 1,
    "recovered.fen": 123450,
    "consultations.total": 4,
    "consultations.channel.hotline": 3,
    "consultations.channel.visit": 1,
    "consultations.outcome.answered": 2,
    "consultations.outcome.referred": 1,
    "consultations.outcome.application_registered": 1,
    "complaints.received": 2,
    "complaints.upheld": 1,
    "complaints.answered": 2,
    "complaints.answered_in_time": 1,
    "complaints.in_time_share": 50.0,
}


def test_known_year_figure_by_figure(session, known_year, english):
    figures = figure_values(annual_report(session, YEAR))
    assert {k: figures[k]["value"] for k in EXPECTED} == EXPECTED
    # The year before: 2 cases (growth +200.00 %), 1 civil migrant worker case, 1 consultation (+300.00 %).
    assert figures["cases.received"]["previous"] == 2 and figures["cases.received"]["growth"] == 200.0
    assert figures["cases.type.civil"]["growth"] == 100.0
    assert figures["consultations.total"]["growth"] == 300.0
    assert (
        figures["complaints.received"]["previous"] == 0 and figures["complaints.received"]["growth"] is None
    )
    for f in figures.values():
        assert f["definition"], f["key"]


def test_annual_counts_equal_the_sum_of_the_monthly_ones(session, known_year):
    year = af.period_figures(session, START, END)
    months = [af.period_figures(session, a, b) for a, b in ab.month_periods(START, END)]
    for key, value in year.items():
        assert value == pytest.approx(sum(m[key] for m in months)), key
    trend = ab.monthly_trend(session, START, END)
    assert sum(m["received"] for m in trend) == year["cases.received"]
    assert sum(m["persons"] for m in trend) == year["persons.total"]
    assert sum(m["consultations"] for m in trend) == year["consultations.total"]
    assert sum(m["closed"] for m in trend) == year["closings.ended"]


def test_every_count_drills_down_to_a_list_of_the_same_total(session, known_year, english, as_role):
    figures = figure_values(annual_report(session, YEAR))
    checked = 0
    for key, figure in figures.items():
        if drillable(key):
            assert drill_total(session, key, START, END) == figure["value"], key
            checked += 1
    assert checked >= 40
    session.rollback()  # end the read, so signing in may write
    client = as_role("supervisor")
    for key in ("persons.women", "consultations.channel.hotline", "complaints.answered_in_time"):
        page = client.get(f"/statistics/annual/records?figure={key}&from={START}&to={END}").get_data(
            as_text=True
        )
        total = figures[key]["value"]
        assert (f"{total} person" if key.startswith("persons") else f"{total} record") in page


def test_the_page_links_every_count_to_its_records(session, known_year, as_role):
    page = as_role("coordinator").get(f"/statistics/annual?year={YEAR}").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 3
    assert 'data-figure="persons.women" data-value="3"' in page
    assert "counts cases whose application was received in the period" in page


def test_statistical_year_may_start_in_november(app):
    assert statistical_year(2012, 11) == (dt.date(2011, 11, 1), dt.date(2012, 10, 31))
    assert statistical_year(2012, 1) == (dt.date(2012, 1, 1), dt.date(2012, 12, 31))
    assert growth(165, 147) == 12.24 and growth(1, 0) is None


def test_api_answers_every_section_and_refuses_a_bad_year(as_role):
    client = as_role("admin")
    body = client.get(f"/api/v1/reports/annual?year={YEAR}").get_json()
    assert [s["key"] for s in body["sections"]][:3] == ["cases", "recipients", "consultations"]
    assert body["from"] == START.isoformat()
    assert client.get("/api/v1/reports/annual?year=abc").status_code == 422
    assert client.get("/api/v1/reports/annual?year=1900").status_code == 422
    assert as_role("provider").get("/api/v1/reports/annual").status_code == 403
    finance = as_role("finance").get("/api/v1/reports/annual").get_json()
    assert [s["key"] for s in finance["sections"]] == ["money"] and "breakdowns" not in finance


def test_workbook_has_a_sheet_per_table_with_numbers_and_percentages(session, known_year, as_role):
    from openpyxl import load_workbook

    response = as_role("supervisor").get(f"/api/v1/reports/annual.xlsx?year={YEAR}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert {
        "Cases",
        "Recipients",
        "Consultations",
        "Complaints",
        "Money",
        "By provider",
        "Monthly trend",
    } <= set(book.sheetnames)
    rows = {r[0].value: r for r in book["Recipients"].iter_rows(min_row=2)}
    women = rows["Women"]
    assert women[1].value == 3 and isinstance(women[1].value, int)
    share = rows["Migrant workers' share of civil cases"]
    assert share[1].value == pytest.approx(0.5) and share[1].number_format == "0.00%"
    money = {r[0].value: r for r in book["Money"].iter_rows(min_row=2)}
    assert money["Amount recovered or obtained for clients"][1].value == pytest.approx(1234.5)


def test_print_page_is_in_chinese_with_a_page_break_per_section(session, known_year, as_role):
    client = as_role("supervisor")
    page = client.get(f"/statistics/annual/print?year={YEAR}").get_data(as_text=True)
    assert page.count('class="report-section"') >= 6
    css = client.get("/statistics/annual/print.css").get_data(as_text=True)
    assert "@page { size: A4" in css and "break-before: page" in css
    assert "同比" in page or "增长" in page


@pytest.mark.parametrize(
    "url, status",
    [
        ("/statistics/annual?year=abc", 422),
        ("/statistics/annual?year=1900", 422),
        ("/statistics/annual?year=2025&page=0", 422),
        ("/statistics/annual/print?year=99999999999", 422),
        ("/statistics/annual/records?figure=nonsense&from=2025-01-01&to=2025-12-31", 404),
        ("/statistics/annual/records?figure=closure.rate&from=2025-01-01&to=2025-12-31", 404),
        ("/statistics/annual/records?figure=cases.received&from=2025-12-31&to=2025-01-01", 422),
        ("/statistics/annual/records?figure=cases.received&from=yesterday&to=2025-01-01", 422),
    ],
)
def test_pages_refuse_bad_input_without_a_500(as_role, url, status):
    assert as_role("supervisor").get(url).status_code == status


def test_finance_reads_only_the_subsidy_figures_on_the_page(as_role):
    client = as_role("finance")
    page = client.get(f"/statistics/annual?year={YEAR}").get_data(as_text=True)
    assert "Subsidies paid" in page and "Recipients" not in page
    assert (
        client.get(f"/statistics/annual/records?figure=cases.received&from={START}&to={END}").status_code
        == 403
    )
    assert (
        client.get(f"/statistics/annual/records?figure=subsidies.paid&from={START}&to={END}").status_code
        == 200
    )


def test_the_statistical_year_follows_the_centres_first_month(app, as_role):
    from legalaid import rules

    app.config["STATISTICS"] = {"year_first_month": 11}
    body = as_role("coordinator").get("/api/v1/reports/annual?year=2025").get_json()
    assert (body["from"], body["to"], body["first_month"]) == ("2024-11-01", "2025-10-31", 11)
    assert (body["previous_from"], body["previous_to"]) == ("2023-11-01", "2024-10-31")
    app.config["STATISTICS"] = {"year_first_month": 13}
    assert any("STATISTICS.year_first_month" in p for p in rules.problems(app))


def test_duty_shifts_and_legal_help_by_kind_add_up_and_drill_down(session, english):
    from assignment.consultations_models import Station
    from assignment.duty.models import DutyRota, DutyShift
    from assignment.models import RotationPool

    station = Station(name="法院工作站", kind="court")
    pool = RotationPool(name="值班", case_types=[], provider_kinds=["lawyer"])
    session.add_all([station, pool])
    session.flush()
    rota = DutyRota(station_id=station.id, month=f"{YEAR}-03", pool_id=pool.id, status="published")
    session.add(rota)
    session.flush()
    for d, status, helped in (
        (3, "done", {"advice": 2, "meeting": 1}),
        (4, "done", {"advice": 1}),
        (5, "missed", {}),
    ):
        session.add(
            DutyShift(
                rota_id=rota.id,
                station_id=station.id,
                on_date=day(3, d),
                part="am",
                status=status,
                legal_help=helped,
            )
        )
    session.commit()
    figures = figure_values(annual_report(session, YEAR))
    assert {
        k: figures[k]["value"]
        for k in (
            "duty.shifts",
            "duty.done",
            "duty.missed",
            "duty.help.advice",
            "duty.help.meeting",
            "duty.help.opinion",
        )
    } == {
        "duty.shifts": 3,
        "duty.done": 2,
        "duty.missed": 1,
        "duty.help.advice": 3,
        "duty.help.meeting": 1,
        "duty.help.opinion": 0,
    }
    for key in ("duty.shifts", "duty.missed", "duty.help.advice", "duty.help.meeting"):
        assert drill_total(session, key, START, END) == figures[key]["value"], key


def test_periods_that_overlap_or_are_many_count_as_each_alone(session, known_year):
    """Two periods apart are one statement grouped by period; overlapping ones, or more than two,
    are counted one at a time: the figures are the same either way."""
    alone = af.period_figures(session, START, END)
    before = af.period_figures(session, day(1, 1, YEAR - 1), day(12, 31, YEAR - 1))
    half = af.period_figures(session, day(7, 1), END)
    assert af.figures_for_periods(session, [(START, END), (START, END)]) == [alone, alone]
    assert af.figures_for_periods(session, [(day(7, 1), END), (START, END)]) == [half, alone]
    three = [(START, END), (day(1, 1, YEAR - 1), day(12, 31, YEAR - 1)), (day(7, 1), END)]
    assert af.figures_for_periods(session, three) == [alone, before, half]
    assert af.figures_for_periods(session, three[:2]) == [alone, before]


def test_a_list_of_categories_is_judged_as_the_databases_like(session):
    """The cases are grouped by their list of categories and each list judged in Python: the same
    answer as ``LIKE '%"category"%'`` in the database (``_`` any one character)."""
    import sqlalchemy as sa

    for text in ('["migrant_worker"]', '["migrantXworker", "minor"]', '["elderly"]', "[]", '["minors"]'):
        for category in af.LISTED:
            like = session.scalar(sa.select(sa.literal(text).like(f'%"{category}"%')))
            assert af.listed_has(text, category) == bool(like), (text, category)


def test_breakdowns_by_organisation_and_provider_add_up_their_cases(session, known_year):
    import sqlalchemy as sa

    from assignment.models import Assignment, Case, Provider

    handled = session.execute(
        sa.select(Provider.id, Provider.organization_id, Case.status, Case.group_size)
        .join(Assignment, Assignment.provider_id == Provider.id)
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.live.is_(True), Assignment.status == "accepted", Case.received_on.between(START, END)
        )
    ).all()
    organizations, providers = ab.by_handler(session, START, END)
    assert providers["total"] == len({p for p, *_ in handled}) and providers["rows"]
    for row in providers["rows"]:
        mine = [h for h in handled if h[0] == row["id"]]
        assert row["cases"] == len(mine) and row["persons"] == sum(h[3] for h in mine)
        assert row["closed"] == sum(h[2] in ("closed", "archived") for h in mine)
    for row in organizations:
        assert row["cases"] == sum(h[1] == row["id"] for h in handled)
    assert sum(o["cases"] for o in organizations) == len(handled)
    assert ab.by_handler(session, START, END, page=2)[1] == {
        "page": 2,
        "per_page": ab.PER_PAGE,
        "total": providers["total"],
        "rows": [],
    }


def test_the_records_are_paged_and_counted_to_a_cap(session, known_year, english, as_role, monkeypatch):
    """A year's records are counted to 10,000 (here 2), then "more than"; a page of them at a time
    (here 1)."""
    from legalaid import listing
    from supervision.statistics import annual_views

    session.rollback()
    monkeypatch.setattr(listing, "COUNT_CAP", 2)
    monkeypatch.setattr(annual_views, "RECORDS_PER_PAGE", 1)
    client = as_role("supervisor")
    url = f"/statistics/annual/records?figure=cases.received&from={START}&to={END}"
    page = client.get(url).get_data(as_text=True)
    assert "More than 2 records" in page and 'id="records-next"' in page
    second = client.get(url + "&page=2").get_data(as_text=True)
    assert 'id="records-previous"' in second and second.count("<tr>") == 1
    monkeypatch.setattr(listing, "COUNT_CAP", 10_000)
    monkeypatch.setattr(annual_views, "RECORDS_PER_PAGE", 50)
    whole = client.get(url).get_data(as_text=True)
    received = af.period_figures(session, START, END)["cases.received"]
    assert f"{received} records" in whole and 'id="records-next"' not in whole
    persons = client.get(url.replace("cases.received", "persons.total")).get_data(as_text=True)
    assert f"{af.period_figures(session, START, END)['persons.total']} persons" in persons


def test_the_breakdown_by_area_and_the_monthly_trend_share_one_pass(session, known_year):
    import sqlalchemy as sa

    from assignment.models import Case

    area = sa.func.coalesce(Case.intake_point, "")
    expected = session.execute(
        sa.select(area, sa.func.count(), sa.func.sum(Case.group_size))
        .where(Case.received_on.between(START, END))
        .group_by(area)
    ).all()
    areas = ab.by_area(session, START, END)
    assert {(r["area"], r["cases"], r["persons"]) for r in areas} == {(a, n, int(p)) for a, n, p in expected}
    assert [r["cases"] for r in areas] == sorted((r["cases"] for r in areas), reverse=True)
    received = ab.received_by_month_and_area(session, START, END)
    assert ab.by_area(session, START, END, received) == areas
    assert ab.monthly_trend(session, START, END, received=received) == ab.monthly_trend(session, START, END)
