"""Staff pages: the input inbox of their groups with the answer form, and a plan overview with
goal progress and financing as SVG charts (the numbers are in tables beside them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from backend import policy
from backend.models import ActorKind
from schema.ids import decode
from frontend.forms import check_text, mutation_errors
from frontend.web import gettext_for, path_id, query, query_or_404, redirect, render, require_actor, verified_form

STAFF = (ActorKind.HOUSING_ORGANISATION, ActorKind.MUNICIPALITY)
INPUT_STATUSES = ("RECEIVED", "UNDER_CONSIDERATION", "ANSWERED", "CLOSED")


async def _inbox(request: Request, *, values: dict | None = None, errors: dict | None = None, status_code: int = 200):
    actor = await require_actor(request, *STAFF)
    if isinstance(actor, Response):
        return actor
    status = request.query_params.get("status", "")
    variables = {"status": status if status in INPUT_STATUSES else None}
    data = await query_or_404(request, "StaffInbox", variables)
    groups = [g for g in data["followUpGroups"]["nodes"] if g.get("inputs") is not None]
    return await render(request, "staff/inbox.html", {
        "groups": groups, "status": variables["status"] or "", "statuses": INPUT_STATUSES,
        "values": values or {}, "errors": errors or {},
    }, status_code=status_code)


async def inbox(request: Request):
    return await _inbox(request)


async def answer(request: Request):
    _ = gettext_for(request)
    actor = await require_actor(request, *STAFF)
    if isinstance(actor, Response):
        return actor
    form = await verified_form(request)
    input_id = path_id(request, "ResidentInput")
    field = f"svar-{form.get('raekke', '')}"
    body = str(form.get("svar", ""))
    errors: dict[str, str] = {}
    check_text(errors, field, body, gettext=_, max_length=5000, name=_("et svar"))
    if not errors:
        data = await query(request, "ResidentInputAnswer", {"input": {"inputId": input_id, "body": body.strip()}})
        payload = data["residentInputAnswer"]
        if any(e.get("code") == "NOT_FOUND" for e in payload.get("errors") or []):
            raise HTTPException(status_code=404)  # not an input of your plans: as if it were not there
        errors = mutation_errors(payload.get("errors"), {"body": field}, gettext=_, fallback_field=field)
        if not errors and not payload.get("residentInput"):
            raise HTTPException(status_code=404)
    if errors:
        return await _inbox(request, values={field: body}, errors=errors, status_code=400)
    return redirect("/medarbejder/indbakke", message="svar-sendt")


async def plans(request: Request):
    actor = await require_actor(request, *STAFF, ActorKind.FUND)
    if isinstance(actor, Response):
        return actor
    data = await query_or_404(request, "StaffPlans")
    mine = [p for p in data["plans"]["nodes"]
            if actor.kind == ActorKind.FUND or decode(p["id"], "Plan")[1] in actor.plan_ids]
    return await render(request, "staff/plans.html", {"plans": mine})


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def goal_rows(goals: list[dict]) -> list[dict]:
    """Each indicator with its progress from baseline towards target, 0..1 (None when unknown)."""
    rows = []
    for goal in goals:
        for indicator in goal.get("indicators") or []:
            latest = indicator.get("latest") or {}
            baseline, target, value = (_number(indicator.get("baseline")), _number(indicator.get("target")),
                                       _number(latest.get("value")))
            progress = None
            if baseline is not None and target is not None and value is not None and target != baseline:
                progress = max(0.0, min(1.0, (value - baseline) / (target - baseline)))
            elif indicator.get("direction") == "KEEP" and target is not None and value is not None:
                progress = 1.0 if value >= target else max(0.0, value / target) if target else None
            rows.append({"goal": goal, "indicator": indicator, "baseline": baseline, "target": target,
                         "value": value, "period": latest.get("period"), "progress": progress})
    return rows


def financing_rows(financing: list[dict]) -> tuple[list[dict], float]:
    rows = [{**f, "budget_n": _number(f.get("budget")) or 0.0, "spent_n": _number(f.get("spent")) or 0.0}
            for f in financing]
    top = max([r["budget_n"] for r in rows] + [r["spent_n"] for r in rows] + [1.0])
    return rows, top


async def plan_overview(request: Request):
    actor = await require_actor(request, *STAFF, ActorKind.FUND)
    if isinstance(actor, Response):
        return actor
    plan_id = path_id(request, "Plan")
    if not policy.can_read_financing(actor, decode(plan_id, "Plan")[1]):
        raise HTTPException(status_code=404)  # not staff of this plan: looks like no plan
    year = request.query_params.get("aar", "")
    variables = {"id": plan_id, "year": int(year) if year.isdigit() and len(year) == 4 else None}
    data = await query_or_404(request, "StaffPlanOverview", variables)
    plan = data.get("plan")
    if not plan:
        raise HTTPException(status_code=404)
    goals = goal_rows(plan.get("goals") or [])
    financing, top = financing_rows(plan.get("financing") or [])
    years = sorted({f["year"] for f in financing})
    return await render(request, "staff/plan_overview.html", {
        "plan": plan, "goals": goals, "financing": financing, "top": top, "years": years,
        "year": variables["year"],
    })
