"""How a request reads: one statement text for any number of keys, and reads ended without losing
the connection's prepared statements, while anything unwritten is still thrown away."""

from __future__ import annotations

from sqlalchemy import event, select

from backend.db import get_async_engine, one_of, session_scope
from backend.models import Plan, UrbanArea
from backend.settings import get_settings
from schema.context import Context
from schema.plans.loaders import PlanByIdLoader
from tests.schema.test_n_plus_one import recorded_statements


async def test_a_loader_sends_one_statement_text_for_any_number_of_keys():
    async with session_scope() as session:
        ids = sorted((await session.execute(select(Plan.id))).scalars())
    assert len(ids) >= 3
    texts = []
    for keys in (ids[:1], ids, ids + [10**9, 10**9 + 1]):  # absent keys too
        context = Context()
        try:
            with recorded_statements() as seen:
                plans = await PlanByIdLoader(context).prefetch(keys)
        finally:
            await context.close()
        assert sorted(p.pk for p in plans if p is not None) == sorted(set(keys) & set(ids))
        texts.append([s for s in seen if "plan" in s and "FROM" in s])
    if get_settings().is_sqlite:
        assert len(texts[0][0]) < len(texts[1][0])  # SQLite: an IN list as long as the keys
    else:
        assert texts[0] == texts[1] == texts[2]  # PostgreSQL: = ANY(array), one text
        assert "ANY" in texts[0][0]


async def test_one_of_matches_in_on_both_databases():
    async with session_scope() as session:
        areas = sorted((await session.execute(select(UrbanArea.id))).scalars())
        some = areas[::2]
        found = (await session.execute(select(UrbanArea.id).where(one_of(UrbanArea.id, some)))).scalars()
        assert sorted(found) == some
        none = (await session.execute(select(UrbanArea.id).where(one_of(UrbanArea.id, [])))).scalars()
        assert list(none) == []


async def test_reads_end_with_commit_and_unwritten_changes_are_rolled_back():
    ends: list[str] = []
    engine = get_async_engine().sync_engine
    listeners = {"commit": lambda _conn: ends.append("commit"), "rollback": lambda _conn: ends.append("rollback")}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        reader = Context()
        await PlanByIdLoader(reader).prefetch([1])
        await reader.close()
        assert ends == ["commit"]  # psycopg keeps prepared statements across a COMMIT, not a ROLLBACK

        ends.clear()
        careless = Context()
        await PlanByIdLoader(careless).prefetch([1])
        careless.session.add(UrbanArea(name="Ikke gemt", municipality_id=1))  # never written with write()
        await careless.close()
        assert ends == ["rollback"]
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
    async with session_scope() as session:
        assert (await session.execute(select(UrbanArea).where(UrbanArea.name == "Ikke gemt"))).first() is None
