"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kpss.db import migration_filter, render_migration_item
from kpss.extensions import db


def test_models_and_migrations_do_not_drift(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_object": migration_filter(conn.dialect.name),
                "render_item": render_migration_item,
                "compare_type": True,
            },
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations; run `make revision m=...`: {diff}"


def test_constraints_have_predictable_names(app):
    with app.app_context():
        names = {c.name for t in db.metadata.tables.values() for c in t.constraints}
    assert "pk_tenants" in names
    assert "uq_territory_municipalities_tenant_id_code" in names
    assert "fk_memberships_user_id_users" in names
