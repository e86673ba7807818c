"""Board overviews: Den Boligsociale Bestyrelse follows every plan of the city, each bydelsbestyrelse the
plans of its urban areas, on goals (indicators: baseline, target, latest measurement, progress) and
economy (budget against spent per party and year). For municipality staff, Landsbyggefonden, and the
housing organisations' staff for their own plans (those whose financing they may read)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from backend import policy
from backend.models import ActorKind
from frontend.pages.staff import financing_rows, goal_rows
from frontend.web import path_id, query_or_404, render, require_actor
from schema.ids import decode

FOLLOWERS = (ActorKind.MUNICIPALITY, ActorKind.HOUSING_ORGANISATION, ActorKind.FUND)


async def boards(request: Request):
    actor = await require_actor(request, *FOLLOWERS)
    if isinstance(actor, Response):
        return actor
    data = await query_or_404(request, "StaffBoards")
    return await render(request, "staff/boards.html", {"boards": data["boards"]["nodes"]})


def board_plans(actor, board: dict) -> list[dict]:
    """The plans in the board's areas (the whole city for the city board) that the actor follows."""
    areas = board["municipality"]["urbanAreas"] if board["level"] == "CITY" else board["urbanAreas"]
    plans = []
    for area in areas:
        for plan in area["plans"]["nodes"]:
            if plan.get("financing") is None or not policy.can_read_financing(actor, decode(plan["id"], "Plan")[1]):
                continue
            financing, top = financing_rows(plan["financing"])
            plans.append({**plan, "goal_rows": goal_rows(plan["goals"]), "money": financing, "top": top})
    return sorted(plans, key=lambda p: (p["urbanArea"]["name"], p["name"]))


async def board(request: Request):
    actor = await require_actor(request, *FOLLOWERS)
    if isinstance(actor, Response):
        return actor
    board_id = path_id(request, "Board")
    data = await query_or_404(request, "StaffBoard", {"id": board_id})
    found = data.get("node")
    if not found:
        raise HTTPException(status_code=404)
    plans = board_plans(actor, found)
    totals = {
        "budget": sum(r["budget_n"] for p in plans for r in p["money"]),
        "spent": sum(r["spent_n"] for p in plans for r in p["money"]),
    }
    return await render(request, "staff/board.html", {"board": found, "plans": plans, "totals": totals})
