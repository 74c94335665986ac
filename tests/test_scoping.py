"""Tenant scoping of the ORM: filtered reads, refused writes, failing closed."""

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from kpss.db import TenantScoped
from kpss.extensions import db
from kpss.tenancy.models import TerritoryMunicipality
from kpss.tenancy.scoping import (
    CrossTenantWrite,
    TenantNotBound,
    bind_tenant,
    platform_scope,
    scoped_get,
)


def codes(rows):
    return sorted(m.code for m in rows)


def test_queries_see_only_the_bound_tenant(app, tenant_a, tenant_b):
    with app.app_context():
        with bind_tenant(tenant_a.id):
            rows = db.session.execute(select(TerritoryMunicipality)).scalars().all()
            assert codes(rows) == ["500001", "500002"]
            count = db.session.execute(select(func.count(TerritoryMunicipality.id))).scalar()
            assert count == 2
        with bind_tenant(tenant_b.id):
            rows = db.session.execute(select(TerritoryMunicipality)).scalars().all()
            assert codes(rows) == ["600001"]


def test_a_query_with_no_tenant_bound_fails_closed(app, tenant_a):
    with app.app_context(), pytest.raises(TenantNotBound):
        db.session.execute(select(TerritoryMunicipality)).all()


def test_column_selects_and_bulk_updates_are_scoped_too(app, tenant_a, tenant_b):
    with app.app_context():
        with bind_tenant(tenant_a.id):
            names = db.session.execute(select(TerritoryMunicipality.name)).scalars().all()
            assert sorted(names) == ["Alfov", "Čáslavky"]
            db.session.execute(update(TerritoryMunicipality).values(name="Přejmenováno"))
            db.session.commit()
        with bind_tenant(tenant_b.id):
            assert db.session.execute(select(TerritoryMunicipality.name)).scalar() == "Betov"


def test_platform_scope_sees_every_tenant_on_purpose(app, tenant_a, tenant_b):
    with app.app_context(), platform_scope("test: count all"):
        assert db.session.execute(select(func.count(TerritoryMunicipality.id))).scalar() == 3


def test_platform_scope_needs_a_reason():
    with pytest.raises(ValueError, match="reason"), platform_scope(""):
        pass


def test_new_rows_take_the_bound_tenant(app, tenant_a):
    with app.app_context(), bind_tenant(tenant_a.id):
        row = TerritoryMunicipality(code="500099", name="Nová")
        db.session.add(row)
        db.session.commit()
        assert row.tenant_id == tenant_a.id


def test_writing_a_row_of_another_tenant_is_refused_before_flush(app, tenant_a, tenant_b):
    with app.app_context(), bind_tenant(tenant_a.id):
        db.session.add(TerritoryMunicipality(tenant_id=tenant_b.id, code="500098", name="Cizí"))
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
        db.session.rollback()
    with app.app_context(), bind_tenant(tenant_a.id):
        row = db.session.execute(select(TerritoryMunicipality)).scalars().first()
        row.tenant_id = tenant_b.id  # moving a row to another tenant
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
        db.session.rollback()


def test_writing_with_no_tenant_bound_is_refused(app):
    with app.app_context():
        db.session.add(TerritoryMunicipality(code="500097", name="Bez tenanta"))
        with pytest.raises(TenantNotBound):
            db.session.flush()
        db.session.rollback()


def test_scoped_get_does_not_return_a_foreign_row(app, tenant_a, tenant_b):
    with app.app_context():
        with bind_tenant(tenant_b.id):
            foreign_id = db.session.execute(select(TerritoryMunicipality.id)).scalar()
        with bind_tenant(tenant_a.id):
            assert scoped_get(TerritoryMunicipality, foreign_id) is None
            assert scoped_get(TerritoryMunicipality, "not-a-number") is None
        with bind_tenant(tenant_b.id):
            assert scoped_get(TerritoryMunicipality, foreign_id).name == "Betov"


def test_ids_are_unique_across_tenants(app, tenant_a, tenant_b):
    with app.app_context(), platform_scope("test: all ids"):
        ids = db.session.execute(select(TerritoryMunicipality.id)).scalars().all()
    assert len(ids) == len(set(ids)) == 3


def test_the_database_refuses_a_cross_tenant_reference(app, tenant_a, tenant_b):
    """Composite keys (tenant_id, x_id) -> x(tenant_id, id): even raw SQL cannot link two
    tenants. A child table made just for this test shows the mechanism on both databases."""
    with app.app_context():
        with bind_tenant(tenant_a.id):
            own = db.session.execute(select(TerritoryMunicipality.id)).scalar()
        with bind_tenant(tenant_b.id):
            foreign = db.session.execute(select(TerritoryMunicipality.id)).scalar()
        db.session.commit()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE test_child (tenant_id INTEGER NOT NULL, id BIGINT NOT NULL, "
                    "municipality_id BIGINT NOT NULL, PRIMARY KEY (tenant_id, id), "
                    "FOREIGN KEY (tenant_id, municipality_id) "
                    "REFERENCES territory_municipalities (tenant_id, id))"
                )
            )
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO test_child VALUES (:t, 1, :m)"), {"t": tenant_a.id, "m": own}
                )
            with pytest.raises(IntegrityError), db.engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO test_child VALUES (:t, 2, :m)"),
                    {"t": tenant_a.id, "m": foreign},
                )
        finally:
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE test_child"))


def test_every_tenant_owned_table_is_distributable_by_tenant(app):  # app: every model loaded
    """Citus rule: tenant_id is in every primary key and unique constraint."""
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        if not issubclass(cls, TenantScoped):
            continue
        table = cls.__table__
        assert next(c.name for c in table.primary_key.columns) == "tenant_id", table.name
        assert not table.c.tenant_id.nullable
        for constraint in table.constraints:
            if constraint.__class__.__name__ == "UniqueConstraint":
                assert "tenant_id" in constraint.columns, (table.name, constraint.name)
        for fk in table.foreign_key_constraints:
            referred = fk.referred_table
            if issubclass(_model_of(referred), TenantScoped):
                assert "tenant_id" in [c.name for c in fk.columns], (table.name, fk.name)


def _model_of(table):
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return object


def test_url_param_names_follow_the_class_name():
    assert TerritoryMunicipality.url_param() == "territory_municipality_id"


def test_a_tenant_table_only_in_from_or_where_is_scoped_too(app, tenant_a, tenant_b):
    from sqlalchemy import exists

    from kpss.tenancy.scoping import CoreStatementOnTenantTable

    with app.app_context(), bind_tenant(tenant_a.id):
        count = db.session.execute(select(func.count()).select_from(TerritoryMunicipality))
        assert count.scalar() == 2
        where_only = select(func.count()).where(TerritoryMunicipality.code != "x")
        assert db.session.execute(where_only).scalar() == 2
        orm_exists = (
            select(TerritoryMunicipality.id).where(TerritoryMunicipality.code == "600001").exists()
        )
        assert db.session.execute(select(orm_exists)).scalar() is False
        # Core statements cannot be filtered automatically: refused, not leaked
        for core in (
            select(func.count()).select_from(TerritoryMunicipality.__table__),
            select(exists().where(TerritoryMunicipality.code == "600001")),
        ):
            with pytest.raises(CoreStatementOnTenantTable):
                db.session.execute(core)
    with app.app_context(), pytest.raises(TenantNotBound):
        db.session.execute(select(func.count()).select_from(TerritoryMunicipality))


def test_references_have_the_type_of_the_ids_they_point_to(app):  # app: every model loaded
    for table in db.metadata.tables.values():
        for fk in table.foreign_key_constraints:
            for column, element in zip(fk.columns, fk.elements, strict=True):
                target = element.column
                assert type(column.type) is type(target.type), (
                    f"{table.name}.{column.name} is {column.type}, "
                    f"{target.table.name}.{target.name} is {target.type}"
                )
