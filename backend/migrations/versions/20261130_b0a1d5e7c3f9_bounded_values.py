"""Bounded values: every stored domain date, time and number lies within backend/bounds.py's limits

The services refuse such values with a clear error; these constraints hold the same bounds for
values written outside the services. PostgreSQL gets CHECK constraints (added NOT VALID, with a
warning, where rows written before already break them, so nothing stored is lost and new writes are
held anyway). SQLite cannot add a CHECK to an existing table without rebuilding it (which, with
foreign keys on, would cascade deletes), so it gets triggers that abort the same writes, named like
the constraints, as the focus-area guard does.

The conditions are frozen here; tests/backend/test_bounds.py checks that they equal the models'.

Revision ID: b0a1d5e7c3f9
Revises: 5efc59d3733d
Create Date: 2026-11-30 12:00:00

"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "b0a1d5e7c3f9"
down_revision: str | Sequence[str] | None = "5efc59d3733d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, constraint name, condition with {row} before each column: "" in a CHECK, "NEW." in a trigger)
CHECKS = [
    (
        "plan",
        "plan_period_bounded",
        "({row}start_date IS NULL OR ({row}start_date >= '2000-01-01' AND {row}start_date <= '2100-12-31')) AND ({row}end_date IS NULL OR ({row}end_date >= '2000-01-01' AND {row}end_date <= '2100-12-31'))",
    ),
    ("financing", "financing_year_bounded", "{row}year >= 2000 AND {row}year <= 2100"),
    ("milestone", "milestone_year_bounded", "{row}year >= 2000 AND {row}year <= 2100"),
    (
        "residency",
        "residency_period_bounded",
        "({row}since IS NULL OR ({row}since >= '1950-01-01' AND {row}since <= '2100-12-31')) AND ({row}until IS NULL OR ({row}until >= '1950-01-01' AND {row}until <= '2100-12-31'))",
    ),
    (
        "residencycode",
        "residencycode_expiry_bounded",
        "({row}expires_at >= '2000-01-01 00:00:00+00:00' AND {row}expires_at < '2101-01-01 00:00:00+00:00')",
    ),
    (
        "indicator",
        "indicator_numbers_bounded",
        "({row}baseline IS NULL OR ({row}baseline >= -1000000000000 AND {row}baseline <= 1000000000000)) AND ({row}target IS NULL OR ({row}target >= -1000000000000 AND {row}target <= 1000000000000))",
    ),
    (
        "meeting",
        "meeting_time_bounded",
        "({row}starts_at >= '2000-01-01 00:00:00+00:00' AND {row}starts_at < '2101-01-01 00:00:00+00:00')",
    ),
    (
        "measurement",
        "measurement_value_bounded",
        "({row}value IS NULL OR ({row}value >= -1000000000000 AND {row}value <= 1000000000000))",
    ),
    (
        "measurement",
        "measurement_period_bounded",
        "({row}period IS NULL OR ({row}period >= '2000-01-01' AND {row}period <= '2100-12-31'))",
    ),
    (
        "occurrence",
        "occurrence_times_bounded",
        "({row}starts_at >= '2000-01-01 00:00:00+00:00' AND {row}starts_at < '2101-01-01 00:00:00+00:00') AND ({row}ends_at >= '2000-01-01 00:00:00+00:00' AND {row}ends_at < '2101-01-01 00:00:00+00:00')",
    ),
    (
        "occurrence",
        "occurrence_count_bounded",
        "({row}participant_count IS NULL OR ({row}participant_count >= 0 AND {row}participant_count <= 100000))",
    ),
]


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    for table, name, condition in CHECKS:
        if dialect == "postgresql":
            plain = condition.format(row="")
            broken = bind.execute(text(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE NOT ({plain}))")).scalar()
            if broken:
                print(f"warning: rows of {table} break {name}; the constraint holds for new writes only (NOT VALID)")
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({plain}){' NOT VALID' if broken else ''}")
        elif dialect == "sqlite":
            for event in ("INSERT", "UPDATE"):
                op.execute(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} FOR EACH ROW "
                    f"WHEN NOT ({condition.format(row='NEW.')}) "
                    f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, name, _condition in CHECKS:
        if dialect == "postgresql":
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        elif dialect == "sqlite":
            for event in ("insert", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
