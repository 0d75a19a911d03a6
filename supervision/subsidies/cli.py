"""``legalaid subsidies …``: finance's and supervisors' transitions from the command line.

Each command acts as a named user (``--as``), so role checks and the audit log apply as on the web."""

from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.models import User

subsidies_cli = click.Group("subsidies", help="Archiving, subsidies and payment batches.")


def _actor(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.active:
        raise click.ClickException(f"No active user {username!r}.")
    return user


def _run(action):
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc


@subsidies_cli.command("archive")
@click.argument("case_id", type=int)
@click.option("--as", "username", required=True, help="The supervisor archiving the case.")
@with_appcontext
def archive_command(case_id, username):
    """Archive a closed case."""
    from supervision.subsidies.archive import archive_case

    record = _run(lambda: archive_case(db.session, _actor(username), case_id))
    click.echo(f"case {case_id} archived as {record.number}")


@subsidies_cli.command("batch")
@click.argument("subsidy_ids", type=int, nargs=-1)
@click.option("--all-payable", is_flag=True, help="Batch every payable subsidy.")
@click.option("--as", "username", required=True, help="The finance clerk.")
@with_appcontext
def batch_command(subsidy_ids, all_payable, username):
    """Create a payment batch of the given payable subsidies (or all payable ones)."""
    from supervision.subsidies.batches import create_payment_batch

    if bool(subsidy_ids) == all_payable:
        raise click.UsageError("Give subsidy ids or --all-payable.")
    actor = _actor(username)
    batch = _run(
        lambda: (
            create_payment_batch(db.session, actor, filters={})
            if all_payable
            else create_payment_batch(db.session, actor, subsidy_ids)
        )
    )
    click.echo(f"payment batch {batch.id}: {batch.count} subsidies, {batch.total_fen} fen")


@subsidies_cli.command("confirm")
@click.argument("batch_id", type=int)
@click.option("--bank-reference", required=True)
@click.option("--paid-on", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@click.option(
    "--failed", "failed_ids", type=int, multiple=True, help="A subsidy the bank rejected; may repeat."
)
@click.option("--as", "username", required=True)
@with_appcontext
def confirm_command(batch_id, bank_reference, paid_on, failed_ids, username):
    """Confirm a payment batch paid."""
    from supervision.subsidies.batches import confirm_batch

    on: dt.date = paid_on.date()
    batch = _run(
        lambda: confirm_batch(
            db.session,
            _actor(username),
            batch_id,
            bank_reference=bank_reference,
            paid_on=on,
            failed_ids=failed_ids,
        )
    )
    click.echo(f"payment batch {batch.id} confirmed paid ({batch.failed_count} rejected)")


@subsidies_cli.command("release")
@click.argument("subsidy_id", type=int)
@click.option("--reason", required=True)
@click.option("--as", "username", required=True, help="The supervisor.")
@with_appcontext
def release_command(subsidy_id, reason, username):
    """Release a held subsidy."""
    from supervision.subsidies.subsidies import release_subsidy

    subsidy = _run(lambda: release_subsidy(db.session, _actor(username), subsidy_id, reason))
    click.echo(f"subsidy {subsidy.id} is {subsidy.status}")


def register(app) -> None:
    app.cli.add_command(subsidies_cli)
