"""Notifications: the list with mark read and mark all read, following an activity, and how to hear of
each kind (on Min side). Every form is a plain POST with CSRF: it all works without JavaScript."""

from __future__ import annotations

from graphql import GraphQLError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from backend.actor import Actor
from backend.models import ActorKind, EmailFrequency
from backend.services.notifications import DIGEST_KINDS, KINDS_FOR
from frontend.web import (
    language,
    path_id,
    query,
    query_cursor,
    query_or_404,
    redirect,
    render,
    require_actor,
    verified_form,
)
from schema.ids import decode

PAGE_SIZE = 20
LIST = "/min-side/notifikationer"


@require_actor()
async def notifications_page(request: Request, actor: Actor):
    unread_only = request.query_params.get("vis") == "ulaeste"
    data = await query_or_404(
        request,
        "Notifications",
        # The sentences in the page's language (the API's default is the account's).
        {
            "first": PAGE_SIZE,
            "after": query_cursor(request, "efter"),
            "unreadOnly": unread_only,
            "language": language(request).code,
        },
    )
    me = data.get("viewer") or {}
    return await render(
        request,
        "mine/notifications.html",
        {"me": me, "page": me.get("notifications") or {}, "unread_only": unread_only},
    )


@require_actor()
async def mark_read(request: Request, actor: Actor):
    """One notification (`id`) or all (`alle`); then back to the list."""
    form = await verified_form(request)
    given = str(form.get("id", ""))
    variables: dict[str, dict[str, object]]
    if form.get("alle") == "ja":
        variables = {"input": {"all": True}}
    elif given:
        try:
            decode(given, "Notification")
        except GraphQLError:  # a malformed id: the form was tampered with
            raise HTTPException(status_code=400) from None
        variables = {"input": {"ids": [given]}}
    else:
        raise HTTPException(status_code=400)
    payload = (await query(request, "NotificationsMarkRead", variables))["notificationsMarkRead"]
    if payload.get("errors"):
        raise HTTPException(status_code=404)  # another's notification, or none: as absent
    back = LIST + ("?vis=ulaeste" if form.get("vis") == "ulaeste" else "")
    return redirect(back, message="notifikationer-laest")


@require_actor(ActorKind.RESIDENT)
async def follow(request: Request, actor: Actor):
    activity_id = path_id(request, "Activity")
    form = await verified_form(request)
    operation = "ActivityUnfollow" if form.get("foelg") == "nej" else "ActivityFollow"
    data = await query(request, operation, {"input": {"activityId": activity_id}})
    payload = data["activityUnfollow" if operation == "ActivityUnfollow" else "activityFollow"]
    if payload.get("errors"):
        raise HTTPException(status_code=404)
    message = "aktivitet-fulgt" if operation == "ActivityFollow" else "aktivitet-ikke-fulgt"
    return redirect(f"/aktiviteter/{activity_id}", message=message)


def preference_rows(actor: Actor, stored: list[dict]) -> list[dict]:
    """The kinds the actor can receive with what it chose (the API's answer), for the form on Min side."""
    chosen = {p["kind"]: p for p in stored}
    return [
        {
            "kind": kind.value,
            "portal": chosen.get(kind.value, {}).get("portal", True),
            "email": chosen.get(kind.value, {}).get("email", EmailFrequency.EACH.value),
        }
        for kind in KINDS_FOR.get(actor.kind, ())
    ]


def email_choices(actor: Actor) -> list[str]:
    offered = [EmailFrequency.NEVER, EmailFrequency.EACH]
    if actor.kind in DIGEST_KINDS:
        offered.append(EmailFrequency.DAILY)
    return [f.value for f in offered]


async def preferences_context(request: Request, actor: Actor) -> dict:
    """What Min side's preferences form shows."""
    data = await query_or_404(request, "NotificationPreferences")
    stored = (data.get("viewer") or {}).get("notificationPreferences") or []
    return {"preferences": preference_rows(actor, stored), "email_choices": email_choices(actor)}


@require_actor()
async def save_preferences(request: Request, actor: Actor):
    form = await verified_form(request)
    allowed = email_choices(actor)
    choices = []
    for kind in KINDS_FOR.get(actor.kind, ()):
        email = str(form.get(f"email-{kind.value}", EmailFrequency.EACH.value))
        if email not in allowed:
            raise HTTPException(status_code=400)  # not a choice the form offered
        choices.append({"kind": kind.value, "portal": form.get(f"portal-{kind.value}") == "ja", "email": email})
    data = await query(request, "NotificationPreferencesSet", {"input": {"preferences": choices}})
    if data["notificationPreferencesSet"].get("errors"):
        raise HTTPException(status_code=400)
    return redirect("/min-side", message="indstillinger-gemt")
