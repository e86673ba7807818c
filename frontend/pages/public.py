"""Front page, urban area page and plan page: what anyone may read."""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.requests import Request

from backend import clock
from frontend.sorting import by_name
from frontend.web import path_id, query_or_404, render


def this_week() -> tuple[datetime, datetime]:
    """From the start of today (Danish time) and seven days on."""
    start = clock.start_of_day(clock.today())
    return start, start + timedelta(days=7)


def occurrence_rows(activities: list[dict]) -> list[dict]:
    """One row per occurrence, earliest first, each with its activity."""
    rows = []
    for activity in activities:
        for occurrence in activity.get("occurrences") or []:
            rows.append({"activity": activity, "occurrence": occurrence})
    rows.sort(key=lambda r: r["occurrence"]["startsAt"])
    return rows


def _matches(text: str, needle: str) -> bool:
    return needle.casefold() in (text or "").casefold()


async def front_page(request: Request):
    start, end = this_week()
    q = request.query_params.get("q", "").strip()[:100]
    data = await query_or_404(request, "FrontPage", {"from": start.isoformat(), "to": end.isoformat()})
    areas = [{**a, "estates": by_name(a["estates"])} for a in by_name(data["urbanAreas"]["nodes"])]
    if q:
        areas = [
            {
                **a,
                "estates": [e for e in a["estates"] if _matches(e["name"], q)]
                or (a["estates"] if _matches(a["name"], q) else []),
            }
            for a in areas
            if _matches(a["name"], q) or any(_matches(e["name"], q) for e in a["estates"])
        ]
    home_area_ids = set()
    viewer = data.get("viewer")
    if viewer:
        home_area_ids = {r["estate"]["urbanArea"]["id"] for r in viewer.get("residencies") or [] if r.get("estate")}
    rows = occurrence_rows(data["activities"]["nodes"])
    near = [r for r in rows if r["activity"]["plan"]["urbanArea"]["id"] in home_area_ids] if home_area_ids else []
    return await render(
        request,
        "front.html",
        {
            "areas": areas,
            "q": q,
            "rows": rows[:12],
            "near": near[:12],
            "viewer_data": viewer,
            "week_start": start,
            "week_end": end - timedelta(days=1),
        },
    )


async def urban_area(request: Request):
    start, end = this_week()
    data = await query_or_404(
        request,
        "UrbanAreaPage",
        {
            "id": path_id(request, "UrbanArea"),
            "from": start.isoformat(),
            "to": end.isoformat(),
        },
    )
    area = data.get("node")
    if not area:
        from starlette.exceptions import HTTPException

        raise HTTPException(status_code=404)
    area = {
        **area,
        "estates": by_name(area.get("estates") or []),
        "plans": {**area["plans"], "nodes": by_name(area["plans"]["nodes"])},
    }
    return await render(
        request,
        "urban_area.html",
        {
            "area": area,
            "rows": occurrence_rows(data["activities"]["nodes"]),
        },
    )


async def plan(request: Request):
    data = await query_or_404(request, "PlanPage", {"id": path_id(request, "Plan")})
    plan = data.get("plan")
    if not plan:
        from starlette.exceptions import HTTPException

        raise HTTPException(status_code=404)
    activities = plan["activities"]["nodes"]
    by_focus: dict[str, dict] = {}
    for focus in plan["focusAreas"]:
        by_focus[focus["id"]] = {"focus": focus, "activities": []}
    for activity in activities:
        fid = activity["focusArea"]["id"]
        by_focus.setdefault(fid, {"focus": activity["focusArea"], "activities": []})["activities"].append(activity)
    partners: dict[str, dict] = {}
    for activity in activities:
        for link in activity["partners"]:
            partners.setdefault(link["partner"]["id"], link["partner"])
    for group in by_focus.values():
        group["activities"] = by_name(group["activities"], key="title")
    return await render(
        request,
        "plan.html",
        {
            "plan": plan,
            "focus_groups": list(by_focus.values()),
            "partners": by_name(list(partners.values())),
        },
    )
