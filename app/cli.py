"""Command-line tools: ``flask --app wsgi demo load``, ``officer create|set-password|deactivate``,
``office create|list`` (issue 13: scripted set-up of a province's communes), ``data purge``.
The SMS worker registers its own group (``app.sms.cli``)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale

from app import catalogue
from app.demo.loader import load_demo
from app.extensions import db
from app.models import PROVINCE_ROLES, ROLES, Dossier, Office, Officer, ProcedureLocal
from app.offices import CommuneError, commune_rows, create_commune
from app.phones import normalise_phone
from app.retention import purge
from app.sms.cli import sms_cli


def register(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(officer_cli)
    app.cli.add_command(office_cli)
    app.cli.add_command(data_cli)
    app.cli.add_command(sms_cli)
    app.cli.add_command(catalogue_cli)


@click.group("data", help="Personal data: erase what is older than its retention period.")
def data_cli() -> None:
    pass


@data_cli.command("purge", help="Erase personal data past its retention period (RETAIN_*); "
                  "safe to run again. Run daily by deploy/systemd/motcua-daily.service.")
def data_purge() -> None:
    click.echo(f"purged: {purge()}")


@click.group(help="Demo data for Xã Vĩnh Bửu.")
def demo() -> None:
    pass


@demo.command("load", help="Load the demo commune (idempotent: safe to run again).")
def demo_load() -> None:
    summary = load_demo(password=current_app.config["DEMO_PASSWORD"])
    click.echo(summary)
    # The codes on the pages and in the README are labelled examples: the demo's dossiers are
    # dated from the day it was loaded, so this is the way to a code that matches one.
    dossier = db.session.scalars(
        sa.select(Dossier).where(Dossier.status == "processing", Dossier.phone != "")
        .order_by(Dossier.id)
    ).first()
    if dossier is not None:
        click.echo(f"a demo dossier to look up: {dossier.public_code} (phone ending {dossier.phone_last4}):"
                   f" /status?code={dossier.public_code}&digits={dossier.phone_last4}"
                   f" or text TT {dossier.public_code}")


@click.group("officer", help="Manage officer accounts.")
def officer_cli() -> None:
    pass


def _get(username: str) -> Officer:
    officer = db.session.scalars(sa.select(Officer).where(Officer.username == username)).first()
    if officer is None:
        raise click.ClickException(f"no officer named {username!r}")
    return officer


@officer_cli.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="officer", show_default=True)
@click.option("--title", default="")
@click.option("--phone", default="", help="Public phone shown to citizens")
@click.option("--office", "office_code", default=None, help="Office code (default: DEFAULT_OFFICE)")
@click.password_option()
def officer_create(username, name, role, title, phone, office_code, password) -> None:
    office = None
    if role in PROVINCE_ROLES:  # province staff belong to no commune (issue 13)
        if office_code:
            raise click.ClickException(f"{role} belongs to no commune: leave out --office")
    else:
        code = office_code or current_app.config["DEFAULT_OFFICE"]
        office = db.session.scalars(sa.select(Office).where(Office.code == code)).first()
        if office is None:
            raise click.ClickException(
                f"no office {code!r}; run `flask --app wsgi demo load` or create one")
    if db.session.scalars(sa.select(Officer).where(Officer.username == username)).first():
        raise click.ClickException(f"{username!r} exists")
    public = normalise_phone(phone) if phone else ""
    if phone and not public:
        raise click.ClickException(f"invalid phone {phone!r}")
    officer = Officer(office_id=office.id if office else None, username=username, name=name,
                      role=role, title=title,
                      public_phone=public or "")
    officer.set_password(password)
    db.session.add(officer)
    db.session.commit()
    click.echo(f"created {username} ({role})")


@officer_cli.command("set-password")
@click.argument("username")
@click.password_option()
def officer_set_password(username, password) -> None:
    officer = _get(username)
    officer.set_password(password)
    db.session.commit()
    click.echo(f"password changed for {username}")


@officer_cli.command("deactivate")
@click.argument("username")
def officer_deactivate(username) -> None:
    officer = _get(username)
    officer.active = False
    db.session.commit()
    click.echo(f"{username} can no longer sign in")


@click.group("office", help="Communes (offices) of this deployment: create, list.")
def office_cli() -> None:
    pass


@office_cli.command("create", help="Create a commune: CODE (2–5 letters, printed on slips) and "
                    "NAME; with --admin, its first admin, whose temporary password is printed "
                    "once and must be changed at first sign-in.")
@click.argument("code")
@click.argument("name")
@click.option("--admin", "admin_username", default=None, help="Username of the first admin.")
@click.option("--admin-name", default=None, help="The admin's full name [Quản trị NAME].")
@click.option("--admin-phone", default="", help="The admin's phone.")
@click.option("--name-en", default="", help="English name.")
@click.option("--former-name", "former_names", multiple=True,
              help="A name before the 2025 mergers (repeat for several).")
@click.option("--address", default="")
@click.option("--phone", default="", help="The office's phone.")
@click.option("--sms-number", default="", help="The number citizens text.")
@click.option("--map-url", default="", help="A map link (https://…).")
@click.option("--saturday", is_flag=True, help="Open on Saturday morning.")
def office_create(code, name, admin_username, admin_name, admin_phone, name_en, former_names,
                  address, phone, sms_number, map_url, saturday) -> None:
    values = {"code": code, "name": name, "name_en": name_en,
              "former_names": "\n".join(former_names), "address": address, "phone": phone,
              "sms_number": sms_number, "map_url": map_url, "open_saturday": saturday}
    admin = None
    if admin_username:
        admin = {"admin_username": admin_username,
                 "admin_name": admin_name or f"Quản trị {name}", "admin_phone": admin_phone}
    with force_locale("en"):
        try:
            office, officer, password = create_commune(values, admin, None)
        except CommuneError as err:
            db.session.rollback()
            raise click.ClickException(f"{err.field}: {err.message}") from err
    click.echo(f"created {office.code} {office.name} (/{office.slug}/)")
    offered = db.session.scalar(sa.select(sa.func.count(ProcedureLocal.id)).where(
        ProcedureLocal.office_id == office.id, ProcedureLocal.offered))
    click.echo(f"offers {offered} procedures of the province catalogue "
               f"(its admin un-offers one at /officer/guides/<slug>/local)")
    if officer is not None:
        click.echo(f"admin {officer.username}, temporary password (shown once, must be changed "
                   f"at first sign-in): {password}")


@office_cli.command("list", help="Every commune: code, name, active officers, dossiers.")
def office_list() -> None:
    rows = commune_rows()
    if not rows:
        click.echo("no communes")
        return
    click.echo("code\tname\tofficers\tdossiers")
    for row in rows:
        click.echo(f"{row.office.code}\t{row.office.name}\t{row.officers}\t{row.dossiers}")
@click.group("catalogue", help="The province procedure catalogue as a JSON file.")
def catalogue_cli() -> None:
    pass


@catalogue_cli.command("export", help="Write every procedure's facts (vi, en) to FILE ('-': stdout).")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
def catalogue_export(path: str) -> None:
    data = catalogue.export_catalogue()
    text = catalogue.export_json()
    if path == "-":
        click.echo(text, nl=False)
        return
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    click.echo(f"Exported {len(data['procedures'])} procedures to {path}.")


@catalogue_cli.command("import", help="Create or update procedures from FILE, in one transaction.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--offer-all", is_flag=True, help="Every commune offers every procedure of the file.")
@click.option("--dry-run", is_flag=True, help="Only say what would change.")
def catalogue_import(path: str, offer_all: bool, dry_run: bool) -> None:
    with open(path, "rb") as fh:
        raw = fh.read()
    # The reasons a file is refused are translated: the command line reads them in English.
    with current_app.test_request_context("/?lang=en"):
        _import(raw, offer_all, dry_run)


def _import(raw: bytes, offer_all: bool, dry_run: bool) -> None:
    try:
        items = catalogue.parse(raw)
        result = catalogue.plan(items) if dry_run else catalogue.apply(items, offer_all=offer_all)
    except catalogue.CatalogueError as err:
        raise click.ClickException(str(err)) from None
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb}: {len(result.created)} created, {len(result.updated)} updated, "
               f"{len(result.unchanged)} unchanged.")
