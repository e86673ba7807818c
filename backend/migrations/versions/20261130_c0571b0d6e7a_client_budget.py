"""client budget: query cost spent per anonymous client and minute

Revision ID: c0571b0d6e7a
Revises: c0de0a770001
Create Date: 2026-11-30 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c0571b0d6e7a"
down_revision: str | Sequence[str] | None = "c0de0a770001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "clientbudget",
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("minute", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client", "minute"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("clientbudget")
