"""The follow-up group: what it is, its meetings, published inputs with answers, and the input form."""

from __future__ import annotations

from graphql import GraphQLError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from backend import policy
from frontend.forms import LIMITS, check_text, mutation_errors
from frontend.sorting import danish_sort_key
from frontend.web import current_actor, gettext_for, query, query_or_404, redirect, render, verified_form
from schema.ids import decode


def check_input_texts(errors: dict, values: dict, *, gettext) -> None:
    """The title and text of an input, as the submit and edit forms check them before asking the API."""
    check_text(
        errors,
        "titel",
        values["titel"],
        gettext=gettext,
        max_length=LIMITS["input_title"],
        name=gettext("en overskrift"),
    )
    check_text(
        errors, "tekst", values["tekst"], gettext=gettext, max_length=LIMITS["input_body"], name=gettext("dit input")
    )


def _group_pk(global_id: str) -> int:
    try:
        return decode(global_id, "FollowUpGroup")[1]
    except GraphQLError:  # a malformed id or one of another type: no such page
        raise HTTPException(status_code=404) from None


async def _page(request: Request, *, values: dict | None = None, errors: dict | None = None, status_code: int = 200):
    group_id = request.path_params["id"]
    pk = _group_pk(group_id)
    data = await query_or_404(request, "FollowUpGroupPage", {"id": group_id})
    group = data.get("node")
    if not group:
        raise HTTPException(status_code=404)
    actor = await current_actor(request)
    viewer = data.get("viewer") or {}
    own_inputs = [
        i for i in ((viewer.get("inputs") or {}).get("nodes") or []) if (i.get("group") or {}).get("id") == group_id
    ]
    own_ids = {i["id"] for i in own_inputs}
    # Every published input, the viewer's own included (marked as theirs): the same list visitors see.
    published = group["publishedInputs"]["nodes"]
    organisations = sorted(
        {e["organisation"]["name"] for e in group["estates"] if e.get("organisation")}, key=danish_sort_key
    )
    return await render(
        request,
        "groups/group.html",
        {
            "group": group,
            "published": published,
            "own_ids": own_ids,
            "own_inputs": own_inputs,
            "can_submit": policy.can_submit_input(actor, pk),
            "is_resident": bool(actor and actor.kind.value == "RESIDENT"),
            "has_residency": bool(viewer.get("residencies")),
            "organisations": organisations,
            "came_from": "foelgegruppe",  # the edit and withdraw pages lead back here
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def group(request: Request):
    return await _page(request)


async def submit_input(request: Request):
    _ = gettext_for(request)
    actor = await current_actor(request)
    group_id = request.path_params["id"]
    if actor is None or not policy.can_submit_input(actor, _group_pk(group_id)):
        raise HTTPException(status_code=404)
    form = await verified_form(request)
    values = {
        "titel": str(form.get("titel", "")),
        "tekst": str(form.get("tekst", "")),
        "emne": str(form.get("emne", "")),
    }
    errors: dict[str, str] = {}
    check_input_texts(errors, values, gettext=_)
    if not errors:
        variables = {
            "input": {
                "groupId": group_id,
                "title": values["titel"].strip(),
                "body": values["tekst"].strip(),
                "language": _lang(request),
            }
        }
        if values["emne"]:
            variables["input"]["concernsId"] = values["emne"]
        data = await query(request, "ResidentInputSubmit", variables)
        payload = data["residentInputSubmit"]
        errors = mutation_errors(
            payload.get("errors"),
            {"title": "titel", "body": "tekst", "concernsId": "emne"},
            gettext=_,
            fallback_field="tekst",
        )
        if not errors:
            return redirect(f"/foelgegrupper/{group_id}", message="input-sendt")
    return await _page(request, values=values, errors=errors, status_code=400)


def _lang(request: Request) -> str:
    from frontend.web import language

    return language(request).code
