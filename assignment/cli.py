"""``legalaid panel import`` and the sweeps a scheduler also runs (``legalaid cases …``)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from legalaid import clock
from legalaid.db import db
from legalaid.errors import DomainError

panel_cli = click.Group("panel", help="The panel of providers.")
cases_cli = click.Group("cases", help="Cases and assignments: the daily sweeps.")


@panel_cli.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@with_appcontext
def panel_import(csv_file):
    """Import providers from CSV; any bad row → a per-row report and nothing imported."""
    from assignment.panel_import import CSV_COLUMNS, import_panel_csv

    try:
        result = import_panel_csv(db.session, csv_file.read(), None)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        for where, problems in sorted((exc.fields or {}).items()):
            click.echo(f"{where}: {'; '.join(problems)}", err=True)
        raise click.ClickException(f"{exc.message} Columns: {', '.join(CSV_COLUMNS)}") from exc
    click.echo(f"imported {result['providers']} providers ({result['organizations']} new organisations)")


@cases_cli.command("lapse-materials")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@with_appcontext
def lapse_materials(today):
    """Withdraw cases whose missing materials were not supplied in time (Law art. 43)."""
    from assignment.intake import lapse_overdue_material_requests

    lapsed = lapse_overdue_material_requests(db.session, today.date() if today else clock.today())
    db.session.commit()
    click.echo(f"{len(lapsed)} case(s) withdrawn")


@cases_cli.command("expire-assignments")
@with_appcontext
def expire_assignments():
    """Assignments not accepted in time count as the turn; the case moves to the next in line."""
    from assignment.rotation import expire_unanswered_assignments

    expired = expire_unanswered_assignments(db.session, clock.now())
    db.session.commit()
    click.echo(f"{len(expired)} assignment(s) expired")


def register(app) -> None:
    app.cli.add_command(panel_cli)
    app.cli.add_command(cases_cli)
