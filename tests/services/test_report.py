"""The yearly report of a plan adds up, and its files open."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from backend import report
from backend.db import new_session
from backend.models import FinancingParty
from tests.services.world import build_world


@pytest.fixture
async def data():
    world = await build_world(with_numbers=True)
    async with new_session() as s:
        return world, await report.build(s, plan_id=world.plan_id, year=2025)


async def test_financing_adds_up_and_is_valid(data):
    _world, d = data
    assert [f.party for f in d.financing] == [FinancingParty.LANDSBYGGEFONDEN, FinancingParty.MUNICIPALITY,
                                             FinancingParty.HOUSING_ORGANISATION]
    assert d.share_total == Decimal("100")
    assert d.budget_total == Decimal("4000000")
    assert d.spent_total == Decimal("3630000.50")
    assert d.financing_valid and d.financing_problems == []


async def test_goals_use_the_latest_measurement_of_the_year(data):
    world, d = data
    (line,) = d.indicators
    assert line.indicator_id == world.indicator_id
    assert (line.baseline, line.target, line.latest_value, line.latest_period) == (50.0, 60.0, 55.5, date(2025, 12, 31))
    assert d.goal_ids == [world.goal_id]


async def test_activities_count_held_occurrences_of_the_year(data):
    world, d = data
    totals = {a.activity_id: (a.occurrences, a.participants) for a in d.activities}
    assert totals[world.other_activity_id] == (3, 20)  # one cancelled and one of 2024 left out
    assert totals[world.activity_id] == (0, 0)
    assert (d.occurrences_total, d.participants_total) == (3, 20)
    assert d.milestones_next_year == ["Evaluering af lektiecaféen", "Ny delaftale om beskæftigelse"]


async def test_a_year_without_financing_is_not_valid():
    world = await build_world()
    async with new_session() as s:
        d = await report.build(s, plan_id=world.plan_id, year=2025)
        assert not d.financing_valid and d.budget_total == 0
        assert await report.build(s, plan_id=10**9, year=2025) is None


async def test_csv_has_the_sums(data):
    _world, d = data
    raw = report.to_csv(d)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    total = next(r for r in rows if r and r[0] == "I alt" and len(r) == 4 and r[1] == "100.00")
    assert Decimal(total[2]) == Decimal("4000000") and Decimal(total[3]) == Decimal("3630000.50")
    assert ["Fordeling overholder reglerne (75/12,5/12,5)", "ja"] in rows
    assert ["I alt", "", "3", "20"] in rows
    assert ["Evaluering af lektiecaféen"] in rows


async def test_xlsx_opens_and_has_the_sums(data):
    _world, d = data
    wb = load_workbook(io.BytesIO(report.to_xlsx(d)))
    assert wb.sheetnames == ["Finansiering", "Målopfyldelse", "Aktiviteter", "Milepæle 2026"]
    fin = wb["Finansiering"]
    rows = list(fin.iter_rows(values_only=True))
    lines = rows[1:4]
    total = rows[4]
    assert total[0] == "I alt"
    assert sum(r[1] for r in lines) == total[1] == 100
    assert sum(r[2] for r in lines) == total[2] == 4_000_000
    assert sum(r[3] for r in lines) == pytest.approx(total[3]) and total[3] == pytest.approx(3_630_000.5)
    acts = list(wb["Aktiviteter"].iter_rows(values_only=True))
    assert acts[-1][0] == "I alt" and sum(r[3] for r in acts[1:-1]) == acts[-1][3] == 20
    goals = list(wb["Målopfyldelse"].iter_rows(values_only=True))
    assert goals[1][4:7] == (50.0, 60.0, 55.5)
