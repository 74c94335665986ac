"""providers: reference data, providers, services, imports

The code lists (service types by section of zákon 108/2006 Sb., delivery forms, target
and age groups) are global reference tables, seeded here from the CSV files of
platform/kpss/reference/data; `kpss reference sync` loads the same files idempotently
(and an operator's additions). Providers, services, capacities, facilities,
representatives and import runs are tenant-owned.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:51:09.526956

"""

import sqlalchemy as sa
from alembic import op

from kpss.reference.data import read_rows

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    age_groups = op.create_table(
        "age_groups",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_cs", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.String(length=500), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_age_groups")),
    )
    delivery_forms = op.create_table(
        "delivery_forms",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_cs", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.String(length=500), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_delivery_forms")),
    )
    service_types = op.create_table(
        "service_types",
        sa.Column("section", sa.String(length=10), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "care",
                "prevention",
                "counselling",
                "other",
                name="servicecategory",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_cs", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.String(length=500), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_service_types")),
    )
    target_groups = op.create_table(
        "target_groups",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_cs", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.String(length=500), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_target_groups")),
    )
    for name, table in (
        ("service-types", service_types),
        ("delivery-forms", delivery_forms),
        ("target-groups", target_groups),
        ("age-groups", age_groups),
    ):
        op.bulk_insert(table, read_rows(name))
    op.create_table(
        "provider_imports",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="importstatus",
                native_enum=False,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("ended", sa.Integer(), nullable=False),
        sa.Column("malformed", sa.Integer(), nullable=False),
        sa.Column("outside", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_provider_imports_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_provider_imports_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_provider_imports")),
    )
    op.create_table(
        "providers",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("ico", sa.String(length=8), nullable=True),
        sa.Column("legal_form", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=400), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=True),
        sa.Column("web", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=60), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("manual", "registry", name="recordsource", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_providers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_providers")),
        sa.UniqueConstraint("tenant_id", "ico", name=op.f("uq_providers_tenant_id_ico")),
    )
    op.create_table(
        "provider_representatives",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("provider_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "provider_id"],
            ["providers.tenant_id", "providers.id"],
            name=op.f("fk_provider_representatives_tenant_id_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_provider_representatives_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_provider_representatives_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_provider_representatives")),
        sa.UniqueConstraint(
            "tenant_id",
            "provider_id",
            "user_id",
            name=op.f("uq_provider_representatives_tenant_id_provider_id_user_id"),
        ),
    )
    with op.batch_alter_table("provider_representatives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_representatives_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "services",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("provider_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("registry_id", sa.String(length=20), nullable=True),
        sa.Column("is_registered", sa.Boolean(), nullable=False),
        sa.Column("related_kind", sa.String(length=100), nullable=False),
        sa.Column("service_type_code", sa.String(length=40), nullable=True),
        sa.Column("delivery_form_codes", sa.JSON(), nullable=False),
        sa.Column("target_group_codes", sa.JSON(), nullable=False),
        sa.Column("age_group_codes", sa.JSON(), nullable=False),
        sa.Column("municipality_codes", sa.JSON(), nullable=False),
        sa.Column("opening_hours", sa.Text(), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_phone", sa.String(length=60), nullable=False),
        sa.Column("web", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column(
            "source",
            sa.Enum("manual", "registry", name="recordsource", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_type_code"],
            ["service_types.code"],
            name=op.f("fk_services_service_type_code_service_types"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "provider_id"],
            ["providers.tenant_id", "providers.id"],
            name=op.f("fk_services_tenant_id_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_services_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_services")),
        sa.UniqueConstraint(
            "tenant_id", "registry_id", name=op.f("uq_services_tenant_id_registry_id")
        ),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_services_service_type_code"), ["service_type_code"], unique=False
        )
        batch_op.create_index(
            "ix_services_tenant_id_provider_id", ["tenant_id", "provider_id"], unique=False
        )

    op.create_table(
        "facilities",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=400), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=True),
        sa.Column("address_point_code", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "service_id"],
            ["services.tenant_id", "services.id"],
            name=op.f("fk_facilities_tenant_id_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_facilities_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_facilities")),
    )
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_facilities_tenant_id_service_id", ["tenant_id", "service_id"], unique=False
        )

    op.create_table(
        "service_capacities",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("delivery_form_code", sa.String(length=40), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(
                "beds",
                "clients",
                "interventions",
                "contacts",
                "calls",
                "fte",
                name="capacityunit",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_form_code"],
            ["delivery_forms.code"],
            name=op.f("fk_service_capacities_delivery_form_code_delivery_forms"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "service_id"],
            ["services.tenant_id", "services.id"],
            name=op.f("fk_service_capacities_tenant_id_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_service_capacities_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_service_capacities")),
        sa.UniqueConstraint(
            "tenant_id",
            "service_id",
            "delivery_form_code",
            "unit",
            name="uq_service_capacities_service_form_unit",
        ),
    )


def downgrade():
    op.drop_table("service_capacities")
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_index("ix_facilities_tenant_id_service_id")

    op.drop_table("facilities")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_index("ix_services_tenant_id_provider_id")
        batch_op.drop_index(batch_op.f("ix_services_service_type_code"))

    op.drop_table("services")
    with op.batch_alter_table("provider_representatives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_representatives_user_id"))

    op.drop_table("provider_representatives")
    op.drop_table("providers")
    op.drop_table("provider_imports")
    op.drop_table("target_groups")
    op.drop_table("service_types")
    op.drop_table("delivery_forms")
    op.drop_table("age_groups")
