"""comments: periods, comments, settlement

A comment period opens a published draft (plan_versions) for public comments between
two local dates; opens_at/closes_at are the same bounds as UTC instants. comment_seq is
the receipt counter (raised by one UPDATE ... RETURNING per comment, which also locks the
period's row). Comments are never deleted: their references to periods and versions have
no ON DELETE, so the database refuses to drop a commented period or version. Unique keys
start with (tenant_id, period_id) and serve as the lookup indexes; submission_key makes a
submission idempotent; number_prefix is unique in the tenant, so a receipt number names
one comment of the tenant.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 18:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "comment_periods",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("all_sections", sa.Boolean(), nullable=False),
        sa.Column("section_keys", sa.JSON(), nullable=False),
        sa.Column("number_prefix", sa.String(length=20), nullable=False),
        sa.Column("comment_seq", sa.Integer(), nullable=False),
        sa.Column("managers_may_settle", sa.Boolean(), nullable=False),
        sa.Column("settlement_intro", sa.Text(), nullable=False),
        sa.Column("settlement_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settlement_published_by_id", sa.Integer(), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_published_by_id"],
            ["users.id"],
            name=op.f("fk_comment_periods_settlement_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "cycle_id"],
            ["plan_cycles.tenant_id", "plan_cycles.id"],
            name=op.f("fk_comment_periods_tenant_id_cycle_id_plan_cycles"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "version_id"],
            ["plan_versions.tenant_id", "plan_versions.id"],
            name=op.f("fk_comment_periods_tenant_id_version_id_plan_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_comment_periods_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_comment_periods")),
        sa.UniqueConstraint(
            "tenant_id", "number_prefix", name=op.f("uq_comment_periods_tenant_id_number_prefix")
        ),
    )
    with op.batch_alter_table("comment_periods", schema=None) as batch_op:
        batch_op.create_index("ix_comment_periods_cycle", ["tenant_id", "cycle_id"], unique=False)
        batch_op.create_index(
            "ix_comment_periods_version", ["tenant_id", "version_id"], unique=False
        )

    op.create_table(
        "comments",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("period_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("submission_key", sa.String(length=100), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("section_key", sa.String(length=80), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("suggested_change", sa.Text(), nullable=False),
        sa.Column(
            "weight",
            sa.Enum("fundamental", "recommended", name="weight", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column(
            "triad_side",
            sa.Enum(
                "commissioner",
                "provider",
                "user",
                "public",
                name="triadside",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("consent_publish_name", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("web", "api", "staff", name="channel", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("attachment_name", sa.String(length=255), nullable=False),
        sa.Column("attachment_stored", sa.String(length=80), nullable=False),
        sa.Column("attachment_extension", sa.String(length=10), nullable=False),
        sa.Column("attachment_size", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum(
                "accepted",
                "partially_accepted",
                "rejected",
                "noted",
                "explained",
                name="verdict",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("change_version_id", sa.BigInteger(), nullable=True),
        sa.Column("change_section_key", sa.String(length=80), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["users.id"],
            name=op.f("fk_comments_hidden_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["settled_by_id"],
            ["users.id"],
            name=op.f("fk_comments_settled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "change_version_id"],
            ["plan_versions.tenant_id", "plan_versions.id"],
            name=op.f("fk_comments_tenant_id_change_version_id_plan_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "period_id"],
            ["comment_periods.tenant_id", "comment_periods.id"],
            name=op.f("fk_comments_tenant_id_period_id_comment_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_comments_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_comments")),
        sa.UniqueConstraint(
            "tenant_id", "period_id", "number", name=op.f("uq_comments_tenant_id_period_id_number")
        ),
        sa.UniqueConstraint(
            "tenant_id", "period_id", "seq", name=op.f("uq_comments_tenant_id_period_id_seq")
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "period_id",
            "submission_key",
            name=op.f("uq_comments_tenant_id_period_id_submission_key"),
        ),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comments_change_version", ["tenant_id", "change_version_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_change_version")

    op.drop_table("comments")
    with op.batch_alter_table("comment_periods", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_periods_version")
        batch_op.drop_index("ix_comment_periods_cycle")

    op.drop_table("comment_periods")
