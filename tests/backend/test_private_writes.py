"""Writes to private tables leave the public caches valid, also when their SQL is text (backend/changes.py)."""

from __future__ import annotations

from sqlalchemy import text

from backend import budget, changes
from backend.db import get_async_engine


async def _dirty_after(statement, params) -> bool:
    async with get_async_engine().connect() as conn:
        await conn.execute(statement, params)
        dirty = await conn.run_sync(lambda sync: changes.is_dirty(sync))
        await conn.rollback()
    return dirty


async def test_the_budget_charge_does_not_end_the_public_caches():
    # Every anonymous executed request charges the budget: were it a public write, it would empty
    # every process's public cache and cached answers (S1) would run again.
    params = {"client": "test-client", "minute": 1, "cost": 5, "budget": 100}
    assert not await _dirty_after(budget._CHARGE, params)
    assert not await _dirty_after(budget._PRUNE, {"minute": 0})


async def test_text_sql_without_the_mark_still_counts_as_a_public_write():
    assert await _dirty_after(text("UPDATE plan SET name = name WHERE id = -1"), {})
