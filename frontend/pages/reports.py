"""The yearly reports to Landsbyggefonden: plans and years, one year's report (goal attainment and use of
funds) and its downloads. For Landsbyggefonden, and for the staff of the plan (as the API allows)."""

from __future__ import annotations

from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from backend import policy
from backend.models import ActorKind, PlanStatus
from frontend.pages.staff import financing_rows, goal_rows
from frontend.web import language, path_id, query_or_404, render, require_actor
from schema.ids import decode

READERS = (ActorKind.FUND, ActorKind.HOUSING_ORGANISATION, ActorKind.MUNICIPALITY)
# A plan reports for the years it has run: not before the City Council and Landsbyggefonden approved it.
REPORTING = {PlanStatus.APPROVED_BY_LBF.value, PlanStatus.ACTIVE.value, PlanStatus.ENDED.value}


def report_years(plan: dict, today: date) -> list[int]:
    """The calendar years the plan has run up to this year, newest first."""
    start, end = int(plan["period"]["start"][:4]), int(plan["period"]["end"][:4])
    return list(range(min(end, today.year), start - 1, -1))


async def reports(request: Request):
    actor = await require_actor(request, *READERS)
    if isinstance(actor, Response):
        return actor
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


async def annual_report(request: Request):
    actor = await require_actor(request, *READERS)
    if isinstance(actor, Response):
        return actor
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
