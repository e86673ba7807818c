"""JSON columns are JSONB on PostgreSQL

Plain json has no equality operator, so DISTINCT and UNION over rows holding it fail. SQLite is
unchanged.

Revision ID: e076f8b0b6a9
Revises: a1f0c0de0003
Create Date: 2026-11-26 06:55:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "e076f8b0b6a9"
down_revision: str | Sequence[str] | None = "a1f0c0de0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    ("activity", "languages"),
    ("auditevent", "before"),
    ("auditevent", "after"),
    ("liveevent", "payload"),
    ("websession", "data"),
]


def _alter(to: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" TYPE {to} USING "{column}"::{to}')


def upgrade() -> None:
    _alter("jsonb")


def downgrade() -> None:
    _alter("json")
