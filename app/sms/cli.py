"""``flask --app wsgi sms worker|remind``: the outbox sender and the reminder job.

Run ``sms worker`` as a service (systemd restarts it; several may run at once on PostgreSQL),
or ``sms worker --once`` from cron: it sends everything due and exits. ``sms remind`` queues
"your result is waiting" texts; the long-running worker also does that once an hour. With
``SMS_CHANNEL=console`` nothing is sent: each text the worker would send is printed (recipient,
segments, body) before the counters.
"""

from __future__ import annotations

import os
import re
import socket

import click

from app.models import utcnow
from app.sms.channels import ChannelConfigError, get_channel
from app.sms.reminders import queue_reminders
from app.sms.worker import run_forever, run_once
from app.sms.worker.loop import check_options

# Stored in Message.claimed_by (64 characters) and written to logs.
WORKER_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def default_worker_id() -> str:
    """host-pid: says which machine and process holds a claim, in the database and the logs."""
    return f"{socket.gethostname()}-{os.getpid()}"


@click.group("sms", help="SMS: send the outbox, queue reminders.")
def sms_cli() -> None:
    pass


@sms_cli.command("worker", help="Send queued SMS (retries, quiet hours, several workers safe).")
@click.option("--once", is_flag=True, help="Send everything due now, then exit (cron, tests).")
@click.option("--batch", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="Rows claimed at a time.")
@click.option("--worker-id", default=None, help="Name in claimed_by and logs [host-pid].")
@click.option("--interval", type=click.FloatRange(0.05), default=5.0, show_default=True,
              help="Seconds between polls when idle.")
@click.option("--lease", type=click.FloatRange(1), default=None,
              help="Seconds a claim lasts [SMS_CLAIM_SECONDS or 60].")
def worker(once: bool, batch: int, worker_id: str | None, interval: float,
           lease: float | None) -> None:
    if worker_id is not None and not WORKER_ID.fullmatch(worker_id):
        raise click.BadParameter("1 to 64 letters, digits, '.', '_' or '-'",
                                 param_hint="'--worker-id'")
    worker_id = worker_id or default_worker_id()
    try:
        get_channel()  # a wrong setting should stop the service at start, not at 3 a.m.
    except ChannelConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        check_options(lease)
    except ValueError as exc:  # a lease shorter than twice the send timeout: exit 2, say why
        raise click.BadParameter(str(exc), param_hint="'--lease'") from exc
    try:
        if once:
            stats = run_once(worker_id, batch, lease=lease)
        else:
            click.echo(f"SMS worker {worker_id} started (Ctrl-C to stop)")
            stats = run_forever(worker_id, batch, interval, lease=lease)
    except ValueError as exc:  # a lease shorter than twice the send timeout
        raise click.ClickException(str(exc)) from exc
    click.echo(str(stats))
    for error in dict.fromkeys(stats.errors):
        click.echo(f"error: {error}", err=True)


@sms_cli.command("remind", help="Queue reminders for results ready but not collected.")
def remind() -> None:
    click.echo(f"queued {queue_reminders(utcnow())} reminders")


try:  # the Android gateway's webhook commands: ``sms android-webhooks register|list|delete``
    from app.sms.android_cli import android_webhooks
except ImportError:  # pragma: no cover - ships with the Android channel
    pass
else:
    sms_cli.add_command(android_webhooks)
