"""The yearly reports to Landsbyggefonden: plans and years, one year's report (goal attainment and use of
funds) and its files (CSV, XLSX; built by backend/report.py). For Landsbyggefonden, and for the staff of
the plan (as the API allows)."""

from __future__ import annotations

from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from backend import clock, policy, report
from backend.actor import Actor
from backend.models import ActorKind, PlanStatus
from frontend.conditional import entity_tag, export_response
from frontend.pages.staff import financing_rows, goal_rows
from frontend.web import current_actor, language, path_id, query_or_404, render, require_actor
from schema.ids import decode

READERS = (ActorKind.FUND, ActorKind.HOUSING_ORGANISATION, ActorKind.MUNICIPALITY)
# A plan reports for the years it has run: not before the City Council and Landsbyggefonden approved it.
REPORTING = {PlanStatus.APPROVED_BY_LBF.value, PlanStatus.ACTIVE.value, PlanStatus.ENDED.value}


def report_years(plan: dict, today: date) -> list[int]:
    """The calendar years the plan has run up to this year, newest first."""
    start, end = int(plan["period"]["start"][:4]), int(plan["period"]["end"][:4])
    return list(range(min(end, today.year), start - 1, -1))


@require_actor(*READERS)
async def reports(request: Request, actor: Actor):
    data = await query_or_404(request, "StaffReportPlans")
    today = date.today()
    plans = [
        {**p, "years": report_years(p, today)}
        for p in data["plans"]["nodes"]
        if p["status"] in REPORTING and policy.can_read_annual_report(actor, decode(p["id"], "Plan")[1])
    ]
    return await render(request, "staff/reports.html", {"plans": [p for p in plans if p["years"]]})


def _indicator_goals(indicators: list[dict]) -> list[dict]:
    """The report's indicators in the shape goal_rows reads (one goal per indicator's goal)."""
    goals: dict[str, dict] = {}
    for i in indicators:
        goal = goals.setdefault(i["goal"]["id"], {**i["goal"], "indicators": []})
        goal["indicators"].append({**i, "latest": {"value": i["latestValue"], "period": i["latestPeriod"]}})
    return list(goals.values())


def in_language(url: str, lang: str) -> str:
    """The file in the page's language (Danish is the files' own)."""
    if lang == "da":
        return url
    return f"{url}{'&' if '?' in url else '?'}sprog={lang}"


@require_actor(*READERS)
async def annual_report(request: Request, actor: Actor):
    plan_id = path_id(request, "Plan")
    year = request.path_params["year"]
    if not policy.can_read_annual_report(actor, decode(plan_id, "Plan")[1]) or not (2000 <= year <= 2100):
        raise HTTPException(status_code=404)  # not a plan of yours: as if there were none
    data = await query_or_404(request, "StaffAnnualReport", {"planId": plan_id, "year": year})
    plan, report = data.get("plan"), data.get("annualReport")
    if not plan or not report or year not in report_years(plan, date.today()):
        raise HTTPException(status_code=404)
    financing, top = financing_rows([{**f, "year": year} for f in report["financing"]])
    budget_total = sum(f["budget_n"] for f in financing)
    for f in financing:
        f["budget_share"] = f["budget_n"] / budget_total * 100 if budget_total else None
        f["spent_share"] = f["spent_n"] / f["budget_n"] * 100 if f["budget_n"] else None
    lang = language(request).code
    downloads = {
        key: in_language(report[field], lang)
        for key, field in (("xlsx", "xlsxUrl"), ("csv", "csvUrl"), ("csv_rfc4180", "csvRfc4180Url"))
    }
    return await render(
        request,
        "staff/annual_report.html",
        {
            "plan": plan,
            "report": report,
            "year": year,
            "goals": goal_rows(_indicator_goals(report["indicators"])),
            "financing": financing,
            "top": top,
            "downloads": downloads,
        },
    )


FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


async def download(request: Request) -> Response:
    """`GET /reports/{plan_id}/{year}.csv|.xlsx` (the report's `csvUrl` and `xlsxUrl`), guarded like the
    GraphQL report: absent and forbidden are the same plain 404, since a download link shows no page."""
    from backend.db import new_session

    plan_id, year, fmt = (request.path_params[k] for k in ("plan_id", "year", "fmt"))
    lang = request.query_params.get("sprog", "da")
    dialect = request.query_params.get("dialekt", report.CSV_DIALECTS[0])
    not_found = PlainTextResponse("Rapporten findes ikke. / The report does not exist.", status_code=404)
    if fmt not in FILE_TYPES or not (report.YEAR_MIN <= year <= report.YEAR_MAX):
        return not_found
    if not policy.can_read_annual_report(await current_actor(request), plan_id):
        return not_found
    async with new_session() as session:
        data = await report.build(session, plan_id=plan_id, year=year)
        changed = await report.last_changed(session, plan_id)
    if data is None or lang not in report.LANGUAGES or dialect not in report.CSV_DIALECTS:
        return not_found
    made = clock.today()  # the file's title line says when it was made
    variant = "-rfc4180" if fmt == "csv" and dialect == "rfc4180" else ""
    return export_response(
        request,
        etag=entity_tag(data, fmt, lang, variant, made),
        last_modified=changed,
        cache_control="private, no-store",
        body=lambda: (
            report.to_csv(data, dialect=dialect, lang=lang, made=made)
            if fmt == "csv"
            else report.to_xlsx(data, lang=lang, made=made)
        ),
        media_type=FILE_TYPES[fmt],
        filename=f"aarsrapport-{plan_id}-{year}{variant}.{fmt}",
    )
