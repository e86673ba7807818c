"""A large answer does not hold the event loop: every TURN_SLICE of synchronous completion the fast
engine lets other tasks run (schema/execution.py), and the answer stays the same.

Time is the engine's clock made to advance 1 ms per object completed (no timing in the test): the
other task must run at least every few objects (before the turns: once for the whole answer)."""

from __future__ import annotations

import asyncio

import pytest

from schema import execution
from schema.context import Context
from tests.schema import engines
from tests.schema.test_fast_execution_switch import ACTORS, QUERIES, _answer, _variables

HOSTILE = execution.__file__.rsplit("/schema/", 1)[0] + "/bench/queries/s5.hostile.graphql"


@pytest.fixture
def object_clock(monkeypatch):
    """The engine's clock: 1 ms per object whose fields the engine executes; returns the count."""
    count = {"objects": 0}
    original = execution.ExecutionContext._execute_fields

    def counted(self, *arguments):
        count["objects"] += 1
        return original(self, *arguments)

    monkeypatch.setattr(execution.ExecutionContext, "_execute_fields", counted)
    monkeypatch.setattr(execution, "perf_counter", lambda: count["objects"] / 1000)
    return count


async def test_other_tasks_run_while_a_large_answer_is_completed(object_clock):
    longest, stop = 0, False

    async def other_task():
        nonlocal longest
        last = object_clock["objects"]
        while not stop:
            await asyncio.sleep(0)
            longest = max(longest, object_clock["objects"] - last)
            last = object_clock["objects"]

    ticker = asyncio.create_task(other_task())
    context = Context(actor=None)
    try:
        with open(HOSTILE, encoding="utf-8") as file:
            result = await engines.fast().execute(file.read(), context_value=context)
    finally:
        await context.close()
        stop = True
        await ticker
    assert result.errors is None
    slice_objects = int(execution.TURN_SLICE * 1000)
    assert object_clock["objects"] > 4 * slice_objects  # a large answer: many slices
    # A turn of the loop may hold the slice of the work put off and the start of the next stretch.
    assert longest <= 2 * slice_objects + 2


@pytest.mark.parametrize("account", ACTORS, ids=[a or "anonymous" for a in ACTORS])
async def test_answers_taken_in_many_turns_are_the_same(actor, account, monkeypatch):
    monkeypatch.setattr(execution, "TURN_SLICE", 0.0)  # a turn after every object
    who = await actor(account) if account else None
    for name, operation, document in QUERIES:
        variables = _variables(operation, document, 1)
        fast = await _answer(engines.fast(), who, document, operation, variables)
        plain = await _answer(engines.plain(), who, document, operation, variables)
        assert fast == plain, f"{name} {operation} as {account}"
