"""The bounds of every value a user can store, in one place.

The services refuse a value outside them with OUT_OF_RANGE and a clear message
(backend/services/validation.py); the database holds the same bounds as CHECK constraints (declared
in backend/models.py, created by the migration "bounded values"), so a value written outside the
services cannot pass them either. Pages still render defensively: a value they cannot format is
left out, never a server error.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

# Every stored domain date lies in these years (plans, occurrences, meetings, measurements,
# milestones, financing years, the end of a residency, household codes' expiry).
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
MOMENT_MIN = datetime.combine(DATE_MIN, time.min, UTC)
MOMENT_END = datetime.combine(DATE_MAX + timedelta(days=1), time.min, UTC)  # exclusive
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year
# A residency may have begun long before the portal (or 2000); it still starts no earlier than this.
RESIDENCY_SINCE_MIN = date(1950, 1, 1)

# What belongs to a plan in time (occurrences, meetings, measurements, milestones) lies within the
# plan's period widened by this margin on both sides: preparation before, follow-up after.
PLAN_MARGIN = timedelta(days=366)
PLAN_MARGIN_YEARS = 1

PARTICIPANTS_MAX = 100_000  # participants of one occurrence
NUMBER_MAX = 1e12  # an indicator's baseline and target, a measured value (either sign)


def plan_days(start: date, end: date) -> tuple[date, date]:
    """The first and last day that things of a plan with this period may lie on."""
    low = start - PLAN_MARGIN if start - PLAN_MARGIN > DATE_MIN else DATE_MIN
    high = end + PLAN_MARGIN if end + PLAN_MARGIN < DATE_MAX else DATE_MAX
    return low, high
