"""``kpss proposals list|step`` — the calls' proposals and their workflow from a shell,
through the same services as the pages and the API."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group(help="Rozvojové záměry.")
def proposals() -> None:
    pass


def _tenant(slug: str):
    from kpss.tenancy.services import tenant_by_slug

    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise click.ClickException(f"Neznámý tenant {slug!r}.")
    return tenant


@proposals.command("list", help="Vypíše výzvy a jejich záměry se stavem a náklady.")
@click.option("--tenant", "slug", required=True, help="Zkratka tenanta, např. liberec.")
@with_appcontext
def list_command(slug: str) -> None:
    from flask_babel import force_locale

    from kpss.proposals import services
    from kpss.proposals.labels import state_label
    from kpss.tenancy.scoping import bind_tenant

    with bind_tenant(_tenant(slug).id), force_locale("cs"):
        for call in services.calls():
            click.echo(f"{call.id}  {call.title} (rok {call.year})")
            result = services.overview(call, include_drafts=True)
            for p in result.proposals:
                click.echo(
                    f"    {p.id}  {state_label(p.state):28}  {p.provider.name} – {p.title}"
                    f"  {p.total_cost:,.0f} Kč".replace(",", " ")
                )
            if not result.proposals:
                click.echo("    (žádné záměry)")


@proposals.command("step", help="Provede krok záměru (submit, assign, …) za daný účet.")
@click.argument("proposal_id", type=int)
@click.argument("action")
@click.option("--tenant", "slug", required=True)
@click.option("--as", "email", required=True, help="E-mail účtu, za který se krok dělá.")
@click.option("--note", default="", help="Poznámka nebo důvod.")
@click.option("--set", "values", multiple=True, help="Údaj kroku jako klíč=hodnota.")
@with_appcontext
def step_command(
    proposal_id: int, action: str, slug: str, email: str, note: str, values: tuple[str, ...]
) -> None:
    from flask_babel import force_locale

    from kpss.auth.services import find_user
    from kpss.cli import domain_messages
    from kpss.errors import DomainError
    from kpss.extensions import db
    from kpss.proposals import workflow
    from kpss.proposals.labels import state_label
    from kpss.tenancy.scoping import bind_tenant

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"Neznámý účet {email!r}.")
    data = dict(v.split("=", 1) for v in values if "=" in v)
    with bind_tenant(_tenant(slug).id), force_locale("cs"):
        try:
            proposal = workflow.transition(proposal_id, action, actor=user, note=note, **data)
        except DomainError as exc:
            raise click.ClickException(domain_messages(exc)) from exc
        db.session.commit()
        click.echo(f"Záměr {proposal.id}: {state_label(proposal.state)}.")
