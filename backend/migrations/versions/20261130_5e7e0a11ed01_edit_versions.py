"""edit versions: a counter of writes on every row that is edited after it is created; audit rows by object

Revision ID: 5e7e0a11ed01
Revises: 1a9c0a7e5b01
Create Date: 2026-11-30 13:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e7e0a11ed01"
down_revision: str | Sequence[str] | None = "1a9c0a7e5b01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Table -> its counter column (agreement already has `version`: the document's version number).
COUNTERS = {
    "plan": "version",
    "agreement": "revision",
    "goal": "version",
    "indicator": "version",
    "financing": "version",
    "activity": "version",
    "occurrence": "version",
    "followupgroup": "version",
    "meeting": "version",
    "residentinput": "version",
    "inputanswer": "version",
}


def upgrade() -> None:
    for table, column in COUNTERS.items():
        # Existing rows start at 1, as new ones do. A plain ADD COLUMN (not a batch copy of the table),
        # which SQLite supports with a default and which keeps the triggers on these tables.
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=False, server_default=sa.text("1")))
    # The last write of an object, for the answer to an update that started from an old version.
    op.create_index("ix_auditevent_object", "auditevent", ["object_type", "object_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_auditevent_object", table_name="auditevent")
    for table, column in COUNTERS.items():
        op.drop_column(table, column)
