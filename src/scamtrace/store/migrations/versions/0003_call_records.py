"""Call-records feed: the rolling window read by *1185# report intake.

Revision ID: 0003_calls
Revises: 0002_intel
Create Date: 2026-11-29 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_calls"
down_revision = "0002_intel"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("caller", sa.String(length=32), nullable=False),
        sa.Column("callee", sa.String(length=32), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.String(length=40), nullable=True),
        sa.Column("imei", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_records")),
    )
    with op.batch_alter_table("call_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_records_ts"), ["ts"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_records_imei"), ["imei"], unique=False)
        batch_op.create_index("ix_call_records_callee_ts", ["callee", "ts"], unique=False)
        batch_op.create_index("ix_call_records_caller_ts", ["caller", "ts"], unique=False)


def downgrade() -> None:
    op.drop_table("call_records")
