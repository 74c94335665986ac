"""plans: cycles, timeline, documents, attachments

Tenant-owned like every table since 0001: primary key (tenant_id, id), references as
composite foreign keys. A section's parent is named by key within its version
((tenant_id, version_id, parent_key) -> (tenant_id, version_id, key)), so a section can
never hang under a part of another version; the unique keys starting with
(tenant_id, cycle_id) / (tenant_id, version_id) also serve as the lookup indexes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 17:02:06.913891

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_cycles",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("territory_note", sa.String(length=300), nullable=False),
        sa.Column("territory_codes", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "preparation",
                "analysis",
                "working_groups",
                "draft",
                "comment_period",
                "settlement",
                "approval",
                "in_force",
                "evaluation",
                "archived",
                name="cyclestatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pack_key", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_plan_cycles_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_plan_cycles")),
        sa.UniqueConstraint(
            "tenant_id", "pack_key", name=op.f("uq_plan_cycles_tenant_id_pack_key")
        ),
    )
    op.create_table(
        "plan_attachments",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "statute",
                "charter",
                "survey",
                "presentation",
                "plan",
                "catalogue",
                "minutes",
                "other",
                name="attachmentkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("extension", sa.String(length=10), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("pack_key", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "cycle_id"],
            ["plan_cycles.tenant_id", "plan_cycles.id"],
            name=op.f("fk_plan_attachments_tenant_id_cycle_id_plan_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_plan_attachments_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_plan_attachments_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_plan_attachments")),
        sa.UniqueConstraint(
            "tenant_id",
            "cycle_id",
            "pack_key",
            name=op.f("uq_plan_attachments_tenant_id_cycle_id_pack_key"),
        ),
    )
    op.create_table(
        "plan_milestones",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pack_key", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "cycle_id"],
            ["plan_cycles.tenant_id", "plan_cycles.id"],
            name=op.f("fk_plan_milestones_tenant_id_cycle_id_plan_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_plan_milestones_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_plan_milestones")),
        sa.UniqueConstraint(
            "tenant_id",
            "cycle_id",
            "pack_key",
            name=op.f("uq_plan_milestones_tenant_id_cycle_id_pack_key"),
        ),
    )
    op.create_table(
        "plan_phases",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column(
            "precision",
            sa.Enum("year", "month", "day", name="dateprecision", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("date_label", sa.String(length=120), nullable=False),
        sa.Column("pack_key", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "cycle_id"],
            ["plan_cycles.tenant_id", "plan_cycles.id"],
            name=op.f("fk_plan_phases_tenant_id_cycle_id_plan_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_plan_phases_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_plan_phases")),
        sa.UniqueConstraint(
            "tenant_id",
            "cycle_id",
            "pack_key",
            name=op.f("uq_plan_phases_tenant_id_cycle_id_pack_key"),
        ),
    )
    op.create_table(
        "plan_resolutions",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "intent",
                "approval",
                "update",
                "other",
                name="resolutionkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("pack_key", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "cycle_id"],
            ["plan_cycles.tenant_id", "plan_cycles.id"],
            name=op.f("fk_plan_resolutions_tenant_id_cycle_id_plan_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_plan_resolutions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_plan_resolutions")),
        sa.UniqueConstraint(
            "tenant_id",
            "cycle_id",
            "pack_key",
            name=op.f("uq_plan_resolutions_tenant_id_cycle_id_pack_key"),
        ),
    )
    op.create_table(
        "plan_versions",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("is_final", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pack_key", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "cycle_id"],
            ["plan_cycles.tenant_id", "plan_cycles.id"],
            name=op.f("fk_plan_versions_tenant_id_cycle_id_plan_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_plan_versions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint(
            "tenant_id",
            "cycle_id",
            "number",
            name=op.f("uq_plan_versions_tenant_id_cycle_id_number"),
        ),
    )
    op.create_table(
        "plan_sections",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("parent_key", sa.String(length=80), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "chapter",
                "priority",
                "measure",
                "activity",
                name="sectionkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("responsible_party", sa.String(length=300), nullable=False),
        sa.Column("funding_source", sa.String(length=300), nullable=False),
        sa.Column("indicator", sa.String(length=500), nullable=False),
        sa.Column("timeframe", sa.String(length=120), nullable=False),
        sa.Column("target_groups", sa.JSON(), nullable=False),
        sa.Column("service_types", sa.JSON(), nullable=False),
        sa.Column("pack_key", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "version_id", "parent_key"],
            ["plan_sections.tenant_id", "plan_sections.version_id", "plan_sections.key"],
            name=op.f("fk_plan_sections_tenant_id_version_id_parent_key_plan_sections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "version_id"],
            ["plan_versions.tenant_id", "plan_versions.id"],
            name=op.f("fk_plan_sections_tenant_id_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_plan_sections_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_plan_sections")),
        sa.UniqueConstraint(
            "tenant_id", "version_id", "key", name=op.f("uq_plan_sections_tenant_id_version_id_key")
        ),
    )


def downgrade():
    op.drop_table("plan_sections")
    op.drop_table("plan_versions")
    op.drop_table("plan_resolutions")
    op.drop_table("plan_phases")
    op.drop_table("plan_milestones")
    op.drop_table("plan_attachments")
    op.drop_table("plan_cycles")
