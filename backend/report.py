"""The yearly report to Landsbyggefonden for one plan and one calendar year.

Financing per party (budget and spent, shares computed from the figures) with the check of the split,
goal attainment per indicator
(baseline, target, latest measurement up to the end of the year), activities with their held
occurrences and participant totals, and the milestones of the coming year. Available as plain data
(for the GraphQL query), CSV and XLSX (openpyxl); frontend/pages/reports.py serves the files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import clock, rules
from backend.models import (
    Activity,
    ActivityStatus,
    AuditEvent,
    Financing,
    FinancingParty,
    Goal,
    Indicator,
    IndicatorDirection,
    Measurement,
    Milestone,
    Occurrence,
    Plan,
    pk,
)

if TYPE_CHECKING:
    pass

PARTY_DA = {
    FinancingParty.LANDSBYGGEFONDEN: "Landsbyggefonden",
    FinancingParty.MUNICIPALITY: "Kommunen",
    FinancingParty.HOUSING_ORGANISATION: "Boligorganisationerne",
    FinancingParty.OTHER: "Andre",
}
YEAR_MIN, YEAR_MAX = 2000, 2100


@dataclass(frozen=True)
class FinancingLine:
    id: int
    party: FinancingParty
    share_percent: Decimal
    budget: Decimal
    spent: Decimal
    version: int = 1  # the line's edit version (backend/services/versions.py)


@dataclass(frozen=True)
class IndicatorLine:
    indicator_id: int
    goal_id: int
    goal_title: str
    name: str
    unit: str
    direction: IndicatorDirection
    baseline: float | None
    target: float | None
    latest_value: float | None
    latest_period: date | None


@dataclass(frozen=True)
class ActivityLine:
    activity_id: int
    title: str
    status: ActivityStatus
    occurrences: int  # held (not cancelled) in the year
    participants: int  # the sum of the counts given for those


@dataclass
class AnnualReportData:
    plan_id: int
    plan_name: str
    year: int
    financing: list[FinancingLine] = field(default_factory=list)
    indicators: list[IndicatorLine] = field(default_factory=list)
    activities: list[ActivityLine] = field(default_factory=list)
    milestones_next_year: list[str] = field(default_factory=list)
    goal_ids: list[int] = field(default_factory=list)

    @property
    def financing_problems(self) -> list[str]:
        if not self.financing:
            return ["no financing lines for the year"]
        return rules.financing_problems((f.party, f.share_percent) for f in self.financing)

    @property
    def financing_valid(self) -> bool:
        return not self.financing_problems

    @property
    def budget_total(self) -> Decimal:
        return sum((f.budget for f in self.financing), Decimal("0"))

    @property
    def spent_total(self) -> Decimal:
        return sum((f.spent for f in self.financing), Decimal("0"))

    @property
    def share_total(self) -> Decimal:
        return sum((f.share_percent for f in self.financing), Decimal("0"))

    @property
    def occurrences_total(self) -> int:
        return sum(a.occurrences for a in self.activities)

    @property
    def participants_total(self) -> int:
        return sum(a.participants for a in self.activities)


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return (datetime.combine(date(year, 1, 1), time(0), UTC), datetime.combine(date(year + 1, 1, 1), time(0), UTC))


async def last_changed(session: AsyncSession, plan_id: int) -> datetime | None:
    """When the plan's data last changed: every write is in the audit log with its plan; the plan's and its
    activities' own times cover rows written without it (demo data, migrations)."""
    from backend.services.validation import utc

    newest = [
        select(func.max(col(Plan.updated_at))).where(col(Plan.id) == plan_id).scalar_subquery(),
        select(func.max(col(Activity.updated_at))).where(col(Activity.plan_id) == plan_id).scalar_subquery(),
        select(func.max(col(AuditEvent.at))).where(col(AuditEvent.plan_id) == plan_id).scalar_subquery(),
    ]
    row = (await session.execute(select(*newest))).one()
    times = [utc(t) for t in row if t is not None]
    return max(times) if times else None


async def build(session: AsyncSession, *, plan_id: int, year: int) -> AnnualReportData | None:
    """The report's data in five set-based queries; None when the plan does not exist."""
    plan = (await session.execute(select(col(Plan.id), col(Plan.name)).where(col(Plan.id) == plan_id))).first()
    if plan is None:
        return None
    data = AnnualReportData(plan_id=plan.id, plan_name=plan.name, year=year)
    order = case({p: i for i, p in enumerate(FinancingParty)}, value=Financing.party)
    for f in (
        await session.execute(
            select(Financing).where(col(Financing.plan_id) == plan_id, col(Financing.year) == year).order_by(order)
        )
    ).scalars():
        data.financing.append(
            FinancingLine(
                pk(f), FinancingParty(f.party), Decimal(f.share_percent), Decimal(f.budget), Decimal(f.spent), f.version
            )
        )

    year_end = date(year, 12, 31)
    latest = (
        select(col(Measurement.indicator_id), func.max(col(Measurement.period)).label("period"))
        .where(col(Measurement.period) <= year_end)
        .group_by(col(Measurement.indicator_id))
        .subquery()
    )
    # (goal id, goal title, indicator, latest value, its period); written out since the label on col(Goal.id)
    # loses the column's type
    rows: Result[int, str, Indicator | None, float | None, date | None] = await session.execute(
        select(
            col(Goal.id).label("goal_id"), col(Goal.title), Indicator, col(Measurement.value), col(Measurement.period)
        )
        .join(Indicator, col(Indicator.goal_id) == col(Goal.id), isouter=True)
        .join(latest, latest.c.indicator_id == col(Indicator.id), isouter=True)
        .join(
            Measurement,
            and_(col(Measurement.indicator_id) == col(Indicator.id), col(Measurement.period) == latest.c.period),
            isouter=True,
        )
        .where(col(Goal.plan_id) == plan_id)
        .order_by(col(Goal.id), col(Indicator.id))
    )
    for goal_id, goal_title, ind, value, period in rows:
        if goal_id not in data.goal_ids:
            data.goal_ids.append(goal_id)
        if ind is not None:
            data.indicators.append(
                IndicatorLine(
                    pk(ind),
                    goal_id,
                    goal_title,
                    ind.name,
                    ind.unit,
                    IndicatorDirection(ind.direction),
                    ind.baseline,
                    ind.target,
                    value,
                    period,
                )
            )

    start, end = _year_bounds(year)
    held = and_(
        col(Occurrence.activity_id) == col(Activity.id),
        col(Occurrence.cancelled).is_(False),
        col(Occurrence.starts_at) >= start,
        col(Occurrence.starts_at) < end,
    )
    activity_rows = await session.execute(
        select(
            col(Activity.id),
            col(Activity.title),
            col(Activity.status),
            func.count(col(Occurrence.id)),
            func.coalesce(func.sum(Occurrence.participant_count), 0),
        )
        .join(Occurrence, held, isouter=True)
        .where(col(Activity.plan_id) == plan_id)
        .group_by(col(Activity.id), col(Activity.title), col(Activity.status))
        .order_by(col(Activity.title), col(Activity.id))
    )
    for aid, title, status, count, participants in activity_rows:
        assert aid is not None and participants is not None  # a stored row's id; COALESCE(..., 0) is never NULL
        data.activities.append(ActivityLine(aid, title, ActivityStatus(status), int(count), int(participants)))

    data.milestones_next_year = list(
        (
            await session.execute(
                select(col(Milestone.title))
                .where(col(Milestone.plan_id) == plan_id, col(Milestone.year) == year + 1)
                .order_by(col(Milestone.id))
            )
        ).scalars()
    )
    return data


# ---------------------------------------------------------------- files
# The files are written in the report's language: the codes of the API (INCREASE, ACTIVE, ...) become words.
LANGUAGES = ("da", "en")
# A language's words: a str key gives a text, an enum class gives that enum's words (dict[Enum, str]);
# Any because the value's type depends on the key's, which a dict type cannot say.
WORDS: dict[str, dict[Any, Any]] = {
    "da": {
        "title": "Årsrapport {year}",
        "made": "Lavet {date}",
        "financing": "Finansiering",
        "goals": "Målopfyldelse",
        "activities": "Aktiviteter",
        "milestones": "Milepæle {year}",
        "total": "I alt",
        "yes": "ja",
        "no": "nej",
        "party": "Part",
        "share": "Andel (%)",
        "share_of_budget": "Andel af budgettet (%)",
        "budget": "Budget (kr.)",
        "spent": "Forbrug (kr.)",
        "spent_share": "Forbrugt af budgettet (%)",
        "rules": "Fordelingen overholder reglerne (i alt 100 %, Landsbyggefonden højst {lbf} %, "
        "lokal medfinansiering mindst {local} %)",
        "goal": "Mål",
        "indicator": "Indikator",
        "unit": "Enhed",
        "direction": "Retning",
        "baseline": "Udgangspunkt",
        "target": "Målværdi",
        "latest": "Seneste måling",
        "measured": "Målt den",
        "activity": "Aktivitet",
        "status": "Status",
        "held": "Gennemførte forekomster",
        "participants": "Deltagere i alt",
        "milestone": "Milepæl",
        FinancingParty: PARTY_DA,
        IndicatorDirection: {
            IndicatorDirection.INCREASE: "Skal stige",
            IndicatorDirection.DECREASE: "Skal falde",
            IndicatorDirection.KEEP: "Skal fastholdes",
        },
        ActivityStatus: {
            ActivityStatus.PLANNED: "Planlagt",
            ActivityStatus.ACTIVE: "I gang",
            ActivityStatus.PAUSED: "Sat på pause",
            ActivityStatus.ENDED: "Afsluttet",
        },
    },
    "en": {
        "title": "Annual report {year}",
        "made": "Made {date}",
        "financing": "Financing",
        "goals": "Goal attainment",
        "activities": "Activities",
        "milestones": "Milestones {year}",
        "total": "Total",
        "yes": "yes",
        "no": "no",
        "party": "Party",
        "share": "Share (%)",
        "share_of_budget": "Share of the budget (%)",
        "budget": "Budget (DKK)",
        "spent": "Spent (DKK)",
        "spent_share": "Spent of the budget (%)",
        "rules": "The split follows the rules (100 % in all, Landsbyggefonden at most {lbf} %, "
        "local co-financing at least {local} %)",
        "goal": "Goal",
        "indicator": "Indicator",
        "unit": "Unit",
        "direction": "Direction",
        "baseline": "Baseline",
        "target": "Target value",
        "latest": "Latest measurement",
        "measured": "Measured on",
        "activity": "Activity",
        "status": "Status",
        "held": "Occurrences held",
        "participants": "Participants in all",
        "milestone": "Milestone",
        FinancingParty: {
            FinancingParty.LANDSBYGGEFONDEN: "Landsbyggefonden",
            FinancingParty.MUNICIPALITY: "The municipality",
            FinancingParty.HOUSING_ORGANISATION: "The housing organisations",
            FinancingParty.OTHER: "Others",
        },
        IndicatorDirection: {
            IndicatorDirection.INCREASE: "Should rise",
            IndicatorDirection.DECREASE: "Should fall",
            IndicatorDirection.KEEP: "Should hold",
        },
        ActivityStatus: {
            ActivityStatus.PLANNED: "Planned",
            ActivityStatus.ACTIVE: "Running",
            ActivityStatus.PAUSED: "Paused",
            ActivityStatus.ENDED: "Ended",
        },
    },
}

# How a column's values are written: text, kroner, a percentage, a whole count, a measured number, a date.
TEXT, MONEY, PERCENT, COUNT, NUMBER, DATE = "text", "money", "percent", "count", "number", "date"


# A cell: a text, an amount or share, a count, a measured number or a date; None is empty.
Cell = str | Decimal | float | int | date | None


@dataclass
class Table:
    """One section of the report as rows of typed cells: the CSV and the XLSX are written from the same tables."""

    title: str
    columns: list[tuple[str, str]]  # (header, kind)
    rows: list[list[Cell]] = field(default_factory=list)
    total_rows: list[int] = field(default_factory=list)  # indexes of rows that are totals (bold in XLSX)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (statement, answer) below the table


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole * 100).quantize(Decimal("0.1")) if whole else None


def tables(data: AnnualReportData, lang: str = "da") -> list[Table]:
    """The report's sections in the report's language; every share is computed from the year's figures."""
    w = WORDS[lang]
    money = Table(
        w["financing"],
        [
            (w["party"], TEXT),
            (w["share"], PERCENT),
            (w["share_of_budget"], PERCENT),
            (w["budget"], MONEY),
            (w["spent"], MONEY),
            (w["spent_share"], PERCENT),
        ],
    )
    for f in data.financing:
        money.rows.append(
            [
                w[FinancingParty][f.party],
                f.share_percent,
                _share(f.budget, data.budget_total),
                f.budget,
                f.spent,
                _share(f.spent, f.budget),
            ]
        )
    money.total_rows.append(len(money.rows))
    money.rows.append(
        [
            w["total"],
            data.share_total,
            _share(data.budget_total, data.budget_total),
            data.budget_total,
            data.spent_total,
            _share(data.spent_total, data.budget_total),
        ]
    )
    money.notes.append(
        (
            w["rules"].format(lbf=_plain(rules.LBF_MAX_SHARE), local=_plain(rules.LOCAL_MIN_SHARE)),
            w["yes"] if data.financing_valid else w["no"],
        )
    )

    goals = Table(
        w["goals"],
        [
            (w["goal"], TEXT),
            (w["indicator"], TEXT),
            (w["unit"], TEXT),
            (w["direction"], TEXT),
            (w["baseline"], NUMBER),
            (w["target"], NUMBER),
            (w["latest"], NUMBER),
            (w["measured"], DATE),
        ],
    )
    for i in data.indicators:
        goals.rows.append(
            [
                i.goal_title,
                i.name,
                i.unit,
                w[IndicatorDirection][i.direction],
                i.baseline,
                i.target,
                i.latest_value,
                i.latest_period,
            ]
        )

    acts = Table(
        w["activities"], [(w["activity"], TEXT), (w["status"], TEXT), (w["held"], COUNT), (w["participants"], COUNT)]
    )
    for a in data.activities:
        acts.rows.append([a.title, w[ActivityStatus][a.status], a.occurrences, a.participants])
    acts.total_rows.append(len(acts.rows))
    acts.rows.append([w["total"], None, data.occurrences_total, data.participants_total])

    milestones = Table(w["milestones"].format(year=data.year + 1), [(w["milestone"], TEXT)])
    milestones.rows.extend([m] for m in data.milestones_next_year)
    return [money, goals, acts, milestones]


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


# A spreadsheet program runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Whether a text cell would be read as a formula; the one test both file formats use."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _csv_text(value: Cell) -> str:
    """A CSV text cell: one that looks like a formula gets a leading apostrophe, as OWASP advises."""
    text = text_cell(value)
    return "'" + text if formula_like(text) else text


def _xlsx_row(ws: Any, values: list[object]) -> None:  # ws: openpyxl's Worksheet (no types installed)
    """Append a row; every text is a string cell (never a formula or an error code), and one that
    looks like a formula keeps its text and is marked quote-prefixed, so editing it does not run it."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if formula_like(cell.value):
                cell.quotePrefix = True


def text_cell(value: Cell) -> str:
    """The one place where a text cell of the CSV or the XLSX is written."""
    return "" if value is None else str(value)


def title_line(data: AnnualReportData, lang: str, made: date) -> list[str]:
    w = WORDS[lang]
    return [w["title"].format(year=data.year), data.plan_name, w["made"].format(date=made.isoformat())]


# CSV dialects: Danish Excel (semicolon, decimal comma, UTF-8 with BOM) and plain RFC 4180.
CSV_DIALECTS = ("excel-da", "rfc4180")


# A cell's Python type follows its column's kind (a DATE column holds dates, ...), which the type checker
# cannot relate: the cell is Any in the writers that convert by kind.
def _csv_value(value: Any, kind: str, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if kind == TEXT:
        return _csv_text(value)
    if kind == DATE:
        return date.isoformat(value)
    if kind == COUNT:
        return str(int(value))
    if kind == MONEY:
        text = f"{Decimal(value):.2f}"
    elif kind == PERCENT:
        text = _plain(Decimal(value))
    else:
        text = f"{value:g}"
    return text.replace(".", ",") if decimal_comma else text


def to_csv(data: AnnualReportData, *, dialect: str = "excel-da", lang: str = "da", made: date | None = None) -> bytes:
    """Danish Excel reads `excel-da` as it is (`;`, decimal comma, UTF-8 with a byte order mark);
    `rfc4180` is plain CSV (`,`, decimal point, UTF-8) for programs."""
    danish = dialect == "excel-da"
    out = io.StringIO()
    w = csv.writer(out, delimiter=";" if danish else ",", lineterminator="\r\n")
    w.writerow([_csv_text(v) for v in title_line(data, lang, made or clock.today())])
    for table in tables(data, lang):
        w.writerow([])
        w.writerow([_csv_text(table.title)])
        w.writerow([_csv_text(header) for header, _kind in table.columns])
        for row in table.rows:
            w.writerow([_csv_value(v, kind, danish) for v, (_h, kind) in zip(row, table.columns, strict=True)])
        for statement, answer in table.notes:
            w.writerow([_csv_text(statement), _csv_text(answer)])
    return (("\ufeff" if danish else "") + out.getvalue()).encode("utf-8")


XLSX_FORMATS = {MONEY: '#,##0.00 "kr."', PERCENT: '0.0" %"', COUNT: "#,##0", NUMBER: "General", DATE: "dd-mm-yyyy"}


def _xlsx_value(value: Any, kind: str) -> object:
    if value is None:
        return None
    if kind == TEXT:
        return text_cell(value)
    if kind in (MONEY, PERCENT, NUMBER):
        return float(value)
    return value


def _shown_width(value: Any, kind: str) -> int:
    """About how many characters a cell shows (its number format included)."""
    if value is None:
        return 0
    if kind == MONEY:
        return len(f"{float(value):,.2f}") + 4
    if kind == DATE:
        return 10
    return len(str(value))


def to_xlsx(data: AnnualReportData, *, lang: str = "da", made: date | None = None) -> bytes:
    """One sheet per section: a title row (plan, year, date made), a frozen header, kroner formats and
    columns as wide as their contents."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    bold = Font(bold=True)
    title = title_line(data, lang, made or clock.today())
    for number, table in enumerate(tables(data, lang)):
        ws = wb.active if number == 0 else wb.create_sheet()
        ws.title = table.title[:31]
        _xlsx_row(ws, [text_cell(v) for v in title])
        ws["A1"].font = Font(bold=True, size=13)
        _xlsx_row(ws, [text_cell(header) for header, _kind in table.columns])
        for cell in ws[2]:
            cell.font = bold
        ws.freeze_panes = "A3"  # the title and the header stay in view
        widths = [len(header) for header, _kind in table.columns]
        for index, row in enumerate(table.rows):
            _xlsx_row(ws, [_xlsx_value(v, kind) for v, (_h, kind) in zip(row, table.columns, strict=True)])
            # the sheet's row may be wider than this table (the title row sets the sheet's width)
            for cell, (_h, kind) in zip(ws[ws.max_row], table.columns, strict=False):
                if kind != TEXT:
                    cell.number_format = XLSX_FORMATS[kind]
                if index in table.total_rows:
                    cell.font = bold
            widths = [
                max(wd, _shown_width(v, kind)) for wd, v, (_h, kind) in zip(widths, row, table.columns, strict=True)
            ]
        if table.notes:
            _xlsx_row(ws, [])
            for statement, answer in table.notes:
                _xlsx_row(ws, [text_cell(statement), text_cell(answer)])
        for column, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
    wb.properties.title = f"{title[0]}: {data.plan_name}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def file_path(plan_id: int, year: int, fmt: str, *, dialect: str | None = None, lang: str | None = None) -> str:
    """Where the file is served, relative to the site (the GraphQL report's csvUrl / xlsxUrl)."""
    query = "&".join(f"{k}={v}" for k, v in (("dialekt", dialect), ("sprog", lang)) if v)
    return f"/reports/{plan_id}/{year}.{fmt}" + (f"?{query}" if query else "")
