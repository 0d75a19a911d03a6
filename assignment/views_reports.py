"""The fairness report page of a rotation pool, with its server-drawn chart and the CSV export."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from assignment import charts, pools, queries, reports
from assignment.forms import ReportForm
from assignment.views import REPORT_READERS, page_helpers
from legalaid.auth import roles_required
from legalaid.db import db

bp = Blueprint("rotation_reports", __name__, url_prefix="/reports")


@bp.get("/rotation")
@roles_required(*REPORT_READERS)
def fairness():
    """Counts vs expected share per member, spread, top-decile ratio vs 3×, overrides and declines."""
    pool_rows = queries.pools(db.session)
    form = ReportForm(request.args)
    form.pool_id.choices = [(pool.id, pool.name) for pool, _n in pool_rows]
    if not pool_rows:
        return render_template("assignment/fairness.html", form=form, report=None, **page_helpers())
    if "pool_id" not in request.args:
        form.pool_id.data = pool_rows[0][0].id
        form.pool_id.errors = []
    elif not form.validate():
        return render_template("assignment/fairness.html", form=form, report=None, **page_helpers()), 422
    pool = pools.get_pool(db.session, form.pool_id.data)
    report = reports.rotation_report(db.session, pool, form.date_from.data, form.date_to.data)
    by_coordinator = report["overrides_by_coordinator"] + report["declines_by_coordinator"]
    chart = charts.count_vs_expected(
        report["members"],
        title=_("Assignments counted against the expected share: %(pool)s", pool=pool.name),
        count_label=_("counted"),
        expected_label=_("expected share"),
    )
    csv_args = {"pool_id": pool.id, "from": form.date_from.data, "to": form.date_to.data}
    return render_template(
        "assignment/fairness.html",
        form=form,
        pool=pool,
        report=report,
        chart=chart,
        limit=reports.TOP_DECILE_LIMIT,
        coordinators=queries.user_names(db.session, [row["coordinator_id"] for row in by_coordinator]),
        csv_args={k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in csv_args.items() if v},
        **page_helpers(),
    )
