"""bodies and meetings: committee, working groups, members, meetings, registrations, minutes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 17:47:52.185825

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bodies",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "steering_committee", "working_group", name="bodykind", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("pack_key", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "quorum_rule",
            sa.Enum(
                "majority", "two_thirds", "count", name="quorumrule", native_enum=False, length=30
            ),
            nullable=True,
        ),
        sa.Column("quorum_count", sa.Integer(), nullable=True),
        sa.Column("statute_url", sa.String(length=500), nullable=True),
        sa.Column("rules_url", sa.String(length=500), nullable=True),
        sa.Column("area", sa.Text(), nullable=True),
        sa.Column("target_groups", sa.Text(), nullable=True),
        sa.Column(
            "registration_mode",
            sa.Enum("open", "registration", name="registrationmode", native_enum=False, length=30),
            nullable=True,
        ),
        sa.Column("default_capacity", sa.Integer(), nullable=True),
        sa.Column("default_per_org_limit", sa.Integer(), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_bodies_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_bodies")),
        sa.UniqueConstraint("tenant_id", "pack_key", name=op.f("uq_bodies_tenant_id_pack_key")),
    )
    op.create_table(
        "body_members",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("function", sa.String(length=300), nullable=True),
        sa.Column("organisation", sa.String(length=300), nullable=True),
        sa.Column(
            "triad_side",
            sa.Enum(
                "commissioner",
                "provider",
                "user",
                "public",
                name="triadside",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("voting", sa.Boolean(), nullable=False),
        sa.Column("alternate_for_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("publish_name", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("pack_key", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "alternate_for_id"],
            ["body_members.tenant_id", "body_members.id"],
            name=op.f("fk_body_members_tenant_id_alternate_for_id_body_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "body_id"],
            ["bodies.tenant_id", "bodies.id"],
            name=op.f("fk_body_members_tenant_id_body_id_bodies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_body_members_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_body_members_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_body_members")),
    )
    with op.batch_alter_table("body_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_body_members_body_id"), ["body_id"], unique=False)

    op.create_table(
        "group_managers",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("working_group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("public_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "working_group_id"],
            ["bodies.tenant_id", "bodies.id"],
            name=op.f("fk_group_managers_tenant_id_working_group_id_bodies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_group_managers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_managers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_group_managers")),
        sa.UniqueConstraint(
            "tenant_id",
            "working_group_id",
            "user_id",
            name=op.f("uq_group_managers_tenant_id_working_group_id_user_id"),
        ),
    )
    with op.batch_alter_table("group_managers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_managers_user_id"), ["user_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "group",
                "committee",
                "joint",
                "public",
                name="meetingkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_announced", sa.Boolean(), nullable=False),
        sa.Column("place", sa.String(length=500), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("scheduled", "cancelled", name="meetingstatus", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("registration_required", sa.Boolean(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("per_org_limit", sa.Integer(), nullable=True),
        sa.Column("registration_opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registration_closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_hours", sa.Integer(), nullable=False),
        sa.Column("reminder_hours", sa.Integer(), nullable=False),
        sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registration_seq", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("pack_key", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "body_id"],
            ["bodies.tenant_id", "bodies.id"],
            name=op.f("fk_meetings_tenant_id_body_id_bodies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_meetings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("tenant_id", "pack_key", name=op.f("uq_meetings_tenant_id_pack_key")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_meetings_tenant_id_starts_at", ["tenant_id", "starts_at"], unique=False
        )

    op.create_table(
        "minutes",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("resolutions", sa.Text(), nullable=False),
        sa.Column("document_url", sa.String(length=500), nullable=True),
        sa.Column("stored_name", sa.String(length=40), nullable=True),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("extension", sa.String(length=8), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_minutes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meeting_id"],
            ["meetings.tenant_id", "meetings.id"],
            name=op.f("fk_minutes_tenant_id_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_minutes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_minutes")),
        sa.UniqueConstraint(
            "tenant_id", "meeting_id", name=op.f("uq_minutes_tenant_id_meeting_id")
        ),
    )
    op.create_table(
        "registrations",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "confirmed",
                "offered",
                "waitlisted",
                "cancelled",
                "removed",
                "declined",
                "expired",
                name="registrationstatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("organisation", sa.String(length=300), nullable=True),
        sa.Column("organisation_key", sa.String(length=320), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column(
            "triad_side",
            sa.Enum(
                "commissioner",
                "provider",
                "user",
                "public",
                name="triadside",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("consent_processing", sa.Boolean(), nullable=False),
        sa.Column("consent_publish_name", sa.Boolean(), nullable=False),
        sa.Column("added_by_staff", sa.Boolean(), nullable=False),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meeting_id"],
            ["meetings.tenant_id", "meetings.id"],
            name=op.f("fk_registrations_tenant_id_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "provider_id"],
            ["providers.tenant_id", "providers.id"],
            name=op.f("fk_registrations_tenant_id_provider_id_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_registrations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_registrations")),
        sa.UniqueConstraint(
            "tenant_id", "meeting_id", "seq", name=op.f("uq_registrations_tenant_id_meeting_id_seq")
        ),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registrations_meeting_status", ["tenant_id", "meeting_id", "status"], unique=False
        )

    op.create_table(
        "registration_events",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_registration_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "registration_id"],
            ["registrations.tenant_id", "registrations.id"],
            name=op.f("fk_registration_events_tenant_id_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_registration_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_registration_events")),
    )
    with op.batch_alter_table("registration_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_events_registration_id"), ["registration_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("registration_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_events_registration_id"))

    op.drop_table("registration_events")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_registrations_meeting_status")

    op.drop_table("registrations")
    op.drop_table("minutes")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_tenant_id_starts_at")

    op.drop_table("meetings")
    with op.batch_alter_table("group_managers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_managers_user_id"))

    op.drop_table("group_managers")
    with op.batch_alter_table("body_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_members_body_id"))

    op.drop_table("body_members")
    op.drop_table("bodies")
