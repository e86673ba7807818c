"""The decisions page: what awaits the signed-in municipality's or Landsbyggefonden's decision.

The municipality decides on prequalified plans and registers the City Council's approval, and approves
sub-agreements and emergency plans; Landsbyggefonden approves plans after the City Council and the
strategic agreement with its changes (backend/policy.py). Each item is approved, or sent back with a
note, with the date of the decision; the API records the decision in the audit trail.
"""

from __future__ import annotations

import re
from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from backend import policy
from backend.models import ActorKind, AgreementKind, PlanStatus
from frontend.forms import check_text, mutation_errors
from frontend.web import gettext_for, path_id, query, query_or_404, redirect, render, require_actor, verified_form
from schema.ids import decode

DECIDERS = (ActorKind.MUNICIPALITY, ActorKind.FUND)
NOTE_MAX = 2000
DOCUMENT_FIELDS = ("strategicAgreement", "subAgreements", "emergencyPlan")


def _documents(plan: dict) -> list[dict]:
    """The latest version of each of the plan's documents the actor may see, in a fixed order."""
    docs = []
    for field in DOCUMENT_FIELDS:
        value = plan.get(field)
        docs.extend(value if isinstance(value, list) else [value] if value else [])
    return docs


def awaiting(actor, plans: list[dict]) -> list[dict]:
    """The items that await the actor's decision, each with its plan and what it decides on."""
    items = []
    for plan in plans:
        pk = decode(plan["id"], "Plan")[1]
        decisions = plan.get("decisions") or []
        move = policy.plan_decision_for(actor, pk, PlanStatus(plan["status"]))
        if move is not None:
            earlier = [d for d in decisions if d["agreement"] is None and d["fromStatus"] == plan["status"]]
            items.append(
                {"kind": "plan", "plan": plan, "to": move.value, "documents": _documents(plan), "earlier": earlier}
            )
        for doc in _documents(plan):
            if doc["approvedAt"] or not policy.can_approve_agreement(actor, pk, AgreementKind(doc["kind"])):
                continue
            on_doc = [d for d in decisions if d["agreement"] and d["agreement"]["id"] == doc["id"]]
            if any(d["outcome"] == "SENT_BACK" for d in on_doc):
                continue  # back with the housing organisations until they write a new version
            items.append({"kind": "agreement", "plan": plan, "document": doc, "earlier": on_doc})
    return items


def made_by(actor, plans: list[dict]) -> list[dict]:
    """The decisions of the actor's kind on these plans, newest first."""
    rows = [{**d, "plan": p} for p in plans for d in (p.get("decisions") or []) if d["actorKind"] == actor.kind.value]
    return sorted(rows, key=lambda d: d["createdAt"], reverse=True)


async def _page(request: Request, *, values: dict | None = None, errors: dict | None = None, status_code: int = 200):
    actor = await require_actor(request, *DECIDERS)
    if isinstance(actor, Response):
        return actor
    data = await query_or_404(request, "StaffDecisions")
    plans = data["plans"]["nodes"]
    return await render(
        request,
        "staff/decisions.html",
        {
            "awaiting_items": awaiting(actor, plans),
            "made": made_by(actor, plans)[:20],
            "is_fund": actor.kind == ActorKind.FUND,
            "values": values or {},
            "errors": errors or {},
            "today": date.today().isoformat(),
        },
        status_code=status_code,
    )


async def decisions(request: Request):
    return await _page(request)


_DANISH_DATE = re.compile(r"^(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})$")


def parse_decision_date(text: str) -> date | None:
    """A date as the browser's date field sends it (2026-01-15) or as people type it (15.1.2026)."""
    text = text.strip()
    try:
        if m := _DANISH_DATE.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError:
        return None


async def decide(request: Request):
    """Approve, or send back, one plan step or document version."""
    _ = gettext_for(request)
    actor = await require_actor(request, *DECIDERS)
    if isinstance(actor, Response):
        return actor
    form = await verified_form(request)
    what = request.path_params["what"]
    if what not in ("planer", "aftaler"):
        raise HTTPException(status_code=404)
    object_id = path_id(request, "Plan" if what == "planer" else "Agreement")
    row = str(form.get("raekke", ""))
    if not row.isdigit():
        raise HTTPException(status_code=400)
    action = str(form.get("handling", ""))
    if action not in ("godkend", "send-tilbage"):
        raise HTTPException(status_code=400)
    date_field, note_field = f"dato-{row}", f"note-{row}"
    values = {date_field: str(form.get("dato", "")), note_field: str(form.get("note", ""))}
    errors: dict[str, str] = {}
    decided_on = parse_decision_date(values[date_field])
    if not values[date_field].strip():
        errors[date_field] = _("Skriv datoen for beslutningen.")
    elif decided_on is None:
        errors[date_field] = _("Skriv datoen for beslutningen som dag.måned.år, fx 15.1.2026.")
    check_text(
        errors,
        note_field,
        values[note_field],
        gettext=_,
        required=action == "send-tilbage",
        max_length=NOTE_MAX,
        name=_("en note om, hvad der skal ændres"),
    )
    if not errors:
        note = values[note_field].strip() or None
        common = {"decisionDate": decided_on.isoformat(), "note": note}
        if what == "planer":
            to = str(form.get("til", ""))
            if to not in PlanStatus.__members__:
                raise HTTPException(status_code=400)
            name, variables = (
                ("DecisionPlanApprove", {"planId": object_id, "status": to, **common})
                if action == "godkend"
                else ("DecisionPlanSendBack", {"planId": object_id, **common})
            )
        else:
            name = "DecisionAgreementApprove" if action == "godkend" else "DecisionAgreementSendBack"
            variables = {"agreementId": object_id, **common}
        data = await query(request, name, {"input": variables})
        (payload,) = data.values()
        if any(e.get("code") == "NOT_FOUND" for e in payload.get("errors") or []):
            raise HTTPException(status_code=404)  # not yours to decide: as if it were not there
        errors = mutation_errors(
            payload.get("errors"),
            {"decisionDate": date_field, "note": note_field},
            gettext=_,
            fallback_field=date_field,
        )
    if errors:
        return await _page(request, values=values, errors=errors, status_code=400)
    return redirect(
        "/medarbejder/beslutninger",
        message="beslutning-godkendt" if action == "godkend" else "beslutning-sendt-tilbage",
    )
