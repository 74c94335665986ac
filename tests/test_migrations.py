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


def test_upgrading_an_embedded_database_keeps_its_data(tmp_path):
    """SQLite rebuilds tables in migrations; rows that reference them must survive (the
    foreign keys' ON DELETE CASCADE must not fire while a table is rebuilt)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from kpss import create_app
    from tests.conftest import base_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO tenants (id, slug, name, kind, region, timezone, about, "
                    "brand_colour, contact_name, accessibility_compliance, accessibility_notes, "
                    "settings, active, created_at, updated_at) VALUES (1, 't', 'T', 'obec', 'K', "
                    "'Europe/Prague', '', '#1f4e79', 'K', 'partial', '', '{}', 1, "
                    "'2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO bodies (tenant_id, id, kind, name, description, active, "
                    "created_at) VALUES (1, 10, 'working_group', 'PS', '', 1, '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO meetings (tenant_id, id, kind, body_id, title, starts_at, "
                    "time_announced, agenda, status, registration_required, offer_hours, "
                    "reminder_hours, registration_seq, revision, created_at) VALUES "
                    "(1, 20, 'group', 10, 'J', '2026-02-01', 1, '', 'scheduled', 1, 48, 24, 1, "
                    "0, '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO registrations (tenant_id, id, meeting_id, seq, status, name, "
                    "triad_side, locale, consent_processing, consent_publish_name, "
                    "added_by_staff, created_at) VALUES (1, 30, 20, 1, 'confirmed', 'Jana', "
                    "'user', 'cs', 1, 0, 0, '2026-01-01')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM registrations")).scalars().all() == ["Jana"]
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
