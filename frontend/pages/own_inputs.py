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
from frontend.forms import NOTHING_SENT, VERSION_FIELD, SentBack, edit_conflict, posted_version
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
WITHDRAWN_INPUT = "input-heading"  # the input on the withdraw page, which an error there points to


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


async def _edit_page(request: Request, item: dict, came_from: str, *, sent: SentBack, status_code: int = 200):
    """`values["version"]` is the version the form sends back: the one shown, or after a conflict the one
    stored now (with the stored text beside the resident's own)."""
    return await render(
        request,
        "mine/input_edit.html",
        {"item": item, "came_from": came_from, "back": _back(item, came_from), **sent.context()},
        status_code=status_code,
    )


async def _changeable_input(request: Request) -> tuple[dict, str] | Response:
    """For the pages that offer a change: the input and where the resident came from, or the page to
    show instead ("can no longer be changed"; not the resident's own input is 404)."""
    item = await _own_input(request)
    came_from = _came_from(request)
    if not item["canEdit"]:
        return await _closed(request, item, came_from)
    return item, came_from


async def _if_changeable(request: Request, page: Callable[[dict, str], Awaitable[Response]]) -> Response:
    """For the pages that offer a change: `page(input, where the resident came from)`, or instead the page
    saying it can no longer be changed (not the resident's own input is 404)."""
    found = await _changeable_input(request)
    return found if isinstance(found, Response) else await page(*found)


@require_actor(ActorKind.RESIDENT)
async def edit_form(request: Request, actor: Actor):
    def form(item: dict, came_from: str) -> Awaitable[Response]:
        values = {"titel": item["title"], "tekst": item["body"], VERSION_FIELD: item["version"]}
        return _edit_page(request, item, came_from, sent=SentBack(values))

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
    values = {k: str(form.get(k, "")) for k in ("titel", "tekst", VERSION_FIELD)}
    errors: dict[str, str] = {}
    conflict = None
    check_input_texts(errors, values, gettext=_)
    if not errors:
        # Whether it may still be changed is the mutation's decision (it may have been answered meanwhile).
        change = {
            "inputId": item["id"],
            "title": values["titel"].strip(),
            "body": values["tekst"].strip(),
            "expectedVersion": posted_version(form),
        }
        payload, errors = await mutate(
            request, "ResidentInputEdit", change, FIELD_IDS, gettext=_, fallback_field="tekst"
        )
        if not errors:
            return redirect(_back(item, came_from), message="input-rettet")
        conflict = edit_conflict(payload.get("errors"))
        if conflict:
            item = await _own_input(request)  # as stored now: its text beside the resident's, its version
            values[VERSION_FIELD] = item["version"]
    sent = SentBack(values, errors, conflict)
    return await _edit_page(request, item, came_from, sent=sent, status_code=sent.status_code)


@require_actor(ActorKind.RESIDENT)
async def withdraw_confirm(request: Request, actor: Actor):
    return await _if_changeable(request, lambda item, came_from: _withdraw_page(request, item, came_from))


async def _withdraw_page(request: Request, item: dict, came_from: str, *, sent: SentBack = NOTHING_SENT):
    """The question before withdrawing; after a CONFLICT again, with the input as stored now and its version."""
    return await render(
        request,
        "mine/input_withdraw.html",
        {"item": item, "came_from": came_from, "back": _back(item, came_from), **sent.context()},
        status_code=sent.status_code if sent.errors else 200,
    )


@require_actor(ActorKind.RESIDENT)
async def withdraw(request: Request, actor: Actor):
    _ = gettext_for(request)
    item, form, came_from = await _posted_change(request)
    which = {"inputId": item["id"], "expectedVersion": posted_version(form)}
    payload, errors = await mutate(
        request, "ResidentInputWithdraw", which, {}, gettext=_, fallback_field=WITHDRAWN_INPUT
    )
    conflict = edit_conflict(payload.get("errors"))
    if conflict:
        found = await _changeable_input(request)  # as stored now (or, answered meanwhile, no longer changeable)
        if isinstance(found, Response):
            return found
        return await _withdraw_page(request, found[0], came_from, sent=SentBack({}, errors, conflict))
    if errors:
        return await _closed(request, item, came_from, text=errors[WITHDRAWN_INPUT])
    return redirect(_back(item, came_from), message="input-trukket-tilbage")
