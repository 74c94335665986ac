"""``kpss providers import FILE --tenant SLUG`` — the registry import, synchronously."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.group(help="Poskytovatelé a služby.")
def providers() -> None:
    pass


@providers.command(
    "import",
    help="Načte soubor otevřených dat registru poskytovatelů (JSON) do katalogu tenanta: "
    "jen služby na jeho území; opakovaný běh nic nemění. Vypíše zprávu; "
    "návratový kód 1, je-li soubor jako celek vadný.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="Zkratka tenanta, např. domazlice.")
@with_appcontext
def import_command(file: Path, slug: str) -> None:
    from flask_babel import force_locale

    from kpss.extensions import db
    from kpss.providers.models import ImportStatus, ProviderImport
    from kpss.providers.registry_import import execute
    from kpss.providers.report import describe
    from kpss.tenancy.scoping import bind_tenant
    from kpss.tenancy.services import tenant_by_slug

    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise click.ClickException(f"Neznámý tenant {slug!r}.")
    with bind_tenant(tenant.id):
        run = ProviderImport(file_name=file.name[:255], status=ImportStatus.QUEUED)
        db.session.add(run)
        db.session.commit()
        execute(run, file)
        with force_locale("cs"):
            for line in describe(run):
                click.echo(line)
        failed = run.status == ImportStatus.FAILED
    if failed:
        sys.exit(1)
