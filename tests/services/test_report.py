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
    assert [f.party for f in d.financing] == [
        FinancingParty.LANDSBYGGEFONDEN,
        FinancingParty.MUNICIPALITY,
        FinancingParty.HOUSING_ORGANISATION,
    ]
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


def _csv_rows(raw: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


async def test_csv_for_danish_excel_has_the_sums_with_decimal_commas(data):
    _world, d = data
    raw = report.to_csv(d, made=date(2026, 1, 31))
    assert raw.startswith("\ufeff".encode())
    rows = _csv_rows(raw, ";")
    assert rows[0] == ["Årsrapport 2025", d.plan_name, "Lavet 2026-01-31"]
    total = next(r for r in rows if r and r[0] == "I alt" and len(r) == 6)
    # shares as stored and as computed from the budget; kroner with two decimals and a decimal comma
    assert total == ["I alt", "100", "100", "4000000,00", "3630000,50", "90,8"]
    assert ["Landsbyggefonden", "75", "75", "3000000,00", "2700000,00", "90"] in rows
    assert not any("75/12,5/12,5" in cell for row in rows for cell in row), "no fixed split is stated"
    assert [
        "Fordelingen overholder reglerne (i alt 100 %, Landsbyggefonden højst 75 %, lokal medfinansiering mindst 25 %)",
        "ja",
    ] in rows
    assert ["I alt", "", "3", "20"] in rows
    assert ["Evaluering af lektiecaféen"] in rows


async def test_csv_rfc4180_is_plain(data):
    _world, d = data
    raw = report.to_csv(d, dialect="rfc4180")
    assert not raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = _csv_rows(raw, ",")
    assert ["I alt", "100", "100", "4000000.00", "3630000.50", "90.8"] in rows


WORDS = {
    "da": {
        "INCREASE": "Skal stige",
        "DECREASE": "Skal falde",
        "KEEP": "Skal fastholdes",
        "PLANNED": "Planlagt",
        "ACTIVE": "I gang",
        "PAUSED": "Sat på pause",
        "ENDED": "Afsluttet",
    },
    "en": {
        "INCREASE": "Should rise",
        "DECREASE": "Should fall",
        "KEEP": "Should hold",
        "PLANNED": "Planned",
        "ACTIVE": "Running",
        "PAUSED": "Paused",
        "ENDED": "Ended",
    },
}
CODES = {"INCREASE", "DECREASE", "KEEP", "ACTIVE", "PLANNED", "PAUSED", "ENDED", "LANDSBYGGEFONDEN"}


@pytest.mark.parametrize("lang", ["da", "en"])
async def test_codes_are_words_in_the_reports_language(data, lang):
    _world, d = data
    expected = {WORDS[lang][i.direction.value] for i in d.indicators} | {
        WORDS[lang][a.status.value] for a in d.activities
    }
    assert expected
    cells = {c for row in _csv_rows(report.to_csv(d, lang=lang), ";") for c in row}
    assert expected <= cells and not cells & CODES
    wb = load_workbook(io.BytesIO(report.to_xlsx(d, lang=lang)))
    values = {c for ws in wb for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert expected <= values and not values & CODES


async def test_xlsx_opens_and_has_the_sums(data):
    _world, d = data
    wb = load_workbook(io.BytesIO(report.to_xlsx(d, made=date(2026, 1, 31))))
    assert wb.sheetnames == ["Finansiering", "Målopfyldelse", "Aktiviteter", "Milepæle 2026"]
    fin = wb["Finansiering"]
    rows = list(fin.iter_rows(values_only=True))
    assert rows[0][:3] == ("Årsrapport 2025", d.plan_name, "Lavet 2026-01-31")  # the title row
    assert rows[1][0] == "Part"
    lines = rows[2:5]
    total = rows[5]
    assert total[0] == "I alt"
    assert sum(r[1] for r in lines) == total[1] == 100
    assert sum(r[3] for r in lines) == total[3] == 4_000_000
    assert sum(r[4] for r in lines) == pytest.approx(total[4]) and total[4] == pytest.approx(3_630_000.5)
    acts = list(wb["Aktiviteter"].iter_rows(values_only=True))
    assert acts[-1][0] == "I alt" and sum(r[3] for r in acts[2:-1]) == acts[-1][3] == 20
    goals = list(wb["Målopfyldelse"].iter_rows(values_only=True))
    assert goals[2][4:7] == (50.0, 60.0, 55.5)


async def test_xlsx_has_a_frozen_header_kroner_formats_and_fitting_widths(data):
    _world, d = data
    wb = load_workbook(io.BytesIO(report.to_xlsx(d)))
    for ws in wb:
        assert ws.freeze_panes == "A3", ws.title
        assert ws["A2"].font.bold and ws["A1"].font.bold
    fin = wb["Finansiering"]
    assert fin["D3"].number_format == fin["E6"].number_format == '#,##0.00 "kr."'
    assert fin["B3"].number_format == '0.0" %"'
    # each column is at least as wide as its header and its texts (up to a cap)
    for ws in wb:
        for header in ws[2]:
            letter = header.column_letter
            texts = [
                c.value
                for (c,) in ws.iter_rows(min_row=2, min_col=header.column, max_col=header.column)
                if isinstance(c.value, str) and not c.value.startswith("Fordelingen")
            ]
            assert ws.column_dimensions[letter].width >= min(max(map(len, texts), default=0), 58), (ws.title, letter)
    money = fin.column_dimensions["D"].width
    assert money >= len("4,000,000.00 kr."), money
