"""No stored value and no query string makes a page or feed answer 500.

The services and the database bound every date (backend/bounds.py); these tests store what only a
database from before those bounds could hold (the partner's 9999-12-31T23:00Z, which has no Danish
time) by lifting the bounds for the test, and request every page and feed.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, text, update

from backend import changes
from backend.db import get_sync_engine
from backend.models import Activity, Goal, Indicator, Measurement, Meeting, Occurrence, Plan
from schema.ids import decode
from tests.conftest import ROOT
from tests.frontend.pages import all_pages, expected_status

UTC = UTC
FAR = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
LIFTED = ("occurrence", "meeting", "measurement", "plan")


def _checks() -> list:
    path = next((ROOT / "backend/migrations/versions").glob("*_bounded_values.py"))
    spec = importlib.util.spec_from_file_location("bounded_values", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [c for c in module.CHECKS if c[0] in LIFTED]


def _lift(conn) -> None:
    for table, name, _condition in _checks():
        if conn.dialect.name == "sqlite":
            for event in ("insert", "update"):
                conn.execute(text(f"DROP TRIGGER {name}_{event}"))
        else:
            conn.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))


def _restore(conn) -> None:
    for table, name, condition in _checks():
        if conn.dialect.name == "sqlite":
            for event in ("INSERT", "UPDATE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} FOR EACH ROW "
                        f"WHEN NOT ({condition.format(row='NEW.')}) "
                        f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                    )
                )
        else:
            conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition.format(row='')})"))


@pytest.fixture
def extreme(demo_ids):
    """Occurrences, a meeting, a measurement and a plan end at the far end of time, written past the services."""
    activity_pk = decode(demo_ids["library_activity"], "Activity")[1]
    soon = datetime.now(UTC) + timedelta(hours=1)
    engine = get_sync_engine()
    with engine.begin() as conn:
        _lift(conn)
        plan_pk = conn.execute(select(Activity.plan_id).where(Activity.id == activity_pk)).scalar_one()
        old_end = conn.execute(select(Plan.end_date).where(Plan.id == plan_pk)).scalar_one()
        conn.execute(update(Plan).where(Plan.id == plan_pk).values(end_date=date(9999, 12, 31)))
        occurrences = [
            conn.execute(insert(Occurrence).values(activity_id=activity_pk, **values)).inserted_primary_key[0]
            for values in (
                {"starts_at": soon, "ends_at": FAR},
                {"starts_at": FAR, "ends_at": FAR + timedelta(minutes=59)},
                {"starts_at": soon, "ends_at": FAR, "cancelled": True},
            )
        ]
        meeting = conn.execute(
            insert(Meeting).values(group_id=demo_ids["group_pk"], starts_at=FAR, location="Ved tidens ende")
        ).inserted_primary_key[0]
        indicator = conn.execute(
            select(Indicator.id).join(Goal, Goal.id == Indicator.goal_id).where(Goal.plan_id == plan_pk).limit(1)
        ).scalar()
        measurement = None
        if indicator is not None:
            measurement = conn.execute(
                insert(Measurement).values(indicator_id=indicator, period=date(9999, 12, 31), value=1e300)
            ).inserted_primary_key[0]
    changes.bump()
    yield demo_ids
    with engine.begin() as conn:
        conn.execute(delete(Occurrence).where(Occurrence.id.in_(occurrences)))
        conn.execute(delete(Meeting).where(Meeting.id == meeting))
        if measurement is not None:
            conn.execute(delete(Measurement).where(Measurement.id == measurement))
        conn.execute(update(Plan).where(Plan.id == plan_pk).values(end_date=old_end))
        _restore(conn)
    changes.bump()


FEEDS = ["/aktiviteter/{library_activity}/kalender.ics", "/omraader/{area}/kalender.ics", "/planer/{plan}/kalender.ics"]
MORE = [
    (None, "/aktiviteter/uge?uge=2100-12-20"),
    (None, "/aktiviteter?fra=2000-01-01&til=2100-12-31"),
    ("partner-bibliotek", "/partner"),
    ("fsb-medarbejder", "/medarbejder/planer/{plan}?aar=2026"),
]


async def test_every_page_and_feed_renders_extreme_stored_values(client, extreme, sign_in_as):
    cookies = {}
    visits = (
        all_pages(extreme)
        + [(None, f.format(**extreme)) for f in FEEDS]
        + [(who, path.format(**extreme)) for who, path in MORE]
    )
    for who, path in visits:
        if who and who not in cookies:
            cookies[who] = await sign_in_as(who)
        response = await client.get(path, cookies=cookies.get(who, {}))
        assert response.status_code == expected_status(path), (who, path, response.status_code, response.text[:500])
    # The activity still shows, and its feed still holds the occurrences a calendar can hold.
    feed = await client.get(FEEDS[0].format(**extreme))
    assert feed.text.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in feed.text


@pytest.mark.parametrize(
    "path",
    [
        "/aktiviteter/uge?uge=9999-12-31",
        "/aktiviteter/uge?uge=0001-01-01",
        "/aktiviteter/uge?uge=2100-12-31",  # its week runs into 2101
        "/aktiviteter/uge?uge=ikke-en-dato",
        "/aktiviteter/uge?omraade=ikke-et-id",
        "/aktiviteter/uge?omraade=UGxhbjox",  # Plan:1, not an urban area
        "/aktiviteter?til=9999-12-31",
        "/aktiviteter?fra=1999-12-31",
        "/aktiviteter?til=2101-01-01",
        "/aktiviteter?omraade=%D9%A1",
        "/aktiviteter?indsats=UGxhbjox",
        "/aktiviteter?efter=ikke-en-markoer",
    ],
)
async def test_query_strings_the_pages_cannot_use_are_400(client, path):
    response = await client.get(path)
    assert response.status_code == 400, (path, response.status_code, response.text[:300])
    assert "<h1>" in response.text
