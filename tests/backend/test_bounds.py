"""The database holds the bounds of backend/bounds.py too: a value written past the services is refused."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import CheckConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from backend.db import get_sync_engine
from backend.models import (
    Financing,
    Indicator,
    Measurement,
    Meeting,
    Milestone,
    Occurrence,
    Plan,
    Residency,
)
from tests.conftest import ROOT

UTC = UTC


def _migration_checks() -> list:
    path = next((ROOT / "backend/migrations/versions").glob("*_bounded_values.py"))
    spec = importlib.util.spec_from_file_location("bounded_values", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHECKS


def test_the_migration_holds_exactly_the_models_bounds():
    declared = {
        (table.name, c.name, str(c.sqltext))
        for table in SQLModel.metadata.sorted_tables
        for c in table.constraints
        if isinstance(c, CheckConstraint) and c.name.endswith("_bounded")
    }
    frozen = {(table, name, condition.format(row="")) for table, name, condition in _migration_checks()}
    assert frozen == declared


OUT_OF_BOUNDS = [
    (Occurrence, {"ends_at": datetime(9999, 12, 31, 23, 0, tzinfo=UTC)}),
    (Occurrence, {"starts_at": datetime(1999, 12, 31, 22, 0, tzinfo=UTC)}),
    (Occurrence, {"participant_count": 100_001}),
    (Plan, {"end_date": date(2101, 1, 1)}),
    (Plan, {"start_date": date(1999, 12, 31)}),
    (Meeting, {"starts_at": datetime(2101, 1, 1, 0, 0, tzinfo=UTC)}),
    (Measurement, {"period": date(2101, 1, 1)}),
    (Measurement, {"value": 1e13}),
    (Measurement, {"value": -1e13}),
    (Indicator, {"baseline": 1e13}),
    (Indicator, {"target": -1e13}),
    (Milestone, {"year": 2101}),
    (Milestone, {"year": 1999}),
    (Financing, {"year": 2101}),
    (Residency, {"until": date(2101, 1, 1)}),
    (Residency, {"since": date(1949, 12, 31)}),
]


@pytest.mark.parametrize("model,values", OUT_OF_BOUNDS, ids=lambda v: getattr(v, "__name__", None) or str(v))
def test_the_database_refuses_values_out_of_bounds(model, values):
    table = model.__table__
    with get_sync_engine().connect() as conn:
        with pytest.raises(IntegrityError) as exc, conn.begin():
            pk = conn.execute(select(table.c.id).order_by(table.c.id).limit(1)).scalar()
            assert pk is not None, f"the demo data has no {table.name}"
            conn.execute(update(table).where(table.c.id == pk).values(values))
        assert "_bounded" in str(exc.value)


def test_values_at_the_bounds_are_stored():
    table = Occurrence.__table__
    with get_sync_engine().connect() as conn, conn.begin() as tx:
        pk = conn.execute(select(table.c.id).order_by(table.c.id).limit(1)).scalar()
        conn.execute(
            update(table)
            .where(table.c.id == pk)
            .values(
                starts_at=datetime(2000, 1, 1, 0, 0, tzinfo=UTC),
                ends_at=datetime(2100, 12, 31, 23, 59, tzinfo=UTC),
                participant_count=100_000,
            )
        )
        stored = conn.execute(select(table.c.participant_count).where(table.c.id == pk)).scalar()
        assert stored == 100_000  # the largest allowed values pass the database's own checks
        tx.rollback()
