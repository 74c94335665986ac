"""The ``kpss`` command (also available as ``flask --app kpss …``).

kpss demo                 migrate, load tenant packs, demo logins, serve (make run)
kpss tenants sync [FILE]  create or update tenants from packs
kpss users create / grant accounts and roles
kpss worker | kpss cron   rq worker (with scheduler) | periodic jobs
kpss outbox status|sweep  the queue's backlog, relay what Redis missed
kpss db upgrade           migrations (Flask-Migrate)
"""

from __future__ import annotations

import sys
from datetime import datetime, time
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from kpss.auth.models import Role

DEMO_PASSWORD = "demo-kpss-2024"  # noqa: S105  (embedded demo only; refused in production)
DEMO_OPERATOR = "provozovatel@kpss.example.cz"


def _create_app() -> Flask:
    from kpss import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="Platforma komunitního plánování (KPSS).")


def register_commands(app: Flask) -> None:
    for command in (tenants, users, worker, cron, outbox, demo, translations):
        app.cli.add_command(command)


# --- tenants ---------------------------------------------------------------------------


@click.group(help="Obce, ORP a kraje na platformě.")
def tenants() -> None:
    pass


@tenants.command(
    "sync", help="Vytvoří nebo aktualizuje tenanty z balíčků (výchozí: tenants/*.toml)."
)
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def tenants_sync(files: tuple[str, ...]) -> None:
    from kpss.tenancy.packs import sync_packs

    reports, errors = sync_packs(files)
    for report in reports:
        click.echo(report.summary())
    for error in errors:
        click.echo(error.describe(), err=True)
    changed = sum(1 for r in reports if r.changed)
    click.echo(
        f"Balíčků: {len(reports) + len(errors)}, změněno: {changed}, "
        f"beze změny: {len(reports) - changed}, odmítnuto: {len(errors)}."
    )
    if errors:
        sys.exit(1)


@tenants.command("list", help="Vypíše tenanty.")
@with_appcontext
def tenants_list() -> None:
    from kpss.extensions import db
    from kpss.tenancy.models import Tenant

    for tenant in db.session.execute(select(Tenant).order_by(Tenant.slug)).scalars():
        state = "aktivní" if tenant.active else "skrytý"
        click.echo(f"{tenant.slug:<16} {tenant.kind.value:<5} {state:<8} {tenant.name}")


# --- users -----------------------------------------------------------------------------


@click.group(help="Účty a role.")
def users() -> None:
    pass


@users.command("create", help="Založí účet.")
@click.argument("email")
@click.argument("name")
@click.option("--operator", is_flag=True, help="Provozovatel platformy.")
@click.password_option(help="Heslo (zeptá se, není-li zadáno).")
@with_appcontext
def users_create(email: str, name: str, operator: bool, password: str) -> None:
    from kpss.auth.services import create_user
    from kpss.errors import DomainError
    from kpss.extensions import db

    try:
        user = create_user(email, name, password, is_operator=operator)
    except DomainError as exc:
        raise click.ClickException(domain_messages(exc)) from exc
    db.session.commit()
    click.echo(f"Účet {user.email} založen.")


@users.command("grant", help="Přidělí roli v tenantovi.")
@click.argument("email")
@click.option("--tenant", "slug", required=True, help="Zkratka tenanta, např. praha.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
)
@with_appcontext
def users_grant(email: str, slug: str, role: str) -> None:
    from kpss.auth.services import find_user, grant_role
    from kpss.extensions import db
    from kpss.tenancy.scoping import bind_tenant
    from kpss.tenancy.services import tenant_by_slug

    user, tenant = find_user(email), tenant_by_slug(slug)
    if user is None or tenant is None:
        raise click.ClickException("Neznámý e-mail nebo tenant.")
    with bind_tenant(tenant.id):
        grant_role(user, Role(role))
        db.session.commit()
    click.echo(f"{user.email} je v {tenant.slug}: {role}.")


def domain_messages(exc) -> str:
    """A DomainError for the terminal: each field's message, or the error's own."""
    from kpss.schemas import flatten_errors

    problems = flatten_errors(exc.fields) if exc.fields else []
    return "; ".join(f"{k}: {m}" for k, m in problems) or str(exc.message)


# --- jobs ------------------------------------------------------------------------------


def _rq_transport():
    from kpss.queue import RQTransport

    transport = current_app.extensions["kpss_queue"]
    if not isinstance(transport, RQTransport):
        raise click.ClickException(
            "REDIS_URL není nastaveno: ve vestavěném režimu běží úlohy přímo v procesu webu."
        )
    return transport


@click.command(help="rq worker s plánovačem (odložené úlohy, opakování).")
@click.option("--queues", default="mail,default,periodic", show_default=True)
@click.option("--burst", is_flag=True, help="Zpracuje frontu a skončí.")
@with_appcontext
def worker(queues: str, burst: bool) -> None:
    _rq_transport().run_worker([q.strip() for q in queues.split(",") if q.strip()], burst=burst)


@click.command(help="Plánovač pravidelných úloh (rq cron): fronta, retence, připomínky.")
@with_appcontext
def cron() -> None:
    _rq_transport().run_cron()


@click.group(help="Odchozí fronta (outbox).")
def outbox() -> None:
    pass


@outbox.command("status", help="Počty úloh podle stavu.")
@with_appcontext
def outbox_status() -> None:
    from kpss.operator.services import outbox_health

    health = outbox_health()
    click.echo(
        f"čeká: {health['pending']}, selhalo: {health['failed']}, "
        f"hotovo za 24 h: {health['done_last_day']}"
    )


@outbox.command("sweep", help="Předá frontě úlohy, které minula (např. když neběžel Redis).")
@with_appcontext
def outbox_sweep() -> None:
    from kpss import queue

    click.echo(f"Předáno: {queue.execute('outbox.sweep', None, {})}")


# --- the embedded demo ----------------------------------------------------------------


def ensure_demo_logins() -> list[tuple[str, str]]:
    """An operator, and a coordinator for each tenant (embedded demo only)."""
    from kpss.auth.models import Role
    from kpss.auth.services import create_user, find_user, grant_role
    from kpss.extensions import db
    from kpss.tenancy.models import Tenant
    from kpss.tenancy.scoping import bind_tenant

    logins = []
    if find_user(DEMO_OPERATOR) is None:
        create_user(DEMO_OPERATOR, "Provozovatel platformy", DEMO_PASSWORD, is_operator=True)
    logins.append(("provozovatel", DEMO_OPERATOR))
    for tenant in db.session.execute(select(Tenant).order_by(Tenant.slug)).scalars():
        email = f"koordinator@{tenant.slug}.example.cz"
        user = find_user(email) or create_user(
            email, f"Koordinátor/ka ({tenant.name})", DEMO_PASSWORD
        )
        with bind_tenant(tenant.id):
            grant_role(user, Role.COORDINATOR)
        logins.append((tenant.slug, email))
    db.session.commit()
    return logins


def ensure_sample_meeting() -> str | None:
    """The seeds' meetings are past: give Praha's group 1 an upcoming one to try
    registration on (embedded demo only; labelled as a sample)."""
    from datetime import timedelta

    from kpss.auth.services import find_user
    from kpss.bodies.models import WorkingGroup
    from kpss.db import utcnow
    from kpss.extensions import db
    from kpss.meetings import services as meetings
    from kpss.meetings.models import Meeting
    from kpss.tenancy.scoping import bind_tenant
    from kpss.tenancy.services import tenant_by_slug
    from kpss.ui.formatting import local_to_utc

    praha = tenant_by_slug("praha")
    if praha is None:
        return None
    with bind_tenant(praha.id):
        group = db.session.execute(
            select(WorkingGroup).where(WorkingGroup.pack_key == "ps1")
        ).scalar_one_or_none()
        if group is None:
            return None
        existing = db.session.execute(
            select(Meeting).where(Meeting.title.like("%(ukázka)%"), Meeting.starts_at > utcnow())
        ).scalar_one_or_none()
        if existing is None:
            day = (utcnow() + timedelta(days=14)).date()
            start = local_to_utc(datetime.combine(day, time(10)), ZoneInfo(praha.timezone))
            existing = meetings.create_meeting(
                meetings.MeetingInput(
                    kind="group",
                    body_id=group.id,
                    title="Pracovní skupina 1. – jednání (ukázka)",
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    place="odbor sociálních věcí MHMP, Charvátova 145/9, Praha 1",
                    capacity=15,
                    per_org_limit=1,
                ),
                actor=find_user("koordinator@praha.example.cz"),
            )
            db.session.commit()
        return f"/praha/setkani/{existing.id}"


@click.command(help="Vestavěné demo: migrace, balíčky, demo účty a server (make run).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Jen připraví databázi a účty.")
@with_appcontext
def demo(host: str, port: int, no_serve: bool) -> None:
    from flask_migrate import upgrade

    from kpss.tenancy.packs import sync_packs

    app = current_app._get_current_object()
    if app.config["KPSS_ENV"] == "production":
        raise click.ClickException("Demo účty se v produkci nezakládají.")
    upgrade()
    reports, errors = sync_packs()
    for report in reports:
        click.echo(report.summary())
    for error in errors:
        click.echo(error.describe(), err=True)
    logins = ensure_demo_logins()
    sample = ensure_sample_meeting()
    url = f"http://{host}:{port}/"
    click.echo("")
    click.echo(f"KPSS běží na {url}  (heslo všech demo účtů: {DEMO_PASSWORD})")
    for who, email in logins:
        click.echo(f"  {who:<14} {email}")
    if sample:
        click.echo(f"Ukázkové jednání k vyzkoušení přihlášky: {url.rstrip('/')}{sample}")
    click.echo("")
    if no_serve:
        return
    transport = app.extensions["kpss_queue"]
    if hasattr(transport, "start_periodic"):
        transport.start_periodic()
    # Not app.run(): Flask ignores it inside its own CLI.
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False)


# --- translations -----------------------------------------------------------------------


@click.group(help="Překlady (čeština je zdrojový jazyk, angličtina překlad).")
def translations() -> None:
    pass


@translations.command("update", help="Vytáhne texty a aktualizuje katalogy; vypíše nepřeložené.")
def translations_update() -> None:
    from kpss.ui.catalogs import LOCALES, catalogs, update

    gaps = 0
    for catalog in catalogs():
        for locale in LOCALES:
            untranslated = update(catalog, locale)
            gaps += len(untranslated)
            click.echo(f"{catalog.name}/{locale}: nepřeloženo {len(untranslated)}")
            for msgid in untranslated:
                click.echo(f"    {msgid}")
    if gaps:
        sys.exit(1)
