"""``kpss reference sync`` — load the code lists (also run by the migration)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

LABELS = {
    "service-types": "druhy služeb",
    "delivery-forms": "formy poskytování",
    "target-groups": "cílové skupiny",
    "age-groups": "věkové skupiny",
}


@click.group(help="Číselníky: druhy sociálních služeb, formy, cílové a věkové skupiny.")
def reference() -> None:
    pass


@reference.command(
    "sync",
    help="Načte číselníky dodané s aplikací a volitelně doplňky provozovatele "
    "(složka se soubory service-types.csv, target-groups.csv …). Nic nemaže.",
)
@click.option(
    "--from",
    "extra",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Složka s doplňujícími CSV (stejné sloupce jako platform/kpss/reference/data).",
)
@with_appcontext
def sync_command(extra: tuple[Path, ...]) -> None:
    from kpss.extensions import db
    from kpss.reference.data import DATA_DIR, ReferenceFileError
    from kpss.reference.services import sync

    try:
        results = sync([DATA_DIR, *extra])
    except ReferenceFileError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for kind, result in results.items():
        state = (
            f"nové {result.created}, změněné {result.updated}, beze změny {result.unchanged}"
            if result.changed
            else f"beze změny ({result.unchanged})"
        )
        click.echo(f"{LABELS[kind]}: {state}")
