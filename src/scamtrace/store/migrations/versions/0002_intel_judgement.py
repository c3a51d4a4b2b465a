"""Intel hub: the rest of an indicator's judgement, evidence review state, and each
member's tier-to-action policy.

Revision ID: 0002_intel
Revises: 0001
Create Date: 2026-11-29 02:49:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_intel"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intel_action_policies",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "policy", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_intel_action_policies_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_intel_action_policies")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review", sa.String(length=12), server_default="auto", nullable=False)
        )
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        for name in ("public_score", "reason_codes", "n_reports", "n_reporters", "n_members"):
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))
        for name in ("block_eligible", "restricted"):
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)
            )
        batch_op.add_column(sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        for name in (
            "cleared_at", "restricted", "block_eligible", "n_members", "n_reporters",
            "n_reports", "reason_codes", "public_score",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("review")
    op.drop_table("intel_action_policies")
