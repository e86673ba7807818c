"""Partner pages: my organisation's activities and the edit form (status, description, dates,
participant counts, progress notes). Housing organisation staff of the plan may use the edit form too;
who may edit is decided by backend.policy and, again, by the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graphql import GraphQLError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from backend import clock, policy
from backend.actor import Actor
from backend.models import ActorKind
from frontend.forms import LIMITS, NOTHING_SENT, SentBack, check_text, edit_conflict, posted_version
from frontend.sorting import by_name
from frontend.templating import LOCAL_TZ, parse_datetime
from frontend.web import gettext_for, mutate, query_or_404, redirect, render, require_actor, verified_form
from schema.ids import decode, encode

STATUSES = ("PLANNED", "ACTIVE", "PAUSED", "ENDED")
RECENT_DAYS = 30  # the edit page shows dates from this many days back, to register participants


@require_actor(ActorKind.PARTNER)
async def overview(request: Request, actor: Actor):
    data = await query_or_404(
        request,
        "PartnerActivities",
        {
            "partnerId": encode("Partner", actor.partner_id or 0),
            "from": (clock.now() - timedelta(hours=12)).isoformat(),
        },
    )
    viewer = data.get("viewer") or {}
    return await render(
        request,
        "partner/overview.html",
        {
            "organisation": viewer.get("organisation") or {},
            "activities": by_name((data.get("activities") or {}).get("nodes") or [], key="title"),
        },
    )


async def _editable(request: Request, actor: Actor) -> dict:
    """The activity in the path with its recent and coming dates, when the actor may edit it; else 404."""
    activity_id = request.path_params["id"]
    try:
        pk = decode(activity_id, "Activity")[1]
    except GraphQLError:  # a malformed id or one of another type: no such page
        raise HTTPException(status_code=404) from None
    now = clock.now()
    data = await query_or_404(
        request,
        "PartnerActivityEdit",
        {
            "id": activity_id,
            "from": (now - timedelta(days=RECENT_DAYS)).isoformat(),
        },
    )
    activity = data.get("node")
    if not activity:
        raise HTTPException(status_code=404)
    for occurrence in activity.get("occurrences") or []:
        # Counts are for dates that have begun; moving and cancelling for those still ahead.
        starts = parse_datetime(occurrence["startsAt"])
        occurrence["started"] = starts is not None and starts <= now
    plan_pk = decode(activity["plan"]["id"], "Plan")[1]
    if not policy.can_update_activity(actor, activity_id=pk, plan_id=plan_pk):
        raise HTTPException(status_code=404)  # not yours looks like not there
    return activity


@require_actor()
async def edit(request: Request, actor: Actor, *, sent: SentBack = NOTHING_SENT, status_code: int = 200):
    """The edit page; after a CONFLICT it shows the activity as stored now beside what the visitor sent (kept
    in the fields) and the form carries the version stored now, so saving again goes on top of it."""
    activity = await _editable(request, actor)
    return await render(
        request,
        "partner/edit.html",
        {"activity": activity, "statuses": STATUSES, **sent.context()},
        status_code=status_code,
    )


def _local_to_utc(value: str) -> str | None:
    """A datetime-local form value (Danish time) as an ISO instant; None when it is not one."""
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=LOCAL_TZ)
        return parsed.astimezone(UTC).isoformat()
    except (ValueError, OverflowError):  # not a datetime, or one without a UTC time (year 1 or 9999)
        return None


def _period(errors: dict, start_id: str, end_id: str, start: str, end: str, _) -> tuple[str | None, str | None]:
    starts_at = _local_to_utc(start)
    ends_at = _local_to_utc(end)
    if starts_at is None:
        errors[start_id] = _("Skriv starttidspunktet som dato og klokkeslæt, fx 2026-12-03T16:00.")
    if ends_at is None:
        errors[end_id] = _("Skriv sluttidspunktet som dato og klokkeslæt, fx 2026-12-03T18:00.")
    if starts_at and ends_at and ends_at <= starts_at:
        errors[end_id] = _("Sluttidspunktet skal ligge efter starttidspunktet.")
    return starts_at, ends_at


@require_actor()
async def save(request: Request, actor: Actor):
    _ = gettext_for(request)
    activity = await _editable(request, actor)
    form = await verified_form(request)
    action = str(form.get("handling", ""))
    activity_id = activity["id"]
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    errors: dict[str, str] = {}
    payload: dict = {}  # the mutation's payload: it may say someone saved in between
    version = posted_version(form)  # of the activity or, in a date's forms, of that date
    row = str(form.get("raekke", ""))
    occurrence_ids = [o["id"] for o in activity.get("occurrences") or []]
    occurrence_id = str(form.get("dato", ""))
    if action in ("flyt-dato", "aflys-dato", "deltagere") and occurrence_id not in occurrence_ids:
        raise HTTPException(status_code=400)

    if action == "opdater":
        status = values.get("status", "")
        if status not in STATUSES:
            errors["status"] = _("Vælg en status.")
        description = values.get("beskrivelse", "")
        limit = LIMITS["activity_description"]
        check_text(
            errors, "beskrivelse", description, gettext=_, required=False, max_length=limit, name=_("beskrivelsen")
        )
        if not errors:
            change = {
                "activityId": activity_id,
                "status": status,
                "description": description.strip() or None,
                "expectedVersion": version,
            }
            fields = {"status": "status", "description": "beskrivelse"}
            payload, errors = await mutate(
                request, "ActivityUpdate", change, fields, gettext=_, fallback_field="beskrivelse"
            )
            message = "aktivitet-gemt"
    elif action == "tilfoej-dato":
        starts_at, ends_at = _period(errors, "ny-start", "ny-slut", values.get("start", ""), values.get("slut", ""), _)
        place = values.get("sted", "")
        limit = LIMITS["occurrence_location"]
        check_text(errors, "ny-sted", place, gettext=_, required=False, max_length=limit, name=_("stedet"))
        if not errors:
            new = {
                "activityId": activity_id,
                "startsAt": starts_at,
                "endsAt": ends_at,
                "location": place.strip() or None,
            }
            fields = {"startsAt": "ny-start", "endsAt": "ny-slut", "location": "ny-sted"}
            payload, errors = await mutate(request, "OccurrenceAdd", new, fields, gettext=_, fallback_field="ny-start")
            message = "dato-tilfoejet"
    elif action == "flyt-dato":
        starts_at, ends_at = _period(
            errors, f"start-{row}", f"slut-{row}", values.get("start", ""), values.get("slut", ""), _
        )
        if not errors:
            move = {"occurrenceId": occurrence_id, "startsAt": starts_at, "endsAt": ends_at, "expectedVersion": version}
            fields = {"startsAt": f"start-{row}", "endsAt": f"slut-{row}"}
            payload, errors = await mutate(
                request, "OccurrenceMove", move, fields, gettext=_, fallback_field=f"start-{row}"
            )
            message = "dato-flyttet"
    elif action == "aflys-dato":
        occurrence = {"occurrenceId": occurrence_id, "expectedVersion": version}
        payload, errors = await mutate(
            request, "OccurrenceCancel", occurrence, {}, gettext=_, fallback_field=f"aflys-{row}"
        )
        message = "dato-aflyst"
    elif action == "fjern-dato":
        occurrence = {"occurrenceId": occurrence_id}
        payload, errors = await mutate(
            request, "OccurrenceDelete", occurrence, {}, gettext=_, fallback_field=f"fjern-{row}"
        )
        message = "dato-fjernet"
    elif action == "deltagere":
        raw = values.get("deltagere", "").strip()
        if not (raw.isascii() and raw.isdigit()):
            errors[f"deltagere-{row}"] = _("Skriv antallet af deltagere som et helt tal, fx 12.")
        elif int(raw) > 100000:
            errors[f"deltagere-{row}"] = _("Antallet er for stort.")
        if not errors:
            count = {"occurrenceId": occurrence_id, "participantCount": int(raw), "expectedVersion": version}
            field = f"deltagere-{row}"
            payload, errors = await mutate(
                request,
                "OccurrenceSetParticipantCount",
                count,
                {"participantCount": field},
                gettext=_,
                fallback_field=field,
            )
            message = "deltagere-gemt"
    elif action == "note":
        check_text(
            errors, "note", values.get("note", ""), gettext=_, max_length=LIMITS["progress_note"], name=_("en note")
        )
        if not errors:
            note = {"activityId": activity_id, "text": values.get("note", "").strip()}
            payload, errors = await mutate(
                request, "ProgressNoteAdd", note, {"text": "note"}, gettext=_, fallback_field="note"
            )
            message = "note-tilfoejet"
    else:
        raise HTTPException(status_code=400)

    if errors:
        values["_row"] = row
        # The mutation's payload may say someone saved in between: show what is stored now.
        conflict = edit_conflict(payload.get("errors"))
        sent = SentBack(values, errors, conflict)
        return await edit(request, sent=sent, status_code=sent.status_code)
    return redirect(f"/partner/aktiviteter/{activity_id}", message=message)
