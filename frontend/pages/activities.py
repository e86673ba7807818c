"""Activities: search and filter, the week view, the activity page and calendar files (iCal)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from backend import bounds, clock, policy
from frontend.conditional import entity_tag, export_response
from frontend.i18n import LANGUAGES
from frontend.pages.public import occurrence_rows, with_all_dates
from frontend.sorting import by_name
from frontend.templating import language_name, parse_datetime
from frontend.web import (
    current_actor,
    day_range,
    gettext_for,
    language,
    parse_day,
    path_id,
    query_cursor,
    query_id,
    query_or_404,
    render,
)
from schema.ids import decode

if TYPE_CHECKING:
    from icalendar import Calendar

PAGE_SIZE = 20
FEED_ACTIVITIES = 100  # the activities of one calendar feed, read in CalendarFeed's pages of 20


_local_day_start = clock.start_of_day


def focus_options(generations: list[dict], year: int, gettext) -> list[tuple[str, str]]:
    """The focus areas of the current funding generation first (by their own order, named alone), then
    the older generations', newest first, each named with its generation."""

    def current(g):
        return g["startYear"] <= year <= g["endYear"]

    ordered = sorted(generations, key=lambda g: (not current(g), -g["startYear"]))
    return [
        (f["id"], gettext(f["name"]) if current(g) else f"{gettext(f['name'])} ({g['name']})")
        for g in ordered
        for f in g["focusAreas"]
    ]


async def _filter_options(request: Request) -> dict:
    data = await query_or_404(request, "ActivityFilterOptions")
    return {
        "area_options": [(a["id"], a["name"]) for a in by_name(data["urbanAreas"]["nodes"])],
        "focus_options": focus_options(data["fundingGenerations"], clock.today().year, gettext_for(request)),
    }


async def search(request: Request):
    _ = gettext_for(request)
    params = request.query_params
    values = {
        k: params.get(k, "").strip()[:200] for k in ("q", "omraade", "indsats", "maalgruppe", "sprog", "fra", "til")
    }
    if values["sprog"] and values["sprog"] not in LANGUAGES:
        raise HTTPException(status_code=400)  # a language the portal offers no filter for
    errors: dict[str, str] = {}
    start, end = day_range(values, errors, _)
    area_id = query_id(request, "omraade", "UrbanArea")
    focus_id = query_id(request, "indsats", "FocusArea")
    after = query_cursor(request, "efter")
    options = await _filter_options(request)
    results = None
    page_info = {}
    if not errors:
        activity_filter = {
            "urbanAreaId": area_id,
            "focusAreaId": focus_id,
            "targetGroup": values["maalgruppe"] or None,
            "search": values["q"] or None,
            "language": values["sprog"] or None,
            "occursFrom": _local_day_start(start).isoformat() if start else None,
            "occursTo": _local_day_start(end + timedelta(days=1)).isoformat() if end else None,
        }
        activity_filter = {k: v for k, v in activity_filter.items() if v is not None}
        data = await query_or_404(
            request,
            "ActivitySearch",
            {
                "filter": activity_filter,
                "first": PAGE_SIZE,
                "after": after,
                "from": clock.now().isoformat(),
            },
        )
        results = data["activities"]["nodes"]
        page_info = data["activities"]["pageInfo"]
        page_info["totalCount"] = data["activities"].get("totalCount")
    return await render(
        request,
        "activities/search.html",
        {
            "values": values,
            "errors": errors,
            "results": results,
            "page_info": page_info,
            # Activities in a language: each of the portal's languages, named in the page's language.
            "language_options": [(code, language_name(code, language(request).code)) for code in LANGUAGES],
            **options,
        },
        status_code=400 if errors else 200,
    )


def _local_day(value) -> date | None:
    moment = parse_datetime(value)
    return moment.date() if moment else None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def week(request: Request):
    chosen = clock.today()
    if request.query_params.get("uge"):
        asked = parse_day(request.query_params["uge"])
        if asked is None or not bounds.DATE_MIN + timedelta(days=7) <= asked <= bounds.DATE_MAX - timedelta(days=7):
            raise HTTPException(status_code=400)  # not a day, or a week the portal holds nothing for
        chosen = asked
    monday = _monday(chosen)
    area = query_id(request, "omraade", "UrbanArea") or ""
    start = _local_day_start(monday)
    end = _local_day_start(monday + timedelta(days=7))
    activity_filter = {"occursFrom": start.isoformat(), "occursTo": end.isoformat()}
    if area:
        activity_filter["urbanAreaId"] = area
    data = await query_or_404(
        request,
        "WeekView",
        {
            "filter": activity_filter,
            "from": start.isoformat(),
            "to": end.isoformat(),
        },
    )
    rows = occurrence_rows(
        await with_all_dates(request, data["activities"]["nodes"], start.isoformat(), end.isoformat())
    )
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        days.append({"date": day, "rows": [r for r in rows if _local_day(r["occurrence"]["startsAt"]) == day]})
    return await render(
        request,
        "activities/week.html",
        {
            "days": days,
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "previous": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat(),
            "week_number": monday.isocalendar().week,
            "area": area,
            "area_options": [(a["id"], a["name"]) for a in by_name(data["urbanAreas"]["nodes"])],
        },
    )


async def activity(request: Request):
    data = await query_or_404(
        request,
        "ActivityPage",
        {
            "id": path_id(request, "Activity"),
            "from": (clock.now() - timedelta(hours=12)).isoformat(),
        },
    )
    node = data.get("node")
    if not node:
        raise HTTPException(status_code=404)
    actor = await current_actor(request)
    can_edit = actor is not None and policy.can_update_activity(
        actor, activity_id=decode(node["id"], "Activity")[1], plan_id=decode(node["plan"]["id"], "Plan")[1]
    )
    can_follow = policy.can_follow_activity(actor, node["visibility"], node["plan"]["status"])
    return await render(
        request,
        "activities/activity.html",
        {"activity": node, "can_edit": can_edit, "can_follow": can_follow, "signed_in": actor is not None},
    )


# ---------------------------------------------------------------- calendar files
def _calendar(name: str) -> Calendar:
    # icalendar is imported by the first calendar file: each server process saves ~9 MB until then.
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Helhedsplan-portalen//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Copenhagen")
    return cal


def _add_events(cal: Calendar, activity: dict, base_url: str) -> None:
    from icalendar import Event

    for occurrence in activity.get("occurrences") or []:
        starts, ends = parse_datetime(occurrence["startsAt"]), parse_datetime(occurrence["endsAt"])
        if starts is None or ends is None:
            continue  # a time no calendar can hold is left out, not the whole feed
        event = Event()
        event.add("uid", f"{occurrence['id']}@helhedsplan")
        event.add("summary", activity["title"])
        event.add("dtstart", starts.astimezone(UTC))
        event.add("dtend", ends.astimezone(UTC))
        # For a calendar without METHOD, DTSTAMP is when the event last changed (RFC 5545, 3.8.7.2);
        # a time that does not move keeps the file the same until the data changes.
        event.add("dtstamp", changed_at(activity).astimezone(UTC))
        location = occurrence.get("location") or activity.get("location")
        if location:
            event.add("location", location)
        if activity.get("description"):
            event.add("description", activity["description"])
        event.add("url", f"{base_url}/aktiviteter/{activity['id']}")
        event.add("status", "CANCELLED" if occurrence.get("cancelled") else "CONFIRMED")
        cal.add_component(event)


def changed_at(activity: dict) -> datetime:
    return parse_datetime(activity["updatedAt"]) or bounds.MOMENT_MIN


async def _ics_response(request: Request, cal: Calendar, activities: list[dict], filename: str) -> Response:
    """The feed, or 304 when the calendar app's copy is current. The feed holds what the API showed this
    visitor (signed-in people may see more), so it is never kept in a shared cache."""
    body = cal.to_ical()
    signed_in = await current_actor(request) is not None
    return export_response(
        request,
        etag=entity_tag(body),
        last_modified=max((changed_at(a) for a in activities), default=None),
        cache_control="private, no-cache" if signed_in else "no-cache",
        vary="Cookie",
        body=lambda: body,
        media_type="text/calendar; charset=utf-8",
        filename=filename,
    )


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _feed_window() -> tuple[str, str]:
    now = clock.now()
    return (now - timedelta(days=31)).isoformat(), (now + timedelta(days=366)).isoformat()


async def activity_ical(request: Request):
    start, end = _feed_window()
    data = await query_or_404(
        request, "ActivityCalendar", {"id": path_id(request, "Activity"), "from": start, "to": end}
    )
    node = data.get("node")
    if not node:
        raise HTTPException(status_code=404)
    cal = _calendar(node["title"])
    _add_events(cal, node, _base_url(request))
    return await _ics_response(request, cal, [node], "aktivitet.ics")


async def _feed(request: Request, key: str) -> Response:
    start, end = _feed_window()
    node_id = path_id(request, "UrbanArea" if key == "urbanAreaId" else "Plan")
    variables = {"filter": {key: node_id, "occursFrom": start, "occursTo": end}, "from": start, "to": end}
    activities: list[dict] = []
    while len(activities) < FEED_ACTIVITIES:  # in pages, each within the anonymous cost limit
        page = (await query_or_404(request, "CalendarFeed", variables))["activities"]
        activities += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        variables["after"] = page["pageInfo"]["endCursor"]
    activities = activities[:FEED_ACTIVITIES]
    name = activities[0]["plan"]["urbanArea"]["name"] if activities else "Helhedsplan"
    if key == "planId" and activities:
        name = activities[0]["plan"]["name"]
    cal = _calendar(name)
    for activity in activities:
        _add_events(cal, activity, _base_url(request))
    return await _ics_response(request, cal, activities, "kalender.ics")


async def area_feed(request: Request):
    return await _feed(request, "urbanAreaId")


async def plan_feed(request: Request):
    return await _feed(request, "planId")
