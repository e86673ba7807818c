"""Staff pages: the input inbox of their groups with the answer form, and a plan overview with
goal progress and financing as SVG charts (the numbers are in tables beside them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from starlette.exceptions import HTTPException
from starlette.requests import Request

from backend import policy
from backend.actor import Actor
from backend.models import ActorKind
from frontend.forms import (
    LIMITS,
    NOTHING_SENT,
    VERSION_FIELD,
    SentBack,
    check_text,
    edit_conflict,
    mutation_errors,
    posted_version,
)
from frontend.i18n import N_
from frontend.sorting import by_name
from frontend.web import (
    day_range,
    gettext_for,
    path_id,
    query,
    query_cursor,
    query_id,
    query_or_404,
    redirect,
    render,
    require_actor,
    verified_form,
)
from schema.examples import examples
from schema.ids import decode

STAFF = (ActorKind.HOUSING_ORGANISATION, ActorKind.MUNICIPALITY)
INPUT_STATUSES = ("RECEIVED", "UNDER_CONSIDERATION", "ANSWERED", "CLOSED")


INBOX_PAGE_SIZE = 20
INBOX_FILTERS = ("gruppe", "status", "fra", "til")


def _own_groups(actor, data: dict) -> list[dict]:
    """The follow-up groups of the actor's own plans (the list of groups is public, their inputs are not)."""
    return by_name(
        [
            g
            for g in data["followUpGroups"]["nodes"]
            if policy.can_read_group_inputs(actor, decode(g["plan"]["id"], "Plan")[1])
        ]
    )


@require_actor(*STAFF)
async def _inbox(
    request: Request, actor: Actor, *, values: dict | None = None, errors: dict | None = None, status_code: int = 200
):
    """Inputs to the groups of the actor's plans, filtered (group, status, days received) and paged with
    cursor links; each leads to its own page for answering. The filters are a GET form (no JavaScript)."""
    _ = gettext_for(request)
    params = request.query_params
    filters = {k: params.get(k, "").strip()[:200] for k in INBOX_FILTERS}
    filter_errors: dict[str, str] = {}
    group_id = query_id(request, "gruppe", "FollowUpGroup")
    status = filters["status"] if filters["status"] in INPUT_STATUSES else ""
    filters["status"] = status
    received_from, received_to = day_range(filters, filter_errors, _)
    after = query_cursor(request, "efter")
    inbox_filter = {
        "groupId": group_id,
        "status": status or None,
        "receivedFrom": received_from and received_from.isoformat(),
        "receivedTo": received_to and received_to.isoformat(),
    }
    data = await query_or_404(
        request,
        "StaffInbox",
        {
            "filter": {k: v for k, v in inbox_filter.items() if v is not None},
            "first": INBOX_PAGE_SIZE,
            "after": after,
            "list": not filter_errors,  # a filter that is wrong lists nothing
        },
    )
    inbox = data.get("inputInbox") or {}
    return await render(
        request,
        "staff/inbox.html",
        {
            "groups": _own_groups(actor, data),
            "inputs": inbox.get("nodes"),
            "total": inbox.get("totalCount"),
            "page_info": inbox.get("pageInfo") or {},
            "paged": after is not None,
            "filters": filters,
            "filtered": any(filters.values()),
            "statuses": INPUT_STATUSES,
            "channels": CHANNELS,
            "values": values or {},
            "errors": {**filter_errors, **(errors or {})},
        },
        status_code=400 if filter_errors else status_code,
    )


async def inbox(request: Request):
    return await _inbox(request)


@require_actor(*STAFF)
async def _input_page(request: Request, actor: Actor, *, sent: SentBack = NOTHING_SENT, status_code: int = 200):
    """One input with its answers, and the forms to answer it, change its status and publish it. After a
    CONFLICT the input as stored now is shown beside what the visitor sent, and the forms carry its version."""
    input_id = path_id(request, "ResidentInput")
    data = await query_or_404(request, "StaffInput", {"id": input_id})
    item = data.get("node")
    # A published input is public, but its handling is only for the staff of its plan: others get 404.
    if not item or not policy.can_read_group_inputs(actor, decode(item["group"]["plan"]["id"], "Plan")[1]):
        raise HTTPException(status_code=404)
    return await render(
        request,
        "staff/input.html",
        {
            "input": item,
            "statuses": INPUT_STATUSES,
            **sent.context(),
        },
        status_code=status_code,
    )


async def input_page(request: Request):
    return await _input_page(request)


@require_actor(*STAFF)
async def answer(request: Request, actor: Actor):
    """One input: answer it, change its status, or publish it (with its answer) on the group page."""
    _ = gettext_for(request)
    form = await verified_form(request)
    input_id = path_id(request, "ResidentInput")
    action = str(form.get("handling", "svar"))
    version = posted_version(form)
    errors: dict[str, str] = {}
    values: dict[str, str] = {"handling": action, VERSION_FIELD: str(form.get(VERSION_FIELD, ""))}
    conflict = None
    if action == "svar":
        body = str(form.get("svar", ""))
        values["svar"] = body
        check_text(errors, "svar", body, gettext=_, max_length=LIMITS["answer"], name=_("et svar"))
        if not errors:
            data = await query(
                request,
                "ResidentInputAnswer",
                {"input": {"inputId": input_id, "body": body.strip(), "expectedVersion": version}},
            )
            errors = _errors_or_404(data["residentInputAnswer"], {"body": "svar"}, _, "svar")
            conflict = edit_conflict(data["residentInputAnswer"].get("errors"))
        message = "svar-sendt"
    elif action == "status":
        status = str(form.get("status", ""))
        values["status"] = status
        if status not in INPUT_STATUSES:
            errors["status"] = _("Vælg en status.")
        else:
            data = await query(
                request,
                "ResidentInputSetStatus",
                {"input": {"inputId": input_id, "status": status, "expectedVersion": version}},
            )
            errors = _errors_or_404(data["residentInputSetStatus"], {"status": "status"}, _, "status")
            conflict = edit_conflict(data["residentInputSetStatus"].get("errors"))
        message = "status-gemt"
    elif action in ("offentliggoer", "skjul"):
        data = await query(
            request,
            "ResidentInputPublish",
            {"input": {"inputId": input_id, "published": action == "offentliggoer", "expectedVersion": version}},
        )
        errors = _errors_or_404(data["residentInputPublish"], {}, _, "offentlig")
        conflict = edit_conflict(data["residentInputPublish"].get("errors"))
        message = "offentliggjort" if action == "offentliggoer" else "afpubliceret"
    else:
        raise HTTPException(status_code=400)
    if errors:
        sent = SentBack(values, errors, conflict)
        return await _input_page(request, sent=sent, status_code=sent.status_code)
    return redirect(f"/medarbejder/indbakke/{input_id}", message=message)


def _errors_or_404(payload: dict, fields: dict, _, fallback: str) -> dict:
    if any(e.get("code") == "NOT_FOUND" for e in payload.get("errors") or []):
        raise HTTPException(status_code=404)  # not an input of your plans: as if it were not there
    return mutation_errors(payload.get("errors"), fields, gettext=_, fallback_field=fallback)


CHANNELS = ("PAPER", "PHONE", "IN_PERSON")


@require_actor(*STAFF)
async def register(request: Request, actor: Actor):
    """Input a resident gave on paper, by phone or in person, registered by staff with its channel."""
    _ = gettext_for(request)
    form = await verified_form(request)
    group_id = path_id(request, "FollowUpGroup")
    row = str(form.get("gruppe", ""))
    values = {f"{k}-{row}": str(form.get(k, "")) for k in ("titel", "tekst", "kanal")}
    errors: dict[str, str] = {}
    check_text(
        errors,
        f"titel-{row}",
        values[f"titel-{row}"],
        gettext=_,
        max_length=LIMITS["input_title"],
        name=_("en overskrift"),
    )
    check_text(
        errors,
        f"tekst-{row}",
        values[f"tekst-{row}"],
        gettext=_,
        max_length=LIMITS["input_body"],
        name=_("beboerens input"),
    )
    if values[f"kanal-{row}"] not in CHANNELS:
        errors[f"kanal-{row}"] = _("Vælg, hvordan inputtet kom ind.")
    if not errors:
        data = await query(
            request,
            "ResidentInputRegister",
            {
                "input": {
                    "groupId": group_id,
                    "title": values[f"titel-{row}"].strip(),
                    "body": values[f"tekst-{row}"].strip(),
                    "channel": values[f"kanal-{row}"],
                }
            },
        )
        errors = _errors_or_404(
            data["residentInputRegister"],
            {"title": f"titel-{row}", "body": f"tekst-{row}", "channel": f"kanal-{row}"},
            _,
            f"titel-{row}",
        )
    if errors:
        return await _inbox(request, values=values, errors=errors, status_code=400)
    return redirect("/medarbejder/indbakke", message="input-registreret")


@require_actor(*STAFF, ActorKind.FUND)
async def plans(request: Request, actor: Actor):
    data = await query_or_404(request, "StaffPlans")
    mine = [
        p
        for p in data["plans"]["nodes"]
        if actor.kind == ActorKind.FUND or decode(p["id"], "Plan")[1] in actor.plan_ids
    ]
    return await render(request, "staff/plans.html", {"plans": by_name(mine)})


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
            baseline, target, value = (
                _number(indicator.get("baseline")),
                _number(indicator.get("target")),
                _number(latest.get("value")),
            )
            progress = None
            if baseline is not None and target is not None and value is not None and target != baseline:
                progress = max(0.0, min(1.0, (value - baseline) / (target - baseline)))
            elif indicator.get("direction") == "KEEP" and target is not None and value is not None:
                progress = 1.0 if value >= target else max(0.0, value / target) if target else None
            rows.append(
                {
                    "goal": goal,
                    "indicator": indicator,
                    "baseline": baseline,
                    "target": target,
                    "value": value,
                    "period": latest.get("period"),
                    "progress": progress,
                }
            )
    return rows


def financing_rows(financing: list[dict]) -> tuple[list[dict], float]:
    rows = [
        {**f, "budget_n": _number(f.get("budget")) or 0.0, "spent_n": _number(f.get("spent")) or 0.0} for f in financing
    ]
    top = max([r["budget_n"] for r in rows] + [r["spent_n"] for r in rows] + [1.0])
    return rows, top


@require_actor(*STAFF, ActorKind.FUND)
async def plan_overview(request: Request, actor: Actor):
    plan_id = path_id(request, "Plan")
    if not policy.can_read_financing(actor, decode(plan_id, "Plan")[1]):
        raise HTTPException(status_code=404)  # not staff of this plan: looks like no plan
    year = request.query_params.get("aar", "")
    variables = {"id": plan_id, "year": int(year) if year.isascii() and year.isdigit() and len(year) == 4 else None}
    data = await query_or_404(request, "StaffPlanOverview", variables)
    plan = data.get("plan")
    if not plan:
        raise HTTPException(status_code=404)
    goals = goal_rows(plan.get("goals") or [])
    financing, top = financing_rows(plan.get("financing") or [])
    years = sorted({f["year"] for f in financing})
    return await render(
        request,
        "staff/plan_overview.html",
        {
            "plan": plan,
            "goals": goals,
            "financing": financing,
            "top": top,
            "years": years,
            "year": variables["year"],
        },
    )


# The titles of the example operations in schema/examples/ (a test checks each file has one).
EXAMPLE_TITLES = {
    "01-inbox": N_("Indbakken: nyt input til dine følgegrupper"),
    "02-answer-input": N_("Svar på et input"),
    "03-handle-input": N_("Skift status på et input og offentliggør det"),
    "04-plans-goals-economy": N_("Dine planer med målopfyldelse og økonomi"),
    "05-record-measurement": N_("Registrér en måling af en indikator"),
    "06-activities-by-name": N_("Aktiviteterne i alfabetisk orden"),
    "07-activity-follow-up": N_("Følg op på en aktivitet: deltagere og en statusnote"),
}


@require_actor(*STAFF, ActorKind.PARTNER, ActorKind.FUND)
async def graphql_examples(request: Request, actor: Actor):
    """Example operations for the common staff tasks, each one click from GraphiQL (with your rights,
    through the session cookie), and as text to copy into a client of your own."""
    from urllib.parse import urlencode

    from backend.settings import get_settings

    _ = gettext_for(request)
    rows = []
    for example in examples():
        link = {"query": example.text, **({"variables": example.variables} if example.variables else {})}
        rows.append(
            {
                "key": example.key,
                "title": _(EXAMPLE_TITLES[example.key]),
                "example": example,
                "href": "/graphql#" + urlencode(link),
            }
        )  # a fragment: ?query= would run it
    return await render(
        request,
        "staff/graphql_examples.html",
        {
            "examples": rows,
            "graphiql": get_settings().graphiql,
        },
    )
