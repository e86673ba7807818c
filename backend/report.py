"""The yearly report to Landsbyggefonden for one plan and one calendar year.

Financing per party (budget and spent) with the 75 / 12.5 / 12.5 check, goal attainment per indicator
(baseline, target, latest measurement up to the end of the year), activities with their held
occurrences and participant totals, and the milestones of the coming year. Available as plain data
(for the GraphQL query), CSV and XLSX (openpyxl); `report_routes` serves the files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Awaitable, Callable

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy, rules
from backend.actor import Actor
from backend.models import (
    Activity,
    ActivityStatus,
    Financing,
    FinancingParty,
    Goal,
    Indicator,
    IndicatorDirection,
    Measurement,
    Milestone,
    Occurrence,
    Plan,
)

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
    return (datetime.combine(date(year, 1, 1), time(0), timezone.utc),
            datetime.combine(date(year + 1, 1, 1), time(0), timezone.utc))


async def build(session: AsyncSession, *, plan_id: int, year: int) -> AnnualReportData | None:
    """The report's data in five set-based queries; None when the plan does not exist."""
    plan = (await session.execute(select(Plan.id, Plan.name).where(Plan.id == plan_id))).first()
    if plan is None:
        return None
    data = AnnualReportData(plan_id=plan.id, plan_name=plan.name, year=year)
    order = case({p: i for i, p in enumerate(FinancingParty)}, value=Financing.party)
    for f in (await session.execute(
        select(Financing).where(Financing.plan_id == plan_id, Financing.year == year).order_by(order)
    )).scalars():
        data.financing.append(FinancingLine(f.id, FinancingParty(f.party), Decimal(f.share_percent),
                                            Decimal(f.budget), Decimal(f.spent)))

    year_end = date(year, 12, 31)
    latest = (
        select(Measurement.indicator_id, func.max(Measurement.period).label("period"))
        .where(Measurement.period <= year_end)
        .group_by(Measurement.indicator_id)
        .subquery()
    )
    rows = await session.execute(
        select(Goal.id.label("goal_id"), Goal.title, Indicator, Measurement.value, Measurement.period)
        .join(Indicator, Indicator.goal_id == Goal.id, isouter=True)
        .join(latest, latest.c.indicator_id == Indicator.id, isouter=True)
        .join(Measurement, and_(Measurement.indicator_id == Indicator.id, Measurement.period == latest.c.period),
              isouter=True)
        .where(Goal.plan_id == plan_id)
        .order_by(Goal.id, Indicator.id)
    )
    for goal_id, goal_title, ind, value, period in rows:
        if goal_id not in data.goal_ids:
            data.goal_ids.append(goal_id)
        if ind is not None:
            data.indicators.append(IndicatorLine(ind.id, goal_id, goal_title, ind.name, ind.unit,
                                                 IndicatorDirection(ind.direction), ind.baseline, ind.target,
                                                 value, period))

    start, end = _year_bounds(year)
    held = and_(Occurrence.activity_id == Activity.id, Occurrence.cancelled.is_(False),
                Occurrence.starts_at >= start, Occurrence.starts_at < end)
    rows = await session.execute(
        select(Activity.id, Activity.title, Activity.status, func.count(Occurrence.id),
               func.coalesce(func.sum(Occurrence.participant_count), 0))
        .join(Occurrence, held, isouter=True)
        .where(Activity.plan_id == plan_id)
        .group_by(Activity.id, Activity.title, Activity.status)
        .order_by(Activity.title, Activity.id)
    )
    for aid, title, status, count, participants in rows:
        data.activities.append(ActivityLine(aid, title, ActivityStatus(status), int(count), int(participants)))

    data.milestones_next_year = list((await session.execute(
        select(Milestone.title).where(Milestone.plan_id == plan_id, Milestone.year == year + 1).order_by(Milestone.id)
    )).scalars())
    return data


# ---------------------------------------------------------------- files
# A spreadsheet program runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Whether a text cell would be read as a formula; the one test both file formats use."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _csv_cell(value: object) -> object:
    """A text that looks like a formula gets a leading apostrophe, as OWASP advises; a measured value
    is written short (`-2.5`, never neutralised: it is a number, not text); the rest as it is."""
    if isinstance(value, float):
        return f"{value:g}"
    return "'" + value if formula_like(value) else value


def _xlsx_row(ws, values: list) -> None:
    """Append a row; every text is a string cell (never a formula or an error code), and one that
    looks like a formula keeps its text and is marked quote-prefixed, so editing it does not run it."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if formula_like(cell.value):
                cell.quotePrefix = True


def to_csv(data: AnnualReportData) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read æøå and Arabic correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(values: list) -> None:
        writer.writerow([_csv_cell(v) for v in values])

    row([f"Årsrapport {data.year}", data.plan_name])
    row([])
    row(["Finansiering"])
    row(["Part", "Andel (%)", "Budget (kr.)", "Forbrug (kr.)"])
    for f in data.financing:
        row([PARTY_DA[f.party], f.share_percent, f.budget, f.spent])
    row(["I alt", data.share_total, data.budget_total, data.spent_total])
    row(["Fordeling overholder reglerne (75/12,5/12,5)", "ja" if data.financing_valid else "nej"])
    row([])
    row(["Målopfyldelse"])
    row(["Mål", "Indikator", "Enhed", "Retning", "Baseline", "Mål (target)", "Seneste måling", "Målt den"])
    for i in data.indicators:
        row([i.goal_title, i.name, i.unit, i.direction.value, i.baseline, i.target, i.latest_value,
             i.latest_period.isoformat() if i.latest_period else ""])
    row([])
    row(["Aktiviteter"])
    row(["Aktivitet", "Status", "Gennemførte forekomster", "Deltagere i alt"])
    for a in data.activities:
        row([a.title, a.status.value, a.occurrences, a.participants])
    row(["I alt", "", data.occurrences_total, data.participants_total])
    row([])
    row([f"Milepæle {data.year + 1}"])
    for m in data.milestones_next_year:
        row([m])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(data: AnnualReportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], first: bool = False):
        ws = wb.active if first else wb.create_sheet()
        ws.title = title
        _xlsx_row(ws, header)
        for cell in ws[1]:
            cell.font = bold
        return ws

    ws = sheet("Finansiering", ["Part", "Andel (%)", "Budget (kr.)", "Forbrug (kr.)"], first=True)
    for f in data.financing:
        _xlsx_row(ws, [PARTY_DA[f.party], float(f.share_percent), float(f.budget), float(f.spent)])
    # Totals as values (a file opened without recalculation shows them too).
    _xlsx_row(ws, ["I alt", float(data.share_total), float(data.budget_total), float(data.spent_total)])
    for cell in ws[ws.max_row]:
        cell.font = bold
    _xlsx_row(ws, [])
    _xlsx_row(ws, ["Fordeling overholder reglerne (75/12,5/12,5)", "ja" if data.financing_valid else "nej"])
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 44
    for col in ("B", "C", "D"):
        ws.column_dimensions[col].width = 16

    ws = sheet("Målopfyldelse", ["Mål", "Indikator", "Enhed", "Retning", "Baseline", "Mål (target)",
                                 "Seneste måling", "Målt den"])
    for i in data.indicators:
        _xlsx_row(ws, [i.goal_title, i.name, i.unit, i.direction.value, i.baseline, i.target, i.latest_value,
                       i.latest_period])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 40

    ws = sheet("Aktiviteter", ["Aktivitet", "Status", "Gennemførte forekomster", "Deltagere i alt"])
    for a in data.activities:
        _xlsx_row(ws, [a.title, a.status.value, a.occurrences, a.participants])
    _xlsx_row(ws, ["I alt", None, data.occurrences_total, data.participants_total])
    for cell in ws[ws.max_row]:
        cell.font = bold
    ws.column_dimensions["A"].width = 44

    ws = sheet(f"Milepæle {data.year + 1}", ["Milepæl"])
    for m in data.milestones_next_year:
        _xlsx_row(ws, [m])
    ws.column_dimensions["A"].width = 60

    wb.properties.title = f"Årsrapport {data.year}: {data.plan_name}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def file_path(plan_id: int, year: int, fmt: str) -> str:
    """Where the file is served (the GraphQL report's csvUrl / xlsxUrl)."""
    return f"/reports/{plan_id}/{year}.{fmt}"


# ---------------------------------------------------------------- download routes
ActorResolver = Callable[..., Awaitable[Actor | None]]


def report_routes(actor_for_request: ActorResolver) -> list:
    """`GET /reports/{plan_id}/{year}.csv|.xlsx`, guarded like the GraphQL report (absent and forbidden: 404)."""
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    from backend.db import new_session

    media = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    async def download(request: Request) -> Response:
        plan_id = request.path_params["plan_id"]
        year = request.path_params["year"]
        fmt = request.path_params["fmt"]
        not_found = PlainTextResponse("Rapporten findes ikke. / The report does not exist.", status_code=404)
        if fmt not in media or not (YEAR_MIN <= year <= YEAR_MAX):
            return not_found
        async with new_session() as session:
            actor = await actor_for_request(request, session)
            if not policy.can_read_annual_report(actor, plan_id):
                return not_found
            data = await build(session, plan_id=plan_id, year=year)
        if data is None:
            return not_found
        body = to_csv(data) if fmt == "csv" else to_xlsx(data)
        filename = f"aarsrapport-{plan_id}-{year}.{fmt}"
        return Response(body, media_type=media[fmt], headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        })

    return [Route("/reports/{plan_id:int}/{year:int}.{fmt:str}", download, methods=["GET"])]
