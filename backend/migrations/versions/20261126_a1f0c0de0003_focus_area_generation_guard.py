"""An activity's, goal's or sub-agreement's focus area belongs to its plan's generation

The rule spans two tables, so CHECK constraints cannot hold it; triggers do, on SQLite and on
PostgreSQL alike. They also refuse to move a plan or a focus area to another generation while rows
depend on the old one. Services check the same rule first (backend/rules.py) for a clear message.

Revision ID: a1f0c0de0003
Revises: 78455d7f51d6
Create Date: 2026-11-26 06:40:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "a1f0c0de0003"
down_revision: str | Sequence[str] | None = "78455d7f51d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "focus area does not belong to the funding generation of the plan"

# table -> the condition (on NEW) that holds when the row breaks the rule
MISMATCH = (
    "NEW.focus_area_id IS NOT NULL AND "
    "(SELECT generation_id FROM focusarea WHERE id = NEW.focus_area_id) <> "
    "(SELECT generation_id FROM plan WHERE id = NEW.plan_id)"
)
TABLES = ("activity", "goal", "agreement")
PLAN_MISMATCH = (
    "NEW.generation_id <> OLD.generation_id AND ("
    + " OR ".join(
        f"EXISTS (SELECT 1 FROM {t} JOIN focusarea ON focusarea.id = {t}.focus_area_id "
        f"WHERE {t}.plan_id = NEW.id AND focusarea.generation_id <> NEW.generation_id)"
        for t in TABLES
    )
    + ")"
)
FOCUS_AREA_MISMATCH = (
    "NEW.generation_id <> OLD.generation_id AND ("
    + " OR ".join(
        f"EXISTS (SELECT 1 FROM {t} JOIN plan ON plan.id = {t}.plan_id "
        f"WHERE {t}.focus_area_id = NEW.id AND plan.generation_id <> NEW.generation_id)"
        for t in TABLES
    )
    + ")"
)
GUARDS = [
    (f"{t}_focus_area_generation_{when}", t, when.upper(), MISMATCH) for t in TABLES for when in ("insert", "update")
]
GUARDS += [
    ("plan_generation_keeps_focus_areas", "plan", "UPDATE", PLAN_MISMATCH),
    ("focusarea_generation_keeps_plans", "focusarea", "UPDATE", FOCUS_AREA_MISMATCH),
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table, event, condition in GUARDS:
        if dialect == "sqlite":
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW WHEN {condition} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        elif dialect == "postgresql":
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {condition} THEN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation'; END IF; "
                f"RETURN NEW; END $$"
            )
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
        else:  # other databases rely on the services' check
            return


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table, _event, _condition in GUARDS:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
