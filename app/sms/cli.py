"""``flask --app wsgi sms worker|remind|android-webhooks``: the outbox sender, the reminder job
and the Android gateway phone's webhooks.

Run ``sms worker`` as a service (systemd restarts it; several may run at once on PostgreSQL),
or ``sms worker --once`` from cron: it sends everything due and exits. ``sms remind`` queues
"your result is waiting" texts; the long-running worker also does that once an hour. With
``SMS_CHANNEL=console`` nothing is sent: each text the worker would send is printed (recipient,
segments, body) before the counters.

``sms android-webhooks register|list|delete`` points the Android phone's webhooks at this app,
and shows what the phone holds. Registration uses fixed ids per event, so running it again
replaces our hooks rather than adding copies; run it again whenever the public address changes.
"""

from __future__ import annotations

import os
import re
import socket

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.models import Office, utcnow
from app.sms.channels import ChannelConfigError, ChannelError, get_channel, office_config
from app.sms.channels.android_channel import (
    delete_webhook,
    list_webhooks,
    register_webhooks,
    webhook_url,
)
from app.sms.hamlets import run_handover
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
        # A province may set its gateways per commune only (issue 13): then the app-wide
        # settings may be incomplete on purpose, and a commune without its own waits.
        if db.session.scalar(sa.select(Office.id).where(Office.sms_settings != "").limit(1)) is None:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"warning: {exc} (communes with SMS settings of their own still send)",
                   err=True)
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


@sms_cli.command("handover",
                 help="Move help requests nobody took within the hour to the next member, "
                      "then to the officer on duty; expire old ones.")
def handover() -> None:
    click.echo(str(run_handover(utcnow())))


# -- the Android gateway phone's webhooks

#: An AppGroup, so every command runs inside the app context (settings, database).
android_webhooks = AppGroup("android-webhooks", help="Webhooks of the Android SMS gateway phone.")


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(f"the gateway did not answer as expected: {exc}")


@android_webhooks.command("register")
@click.option("--url", "base_url", default=None,
              help="This app's public address, e.g. https://motcua.example.vn "
                   "(default: PUBLIC_BASE_URL). /sms/android is added.")
@click.option("--office", "office_code", default=None,
              help="Office code, when several communes share this deployment.")
def register(base_url: str | None, office_code: str | None) -> None:
    base_url = base_url or current_app.config.get("PUBLIC_BASE_URL")
    if not base_url:
        raise click.UsageError("give --url or set PUBLIC_BASE_URL")
    if not base_url.startswith(("https://", "http://")):
        raise click.UsageError("--url must start with https:// (or http:// on a local network)")
    config = current_app.config
    if office_code:
        # The commune's own gateway, when it has one (its SMS settings, issue 13).
        office = db.session.scalars(
            sa.select(Office).where(Office.code == office_code.upper())).first()
        try:
            config = office_config(office) if office is not None else config
        except ChannelConfigError as exc:
            raise click.ClickException(str(exc)) from exc
    if not config.get("ANDROID_WEBHOOK_SIGNING_KEY"):
        click.echo("warning: ANDROID_WEBHOOK_SIGNING_KEY is not set; every webhook will be "
                   "refused (403) until it is", err=True)
    try:
        hooks = register_webhooks(base_url, config=config, office_code=office_code)
    except ChannelConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    except ChannelError as exc:
        raise _fail(exc) from exc
    click.echo(f"registered {len(hooks)} webhooks → {webhook_url(base_url, office_code)}")
    for hook in hooks:
        click.echo(f"  {hook.id}  {hook.event.value}")


@android_webhooks.command("list")
def list_() -> None:
    try:
        hooks = list_webhooks(current_app.config)
    except ChannelConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    except ChannelError as exc:
        raise _fail(exc) from exc
    if not hooks:
        click.echo("no webhooks")
    for hook in hooks:
        click.echo(f"{hook.id}  {hook.event.value}  {hook.url}")


@android_webhooks.command("delete")
@click.argument("hook_id")
def delete(hook_id: str) -> None:
    try:
        delete_webhook(current_app.config, hook_id)
    except ChannelConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    except ChannelError as exc:
        raise _fail(exc) from exc
    click.echo(f"deleted {hook_id}")


sms_cli.add_command(android_webhooks)
