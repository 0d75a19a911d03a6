"""``legalaid scheduler`` (the one scheduler of a deployment) and ``legalaid sweep`` (one sweep now)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from legalaid.db import db


@click.command("scheduler")
@click.option("--holder", default=None, help="Name of this scheduler in the lease (default host:pid).")
@with_appcontext
def scheduler_command(holder):
    """Run the sweeps (reminders and e-mail every minute, morning digest at 08:00, deadline checks).
    Holds a lease in the database: a second copy stays idle until the first stops."""
    import signal
    import sys

    from supervision.scheduling.scheduler import build_scheduler, release_lease

    app = current_app._get_current_object()
    db.session.remove()
    # A service manager stops us with SIGTERM: leave through the same path as Ctrl+C, giving up the lease.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    scheduler = build_scheduler(app, holder, blocking=True)
    click.echo(f"scheduler {scheduler.legalaid_holder} running (Ctrl+C to stop)", err=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        with app.app_context():
            release_lease(db.session, scheduler.legalaid_holder)


@click.command("sweep")
@click.option(
    "--loop",
    "loop_seconds",
    type=float,
    default=0.0,
    help="Keep sweeping reminders for this many seconds (0: once).",
)
@click.option("--batch", type=int, default=None, help="Reminders per transaction.")
@click.option("--list-ids", is_flag=True, help="Print the id of each reminder this process delivered.")
@click.option("--no-mail", is_flag=True, help="Leave the e-mail outbox alone.")
@with_appcontext
def sweep_command(loop_seconds, batch, list_ids, no_mail):
    """One sweep now (safe beside a running scheduler: rows are claimed, never delivered twice)."""
    from supervision.scheduling import reminders
    from supervision.scheduling.scheduler import plan_morning_reminders

    session = db.session
    plan_morning_reminders(session)
    deadline = time.monotonic() + loop_seconds
    sent = expired = 0
    while True:
        result = reminders.sweep_due_reminders(session, limit=batch)
        session.commit()
        sent += len(result["sent"])
        expired += result["expired"]
        if list_ids:
            for rid in result["sent"]:
                click.echo(f"sent {rid}")
        if time.monotonic() >= deadline and not result["sent"]:
            break
        if not result["sent"]:
            time.sleep(0.05)
    mail = {"sent": 0, "retrying": 0, "failed": 0} if no_mail else reminders.send_outbox(session)
    click.echo(
        f"reminders sent {sent}, expired {expired}; e-mail sent {mail['sent']}, "
        f"retrying {mail['retrying']}, given up {mail['failed']}",
        err=True,
    )


commands = [scheduler_command, sweep_command]
