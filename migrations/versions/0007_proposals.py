"""proposals: calls, proposals with their audit trail and attachments, committee
attendance and votes

Every reference is a composite (tenant_id, id) key. A proposal's costs and staff are JSON
lists edited as a whole with the form. The Role value "social_department" (memberships)
needs no schema change: roles are stored as VARCHAR(30) without a CHECK.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 19:31:08.354881

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_attendance",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.Column("body_member_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "body_member_id"],
            ["body_members.tenant_id", "body_members.id"],
            name=op.f("fk_member_attendance_tenant_id_body_member_id_body_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meeting_id"],
            ["meetings.tenant_id", "meetings.id"],
            name=op.f("fk_member_attendance_tenant_id_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_member_attendance_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_member_attendance")),
        sa.UniqueConstraint(
            "tenant_id",
            "meeting_id",
            "body_member_id",
            name=op.f("uq_member_attendance_tenant_id_meeting_id_body_member_id"),
        ),
    )
    op.create_table(
        "proposal_calls",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("submission_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("committee_meeting_id", sa.BigInteger(), nullable=True),
        sa.Column("pack_key", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "committee_meeting_id"],
            ["meetings.tenant_id", "meetings.id"],
            name=op.f("fk_proposal_calls_tenant_id_committee_meeting_id_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_proposal_calls_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_proposal_calls")),
        sa.UniqueConstraint(
            "tenant_id", "pack_key", name=op.f("uq_proposal_calls_tenant_id_pack_key")
        ),
    )
    op.create_table(
        "proposal_call_meetings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("call_id", sa.BigInteger(), nullable=False),
        sa.Column("meeting_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "call_id"],
            ["proposal_calls.tenant_id", "proposal_calls.id"],
            name=op.f("fk_proposal_call_meetings_tenant_id_call_id_proposal_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meeting_id"],
            ["meetings.tenant_id", "meetings.id"],
            name=op.f("fk_proposal_call_meetings_tenant_id_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_proposal_call_meetings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_proposal_call_meetings")),
        sa.UniqueConstraint(
            "tenant_id",
            "call_id",
            "meeting_id",
            name=op.f("uq_proposal_call_meetings_tenant_id_call_id_meeting_id"),
        ),
    )
    op.create_table(
        "proposals",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("call_id", sa.BigInteger(), nullable=False),
        sa.Column("provider_id", sa.BigInteger(), nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=True),
        sa.Column("service_name", sa.String(length=300), nullable=False),
        sa.Column("service_type_code", sa.String(length=40), nullable=True),
        sa.Column("delivery_form_code", sa.String(length=40), nullable=True),
        sa.Column("target_group_codes", sa.JSON(), nullable=False),
        sa.Column("municipality_codes", sa.JSON(), nullable=False),
        sa.Column(
            "change_kind",
            sa.Enum(
                "new_service",
                "more_capacity",
                "new_form",
                "other",
                name="changekind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("change_description", sa.Text(), nullable=False),
        sa.Column(
            "capacity_unit",
            sa.Enum("clients", "beds", "fte", name="proposalunit", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("current_capacity", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("requested_capacity", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("staff", sa.JSON(), nullable=False),
        sa.Column("costs", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("need_evidence", sa.Text(), nullable=False),
        sa.Column("measure_id", sa.BigInteger(), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "submitted",
                "assigned",
                "presented",
                "group_reviewed",
                "department_reviewed",
                "on_agenda",
                "decided",
                "returned",
                "published",
                "withdrawn",
                name="proposalstate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("working_group_id", sa.BigInteger(), nullable=True),
        sa.Column("group_meeting_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "group_opinion",
            sa.Enum(
                "recommends",
                "does_not_recommend",
                name="groupopinion",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("opinion_votes_for", sa.Integer(), nullable=True),
        sa.Column("opinion_votes_against", sa.Integer(), nullable=True),
        sa.Column("opinion_votes_abstain", sa.Integer(), nullable=True),
        sa.Column("opinion_justification", sa.Text(), nullable=False),
        sa.Column("department_statement", sa.Text(), nullable=False),
        sa.Column("committee_meeting_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "decision",
            sa.Enum(
                "approved", "rejected", "returned", name="decision", native_enum=False, length=20
            ),
            nullable=True,
        ),
        sa.Column("resolution_number", sa.String(length=40), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("internal_note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_proposals_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_form_code"],
            ["delivery_forms.code"],
            name=op.f("fk_proposals_delivery_form_code_delivery_forms"),
        ),
        sa.ForeignKeyConstraint(
            ["service_type_code"],
            ["service_types.code"],
            name=op.f("fk_proposals_service_type_code_service_types"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "call_id"],
            ["proposal_calls.tenant_id", "proposal_calls.id"],
            name=op.f("fk_proposals_tenant_id_call_id_proposal_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "committee_meeting_id"],
            ["meetings.tenant_id", "meetings.id"],
            name=op.f("fk_proposals_tenant_id_committee_meeting_id_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "group_meeting_id"],
            ["meetings.tenant_id", "meetings.id"],
            name=op.f("fk_proposals_tenant_id_group_meeting_id_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "measure_id"],
            ["plan_sections.tenant_id", "plan_sections.id"],
            name=op.f("fk_proposals_tenant_id_measure_id_plan_sections"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "provider_id"],
            ["providers.tenant_id", "providers.id"],
            name=op.f("fk_proposals_tenant_id_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "service_id"],
            ["services.tenant_id", "services.id"],
            name=op.f("fk_proposals_tenant_id_service_id_services"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "working_group_id"],
            ["bodies.tenant_id", "bodies.id"],
            name=op.f("fk_proposals_tenant_id_working_group_id_bodies"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_proposals_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_proposals_tenant_id_call_id_state", ["tenant_id", "call_id", "state"], unique=False
        )
        batch_op.create_index(
            "ix_proposals_tenant_id_provider_id", ["tenant_id", "provider_id"], unique=False
        )

    op.create_table(
        "proposal_attachments",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("stored_name", sa.String(length=40), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("extension", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "proposal_id"],
            ["proposals.tenant_id", "proposals.id"],
            name=op.f("fk_proposal_attachments_tenant_id_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_proposal_attachments_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_proposal_attachments_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_proposal_attachments")),
    )
    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_attachments_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "proposal_events",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_proposal_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "proposal_id"],
            ["proposals.tenant_id", "proposals.id"],
            name=op.f("fk_proposal_events_tenant_id_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_proposal_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_proposal_events")),
    )
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_events_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "proposal_votes",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("body_member_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "choice",
            sa.Enum("for", "against", "abstain", name="votechoice", native_enum=False, length=10),
            nullable=True,
        ),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "body_member_id"],
            ["body_members.tenant_id", "body_members.id"],
            name=op.f("fk_proposal_votes_tenant_id_body_member_id_body_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "proposal_id"],
            ["proposals.tenant_id", "proposals.id"],
            name=op.f("fk_proposal_votes_tenant_id_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_proposal_votes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_proposal_votes")),
        sa.UniqueConstraint(
            "tenant_id",
            "proposal_id",
            "body_member_id",
            name=op.f("uq_proposal_votes_tenant_id_proposal_id_body_member_id"),
        ),
    )


def downgrade():
    op.drop_table("proposal_votes")
    with op.batch_alter_table("proposal_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_events_proposal_id"))

    op.drop_table("proposal_events")
    with op.batch_alter_table("proposal_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_attachments_proposal_id"))

    op.drop_table("proposal_attachments")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_proposals_tenant_id_provider_id")
        batch_op.drop_index("ix_proposals_tenant_id_call_id_state")

    op.drop_table("proposals")
    op.drop_table("proposal_call_meetings")
    op.drop_table("proposal_calls")
    op.drop_table("member_attendance")
