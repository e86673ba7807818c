"""The statements behind per-parent lists: pages are cut in SQL, and occurrences come soonest first.

Both once used `subquery.c._parent`, which in SQLAlchemy is the subquery's column collection, not
its `_parent` column: the window then numbered every row 1 (each page fetched all of a parent's
rows) and the rows were ordered by id instead of by parent and time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from backend import models as m
from schema.activities.loaders import OccurrencesByActivityIdLoader
from schema.activities.types import Activity
from schema.connections import pages_by_parent
from schema.context import Context
from schema.rows import columns


class CountingContext(Context):
    """Counts the rows each statement returns."""

    def __init__(self) -> None:
        super().__init__()
        self.rows_fetched: list[int] = []

    async def fetch(self, statement: Any, params: dict[str, Any] | None = None) -> Sequence[Any]:
        rows = await super().fetch(statement, params)
        self.rows_fetched.append(len(rows))
        return rows


async def test_pages_by_parent_fetches_one_page_per_parent():
    context = CountingContext()
    try:
        crowded = await context.fetch(
            select(m.Activity.plan_id)
            .group_by(m.Activity.plan_id)
            .having(func.count() > 3)
            .order_by(m.Activity.plan_id)
            .limit(3)
        )
        plan_ids = [row[0] for row in crowded]
        assert plan_ids, "the demo data has plans with more than three activities"
        context.rows_fetched.clear()
        pages = await pages_by_parent(
            context,
            Activity,
            select(*columns(Activity, m.Activity)),
            m.Activity.plan_id,
            m.Activity.id,
            plan_ids,
            size=2,
            after_pk=None,
        )
        assert all(len(pages[p].items) == 2 and pages[p].has_next for p in plan_ids)
        # At most one row beyond the page per parent (it tells hasNextPage).
        assert context.rows_fetched == [len(plan_ids) * 3]
    finally:
        await context.close()


async def test_occurrences_of_an_activity_come_soonest_first_whatever_their_ids():
    context = Context()
    try:
        session = context.session
        activity_id, first_start = (
            await session.execute(
                select(m.Occurrence.activity_id, func.min(m.Occurrence.starts_at))
                .group_by(m.Occurrence.activity_id)
                .having(func.count() > 1)
                .order_by(m.Occurrence.activity_id)
                .limit(1)
            )
        ).one()
        # The newest row (highest id) is the soonest occurrence.
        earlier = first_start - timedelta(days=7)
        session.add(m.Occurrence(activity_id=activity_id, starts_at=earlier, ends_at=earlier + timedelta(hours=1)))
        await session.flush()
        (occurrences,) = await OccurrencesByActivityIdLoader(context).batch_load([(activity_id, None, None, 50)])
        starts = [o.starts_at for o in occurrences]
        assert len(starts) > 2
        assert starts == sorted(starts)
    finally:
        await context.session.rollback()
        await context.close()
