"""notifications, notification preferences and activity follows

Revision ID: 5e7d1f0a9b21
Revises: e3a11b0c0001
Create Date: 2026-11-30 13:08:04

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5e7d1f0a9b21"
down_revision: str | Sequence[str] | None = "e3a11b0c0001"  # after mail (merged into this branch)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "INPUT_ANSWERED",
    "INPUT_PUBLISHED",
    "INPUT_HIDDEN",
    "INPUT_STATUS_CHANGED",
    "ACTIVITY_CHANGED",
    "OCCURRENCE_MOVED",
    "OCCURRENCE_CANCELLED",
    "MEETING_CREATED",
    "MEETING_MOVED",
    "INPUT_RECEIVED",
    "AGREEMENT_AWAITS_APPROVAL",
)


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="notificationkind"), nullable=False),
        sa.Column("subject_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("notification") as batch_op:
        batch_op.create_index("ix_notification_account_id_id", ["account_id", "id"], unique=False)
    op.create_table(
        "notificationpreference",
        sa.Column("account_id", sa.Integer(), nullable=False),
        # The type was created with the notification table just above (CREATE TYPE must not run again).
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="notificationkind").with_variant(
                postgresql.ENUM(*KINDS, name="notificationkind", create_type=False), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("portal", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Enum("NEVER", "EACH", "DAILY", name="emailfrequency"), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "kind"),
    )
    op.create_table(
        "activityfollow",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "activity_id"),
    )
    with op.batch_alter_table("activityfollow") as batch_op:
        batch_op.create_index(batch_op.f("ix_activityfollow_activity_id"), ["activity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("activityfollow") as batch_op:
        batch_op.drop_index(batch_op.f("ix_activityfollow_activity_id"))
    op.drop_table("activityfollow")
    op.drop_table("notificationpreference")
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_index("ix_notification_account_id_id")
    op.drop_table("notification")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TYPE IF EXISTS emailfrequency")
        op.execute("DROP TYPE IF EXISTS notificationkind")
