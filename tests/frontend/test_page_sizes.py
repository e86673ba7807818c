"""The public pages ask the API for small pages (so that they fit a low anonymous cost limit,
schema/limits.py) and still show everything: an activity with more dates in a week than the week's
operations ask for, and a plan with more activities than one CalendarFeed page holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import delete, insert, select

from backend import changes, clock
from backend.db import get_sync_engine
from backend.models import Activity, Occurrence
from frontend.pages.public import WEEK_DATES
from schema.ids import encode
from tests.frontend.html import soup_of

DATES = WEEK_DATES + 6  # more than the week's operations ask for
ACTIVITIES = 25  # more than one CalendarFeed page (20)


@pytest.fixture
def busy_plan(demo_ids):
    """ACTIVITIES new public activities in the demo plan: the first with DATES dates in the coming
    days, every other with one date tomorrow. Written past the services, removed afterwards."""
    tomorrow = clock.start_of_day(clock.today() + timedelta(days=1)).astimezone(UTC)
    now = clock.now()
    engine = get_sync_engine()
    with engine.begin() as conn:
        model = conn.execute(
            select(Activity).where(Activity.plan_id == demo_ids["plan_pk"]).order_by(Activity.id).limit(1)
        ).one()
        ids = []
        for number in range(ACTIVITIES):
            ids.append(
                conn.execute(
                    insert(Activity).values(
                        plan_id=model.plan_id,
                        focus_area_id=model.focus_area_id,
                        title=f"Travl aktivitet {number:02}",
                        status=model.status,
                        visibility="PUBLIC",
                        languages=[],
                        created_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]
            )
        starts = [tomorrow + timedelta(hours=7 * n) for n in range(DATES)]  # within 5.6 days of tomorrow
        for start in starts:
            conn.execute(
                insert(Occurrence).values(activity_id=ids[0], starts_at=start, ends_at=start + timedelta(hours=1))
            )
        for activity in ids[1:]:
            conn.execute(
                insert(Occurrence).values(
                    activity_id=activity,
                    starts_at=tomorrow + timedelta(hours=10),
                    ends_at=tomorrow + timedelta(hours=11),
                )
            )
    changes.bump()
    yield {"busy": encode("Activity", ids[0]), "starts": starts}
    with engine.begin() as conn:
        conn.execute(delete(Occurrence).where(Occurrence.activity_id.in_(ids)))
        conn.execute(delete(Activity).where(Activity.id.in_(ids)))
    changes.bump()


def _dates_of(response, activity_id: str) -> set[datetime]:
    """The dates the page lists for this activity."""
    assert response.status_code == 200
    soup = soup_of(response)
    return {
        datetime.fromisoformat(str(item.select_one("time")["datetime"]))  # type: ignore[index]  # every card has a time
        for item in soup.select("ul.card-list li")
        if item.find("a", href=f"/aktiviteter/{activity_id}")
    }


async def test_the_area_page_and_the_week_view_show_every_date_of_a_busy_activity(client, demo_ids, busy_plan):
    busy, starts = busy_plan["busy"], set(busy_plan["starts"])
    assert _dates_of(await client.get(f"/omraader/{demo_ids['area']}"), busy) == starts
    # The dates span at most two weeks (Monday to Sunday): the week view of each shows its part.
    first, last = min(starts), max(starts)
    shown = set()
    for day in {first.astimezone(clock.LOCAL_TZ).date(), last.astimezone(clock.LOCAL_TZ).date()}:
        shown |= _dates_of(await client.get("/aktiviteter/uge", params={"uge": day.isoformat()}), busy)
    assert shown == starts


async def test_a_plan_feed_holds_more_activities_than_one_page(client, demo_ids, busy_plan):
    response = await client.get(f"/planer/{demo_ids['plan']}/kalender.ics")
    assert response.status_code == 200
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    titles = [str(event["SUMMARY"]) for event in events]
    assert {f"Travl aktivitet {n:02}" for n in range(ACTIVITIES)} <= set(titles)
    assert titles.count("Travl aktivitet 00") == DATES
    assert len({str(event["UID"]) for event in events}) == len(events)
