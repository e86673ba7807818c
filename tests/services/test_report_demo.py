"""The yearly report of a demo plan adds up, and its files open with the same sums."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlmodel import col

from backend import report, rules
from backend.db import new_session
from backend.models import Activity, Financing, Milestone, Occurrence, Plan


async def demo_plan_and_year() -> tuple[int, int, str]:
    """A demo plan (Tingbjerg if present) and a year it has financing and milestones of the next year for."""
    async with new_session() as s:
        rows = (
            await s.execute(
                select(col(Plan.id), col(Plan.name), col(Financing.year))
                .join(Financing, col(Financing.plan_id) == col(Plan.id))
                .join(
                    Milestone,
                    (col(Milestone.plan_id) == col(Plan.id)) & (col(Milestone.year) == col(Financing.year) + 1),
                )
                .where(col(Plan.name).like("%Tingbjerg%"))
                .group_by(col(Plan.id), col(Plan.name), col(Financing.year))
                .order_by(col(Financing.year))
            )
        ).all()
    assert rows, "the demo data has Tingbjerg's financing and milestones"
    plan_id, name, year = rows[0]
    assert plan_id is not None  # a stored row's id
    return plan_id, year, name


async def test_demo_report_adds_up():
    plan_id, year, name = await demo_plan_and_year()
    async with new_session() as s:
        data = await report.build(s, plan_id=plan_id, year=year)
        budget, spent = (
            await s.execute(
                select(func.sum(col(Financing.budget)), func.sum(col(Financing.spent))).where(
                    col(Financing.plan_id) == plan_id, col(Financing.year) == year
                )
            )
        ).one()
        start = datetime(year, 1, 1, tzinfo=UTC)
        end = datetime(year + 1, 1, 1, tzinfo=UTC)
        held, participants = (
            await s.execute(
                select(func.count(col(Occurrence.id)), func.coalesce(func.sum(col(Occurrence.participant_count)), 0))
                .join(Activity, col(Activity.id) == col(Occurrence.activity_id))
                .where(
                    col(Activity.plan_id) == plan_id,
                    col(Occurrence.cancelled).is_(False),
                    col(Occurrence.starts_at) >= start,
                    col(Occurrence.starts_at) < end,
                )
            )
        ).one()
        milestones = (
            await s.execute(
                select(func.count())
                .select_from(Milestone)
                .where(col(Milestone.plan_id) == plan_id, col(Milestone.year) == year + 1)
            )
        ).scalar()
    assert data.plan_name == name
    assert data.share_total == Decimal("100")
    assert data.financing_valid and rules.financing_problems((f.party, f.share_percent) for f in data.financing) == []
    assert data.budget_total == Decimal(budget) and data.spent_total == Decimal(spent)
    lbf = sum(f.share_percent for f in data.financing if f.party.value == "LANDSBYGGEFONDEN")
    assert lbf <= Decimal("75") and data.share_total - lbf >= Decimal("25")
    assert (data.occurrences_total, data.participants_total) == (held, participants)
    assert len(data.milestones_next_year) == milestones > 0
    assert data.indicators, "the demo plan has indicators"

    sheet = load_workbook(io.BytesIO(report.to_xlsx(data)))["Finansiering"]
    rows = list(sheet.iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "I alt")
    lines = rows[2 : rows.index(total)]
    assert sum(Decimal(str(r[3])) for r in lines) == Decimal(str(total[3])) == data.budget_total
    assert sum(Decimal(str(r[4])) for r in lines) == Decimal(str(total[4])) == data.spent_total
    assert sum(Decimal(str(r[1])) for r in lines) == 100

    rows = list(csv.reader(io.StringIO(report.to_csv(data).decode("utf-8-sig")), delimiter=";"))
    rule = next(r for r in rows if r and r[0].startswith("Fordelingen overholder reglerne"))
    assert rule[1] == "ja"
