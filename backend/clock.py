"""The one clock of the portal: now (UTC) and today (in Copenhagen).

"Today" is the calendar day in Europe/Copenhagen, where the plans, residents and housing
organisations are; the server's own time zone and UTC's date never decide a domain rule. The actor,
the services, the validation and the pages all ask here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")


def now() -> datetime:
    """The current moment, timezone-aware in UTC (what the database stores)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Copenhagen."""
    return now().astimezone(LOCAL_TZ).date()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of a day in Copenhagen, timezone-aware."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
