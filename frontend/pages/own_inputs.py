"""A resident's own input: edit it or withdraw it while the follow-up group has not answered it.

Whether an input may still be changed is the API's answer (`canEdit`, decided by backend/policy.py);
another resident's input, or anything that is not an input, is the portal's 404 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from backend.actor import Actor
from backend.models import ActorKind
from frontend.pages.groups import check_input_texts
from frontend.web import (
    gettext_for,
    mutate,
    path_id,
    query_or_404,
    redirect,
    render,
    require_actor,
    verified_form,
)

# Where the resident came from: the follow-up group's page, or (by default) My page.
FROM_GROUP = "foelgegruppe"
FIELD_IDS = {"title": "titel", "body": "tekst"}


async def _own_input(request: Request) -> dict:
    """The signed-in resident's own input named in the path, or 404."""
    data = await query_or_404(request, "OwnInput", {"id": path_id(request, "ResidentInput")})
    item = data.get("node")
    if not item or not item.get("mine"):
        raise HTTPException(status_code=404)
    return item


def _came_from(request: Request, form=None) -> str:
    value = (form.get("fra") if form is not None else None) or request.query_params.get("fra", "")
    return FROM_GROUP if value == FROM_GROUP else ""


def _back(item: dict, came_from: str) -> str:
    return f"/foelgegrupper/{item['group']['id']}" if came_from == FROM_GROUP else "/min-side"


async def _closed(request: Request, item: dict, came_from: str, text: str | None = None):
    """The input can no longer be changed (answered, closed or withdrawn meanwhile)."""
    _ = gettext_for(request)
    return await render(
        request,
        "mine/input_closed.html",
        {
            "item": item,
            "back": _back(item, came_from),
            "text": text or _("Følgegruppen har besvaret eller lukket dit input, eller du har trukket det tilbage."),
        },
        status_code=409,
    )


async def _edit_page(
    request: Request, item: dict, came_from: str, *, values: dict, errors: dict | None = None, status_code: int = 200
):
    return await render(
        request,
        "mine/input_edit.html",
        {
            "item": item,
            "values": values,
            "errors": errors or {},
            "came_from": came_from,
            "back": _back(item, came_from),
        },
        status_code=status_code,
    )


async def _if_changeable(request: Request, page: Callable[[dict, str], Awaitable[Response]]) -> Response:
    """For the pages that offer a change: `page(input, where the resident came from)`, or instead the page
    saying it can no longer be changed (not the resident's own input is 404)."""
    item = await _own_input(request)
    came_from = _came_from(request)
    if not item["canEdit"]:
        return await _closed(request, item, came_from)
    return await page(item, came_from)


@require_actor(ActorKind.RESIDENT)
async def edit_form(request: Request, actor: Actor):
    def form(item: dict, came_from: str) -> Awaitable[Response]:
        return _edit_page(request, item, came_from, values={"titel": item["title"], "tekst": item["body"]})

    return await _if_changeable(request, form)


async def _posted_change(request: Request) -> tuple[dict, FormData, str]:
    """A change posted to one of the resident's own inputs: the input, the (CSRF-checked) form, and where
    the resident came from."""
    item = await _own_input(request)
    form = await verified_form(request)
    return item, form, _came_from(request, form)


@require_actor(ActorKind.RESIDENT)
async def edit(request: Request, actor: Actor):
    _ = gettext_for(request)
    item, form, came_from = await _posted_change(request)
    values = {"titel": str(form.get("titel", "")), "tekst": str(form.get("tekst", ""))}
    errors: dict[str, str] = {}
    check_input_texts(errors, values, gettext=_)
    if not errors:
        # Whether it may still be changed is the mutation's decision (it may have been answered meanwhile).
        texts = {"inputId": item["id"], "title": values["titel"].strip(), "body": values["tekst"].strip()}
        _payload, errors = await mutate(
            request, "ResidentInputEdit", texts, FIELD_IDS, gettext=_, fallback_field="tekst"
        )
        if not errors:
            return redirect(_back(item, came_from), message="input-rettet")
    return await _edit_page(request, item, came_from, values=values, errors=errors, status_code=400)


@require_actor(ActorKind.RESIDENT)
async def withdraw_confirm(request: Request, actor: Actor):
    def confirmation(item: dict, came_from: str) -> Awaitable[Response]:
        context = {"item": item, "came_from": came_from, "back": _back(item, came_from)}
        return render(request, "mine/input_withdraw.html", context)

    return await _if_changeable(request, confirmation)


@require_actor(ActorKind.RESIDENT)
async def withdraw(request: Request, actor: Actor):
    _ = gettext_for(request)
    item, _form, came_from = await _posted_change(request)
    which = {"inputId": item["id"]}
    _payload, errors = await mutate(request, "ResidentInputWithdraw", which, {}, gettext=_, fallback_field="input")
    if errors:
        return await _closed(request, item, came_from, text=errors["input"])
    return redirect(_back(item, came_from), message="input-trukket-tilbage")
