"""Prefetch below `plans` (schema/prefetch.py) changes how values are loaded, never what is answered.

The same documents run with and without the prefetch, as actors that see different things: the
answers must be equal, and the prefetch must not cost more statements.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from backend.db import get_async_engine
from schema import plans
from schema.api import schema
from schema.context import Context
from tests.schema.engines import fast

# These run deep queries far above a client's cost limit: they test the executor, not the limits.
pytestmark = pytest.mark.usefixtures("without_cost_limit")

DOCUMENT = """
query Deep($n: Int) {
  plans(first: 20) {
    nodes { ...PlanParts
      more: activities(first: $n) { nodes { id partners { role partner { id name } } } }
      active: activities(first: 5, filter: {status: ACTIVE}) { nodes { id title } }
    }
    edges { node { id goals { id title indicators { id measurements { id value } } } } }
  }
}
fragment PlanParts on Plan {
  id name
  emergencyPlan { id title }
  financing { year budget }
  subAgreements { id title version focusArea { id name } }
  activities(first: 3) { totalCount edges { cursor node {
    id title status partners { role partner { id name kind } } } } }
  ... on Node { id }
  goals { id title focusArea { id } indicators {
    id name unit baseline target direction latest { value } measurements { id period value } } }
}
"""


async def _run(actor, *, prefetch: bool, monkeypatch) -> tuple[dict, int]:
    if prefetch:
        monkeypatch.undo()
    else:

        async def no_prefetch(*args):
            return None

        monkeypatch.setattr(plans.queries, "prefetch_page", no_prefetch)
    statements = []

    def record(*args):
        statements.append(1)

    engine = get_async_engine().sync_engine
    event.listen(engine, "before_cursor_execute", record)
    context = Context(actor=actor)
    try:
        result = await schema.execute(DOCUMENT, variable_values={"n": 4}, context_value=context)
    finally:
        await context.close()
        event.remove(engine, "before_cursor_execute", record)
    assert result.errors is None, [e.message for e in result.errors]
    assert result.data is not None
    return result.data, len(statements)


@pytest.mark.parametrize("account", ["kommune-tmf", "fsb-medarbejder", "partner-bibliotek", "beboer-tingbjerg", None])
async def test_prefetch_answers_the_same_with_no_more_statements(actor, account, monkeypatch):
    who = await actor(account) if account else None
    without, without_count = await _run(who, prefetch=False, monkeypatch=monkeypatch)
    with_prefetch, with_count = await _run(who, prefetch=True, monkeypatch=monkeypatch)
    assert with_prefetch == without
    assert with_prefetch["plans"]["nodes"], "the actor should see some plans"
    assert with_count <= without_count, (with_count, without_count)


async def test_prefetch_leaves_a_bad_page_size_to_the_resolver(actor):
    context = Context(actor=await actor("kommune-tmf"))
    try:
        result = await schema.execute(
            "{ plans(first: 2) { nodes { activities(first: 1000) { nodes { id } } } } }", context_value=context
        )
    finally:
        await context.close()
    assert result.errors and "at most" in result.errors[0].message


async def test_the_staff_deep_query_resolves_below_plans_without_waiting_for_a_loader(actor):
    document = """{ plans(first: 10) { nodes { id name status period { start end }
      subAgreements { id title version approvedAt focusArea { id name } }
      activities(first: 20) { nodes { id title status partners { role partner { id name kind } } } }
      goals { id title indicators { id name unit baseline target direction measurements { id period value } } } } } }"""
    context = Context(actor=await actor("kommune-tmf"))
    try:
        result = await fast().execute(document, context_value=context)
        assert result.errors is None, result.errors
        assert any(p["activities"]["nodes"] and p["goals"] for p in result.data["plans"]["nodes"])
        # Every value below plans was prefetched and returned as it was: no loader batch was needed.
        assert context.batcher is None
    finally:
        await context.close()
