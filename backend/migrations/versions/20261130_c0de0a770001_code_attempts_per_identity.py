"""household code attempts per identity (keyed hash of issuer and subject), not per account row

Revision ID: c0de0a770001
Revises: b0a1d5e7c3f9
Create Date: 2026-11-30 12:00:00

Erasing an account deleted its attempts (ON DELETE CASCADE), so erasing and signing in again reset
the guessing limit. Attempts are bookkeeping that lives an hour: the table is made anew.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c0de0a770001"
down_revision: str | Sequence[str] | None = "b0a1d5e7c3f9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("residencycodeattempt")
    op.create_table(
        "residencycodeattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_residencycodeattempt_identity_at", "residencycodeattempt", ["identity_key", "at"], unique=False)
    op.create_index("ix_residencycodeattempt_at", "residencycodeattempt", ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("residencycodeattempt")
    op.create_table(
        "residencycodeattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_residencycodeattempt_account_at", "residencycodeattempt", ["account_id", "at"], unique=False)
