"""``flask --app wsgi sms android-webhooks register|list|delete``: point the Android phone's
webhooks at this app, and see what the phone holds.

Attach to the ``sms`` group with ``sms_cli.add_command(android_webhooks)`` (``app.sms.cli``).
Registration uses fixed ids per event, so running it again replaces our hooks rather than adding
copies; run it again whenever the public address changes.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.sms.channels import ChannelConfigError, ChannelError

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
    from app.sms.channels.android_channel import register_webhooks, webhook_url

    base_url = base_url or current_app.config.get("PUBLIC_BASE_URL")
    if not base_url:
        raise click.UsageError("give --url or set PUBLIC_BASE_URL")
    if not base_url.startswith(("https://", "http://")):
        raise click.UsageError("--url must start with https:// (or http:// on a local network)")
    if not current_app.config.get("ANDROID_WEBHOOK_SIGNING_KEY"):
        click.echo("warning: ANDROID_WEBHOOK_SIGNING_KEY is not set; every webhook will be "
                   "refused (403) until it is", err=True)
    try:
        hooks = register_webhooks(base_url, office_code=office_code)
    except ChannelConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    except ChannelError as exc:
        raise _fail(exc) from exc
    click.echo(f"registered {len(hooks)} webhooks → {webhook_url(base_url, office_code)}")
    for hook in hooks:
        click.echo(f"  {hook.id}  {hook.event.value}")


@android_webhooks.command("list")
def list_() -> None:
    from app.sms.channels.android_channel import list_webhooks

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
    from app.sms.channels.android_channel import delete_webhook

    try:
        delete_webhook(current_app.config, hook_id)
    except ChannelConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    except ChannelError as exc:
        raise _fail(exc) from exc
    click.echo(f"deleted {hook_id}")
