"""body documents (statute, rules of procedure, versions); references to ids as BIGINT

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 18:49:13.465383

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "body_documents",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("body_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "statute",
                "rules_of_procedure",
                "charter",
                "other",
                name="bodydocumentkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("stored_name", sa.String(length=40), nullable=True),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("extension", sa.String(length=8), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("pack_key", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "body_id"],
            ["bodies.tenant_id", "bodies.id"],
            name=op.f("fk_body_documents_tenant_id_body_id_bodies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_body_documents_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_body_documents_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_body_documents")),
        sa.UniqueConstraint(
            "tenant_id", "pack_key", name=op.f("uq_body_documents_tenant_id_pack_key")
        ),
    )
    with op.batch_alter_table("body_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_body_documents_body_id"), ["body_id"], unique=False)

    with op.batch_alter_table("bodies", schema=None) as batch_op:
        batch_op.drop_column("rules_url")
        batch_op.drop_column("statute_url")

    with op.batch_alter_table("body_members", schema=None) as batch_op:
        batch_op.alter_column(
            "body_id", existing_type=sa.INTEGER(), type_=sa.BigInteger(), existing_nullable=False
        )
        batch_op.alter_column(
            "alternate_for_id",
            existing_type=sa.INTEGER(),
            type_=sa.BigInteger(),
            existing_nullable=True,
        )

    with op.batch_alter_table("group_managers", schema=None) as batch_op:
        batch_op.alter_column(
            "working_group_id",
            existing_type=sa.INTEGER(),
            type_=sa.BigInteger(),
            existing_nullable=False,
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.alter_column(
            "body_id", existing_type=sa.INTEGER(), type_=sa.BigInteger(), existing_nullable=True
        )

    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.alter_column(
            "meeting_id", existing_type=sa.INTEGER(), type_=sa.BigInteger(), existing_nullable=False
        )

    with op.batch_alter_table("registration_events", schema=None) as batch_op:
        batch_op.alter_column(
            "registration_id",
            existing_type=sa.INTEGER(),
            type_=sa.BigInteger(),
            existing_nullable=False,
        )

    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column(
            "meeting_id", existing_type=sa.INTEGER(), type_=sa.BigInteger(), existing_nullable=False
        )
        batch_op.alter_column(
            "provider_id", existing_type=sa.INTEGER(), type_=sa.BigInteger(), existing_nullable=True
        )


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column(
            "provider_id", existing_type=sa.BigInteger(), type_=sa.INTEGER(), existing_nullable=True
        )
        batch_op.alter_column(
            "meeting_id", existing_type=sa.BigInteger(), type_=sa.INTEGER(), existing_nullable=False
        )

    with op.batch_alter_table("registration_events", schema=None) as batch_op:
        batch_op.alter_column(
            "registration_id",
            existing_type=sa.BigInteger(),
            type_=sa.INTEGER(),
            existing_nullable=False,
        )

    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.alter_column(
            "meeting_id", existing_type=sa.BigInteger(), type_=sa.INTEGER(), existing_nullable=False
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.alter_column(
            "body_id", existing_type=sa.BigInteger(), type_=sa.INTEGER(), existing_nullable=True
        )

    with op.batch_alter_table("group_managers", schema=None) as batch_op:
        batch_op.alter_column(
            "working_group_id",
            existing_type=sa.BigInteger(),
            type_=sa.INTEGER(),
            existing_nullable=False,
        )

    with op.batch_alter_table("body_members", schema=None) as batch_op:
        batch_op.alter_column(
            "alternate_for_id",
            existing_type=sa.BigInteger(),
            type_=sa.INTEGER(),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "body_id", existing_type=sa.BigInteger(), type_=sa.INTEGER(), existing_nullable=False
        )

    with op.batch_alter_table("bodies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("statute_url", sa.VARCHAR(length=500), nullable=True))
        batch_op.add_column(sa.Column("rules_url", sa.VARCHAR(length=500), nullable=True))

    with op.batch_alter_table("body_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_documents_body_id"))

    op.drop_table("body_documents")
