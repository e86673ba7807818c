"""The cost in flight per process (schema/admission.py): bounded, in arrival order, nothing leaks."""

from __future__ import annotations

import asyncio

import pytest

from schema import extensions, limits
from schema.admission import CostGate


async def _hold(gate: CostGate, cost: int, log: list, name: str, release: asyncio.Event) -> None:
    async with gate.admitted(cost):
        log.append((name, gate.in_flight))
        await release.wait()


async def test_no_more_than_the_capacity_runs_at_once_and_the_rest_go_in_turn():
    gate, log, release = CostGate(100), [], asyncio.Event()
    tasks = [
        asyncio.create_task(_hold(gate, cost, log, name, release)) for name, cost in [("a", 60), ("b", 60), ("c", 10)]
    ]
    await asyncio.sleep(0.01)
    # b does not fit beside a; c would, but waits behind b (a large operation is never passed over).
    assert log == [("a", 60)] and gate.waiting == 2
    release.set()
    await asyncio.gather(*tasks)
    assert [name for name, _ in log] == ["a", "b", "c"]
    assert all(in_flight <= 100 for _, in_flight in log)
    assert gate.in_flight == 0 and gate.waiting == 0


async def test_an_operation_costlier_than_the_capacity_runs_alone():
    gate, log, release = CostGate(100), [], asyncio.Event()
    first = asyncio.create_task(_hold(gate, 5_000, log, "big", release))
    second = asyncio.create_task(_hold(gate, 1, log, "small", release))
    await asyncio.sleep(0.01)
    assert log == [("big", 100)] and gate.waiting == 1
    release.set()
    await asyncio.gather(first, second)
    assert gate.in_flight == 0


async def test_a_waiter_cancelled_in_line_leaves_it_and_lets_the_next_in():
    gate, log, release = CostGate(100), [], asyncio.Event()
    holder = asyncio.create_task(_hold(gate, 90, log, "holder", release))
    await asyncio.sleep(0.01)
    big = asyncio.create_task(_hold(gate, 50, log, "big", asyncio.Event()))
    small = asyncio.create_task(_hold(gate, 10, log, "small", release))
    await asyncio.sleep(0.01)
    assert gate.waiting == 2
    big.cancel()  # e.g. its deadline: the small one behind it fits now
    with pytest.raises(asyncio.CancelledError):
        await big
    await asyncio.sleep(0.01)
    assert [name for name, _ in log] == ["holder", "small"] and gate.waiting == 0
    release.set()
    await asyncio.gather(holder, small)
    assert gate.in_flight == 0


async def test_waiting_counts_toward_the_deadline(client, monkeypatch):
    """An operation that waits for its turn past the request's deadline ends with TIMEOUT, and its place
    is given back: the next one runs."""
    monkeypatch.setattr(limits, "REQUEST_DEADLINE_SECONDS", 0.2)
    gate = CostGate(1)
    monkeypatch.setattr(extensions, "_GATE", gate)
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(gate, 1, [], "holder", release))
    await asyncio.sleep(0.01)
    response = await client.post("/graphql", json={"query": "# admission 1\n{ plans(first: 1) { nodes { name } } }"})
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert gate.waiting == 0
    release.set()
    await holder
    response = await client.post("/graphql", json={"query": "# admission 2\n{ plans(first: 1) { nodes { name } } }"})
    assert response.json()["data"]["plans"]["nodes"]
    assert gate.in_flight == 0


async def test_what_anyone_may_ask_neither_waits_nor_counts():
    gate, log, release = CostGate(100, free=5), [], asyncio.Event()
    big = asyncio.create_task(_hold(gate, 100, log, "big", release))
    waiting = asyncio.create_task(_hold(gate, 50, log, "waiting", release))
    await asyncio.sleep(0.01)
    async with gate.admitted(5):  # e.g. a resident's question while a staff report runs
        assert gate.in_flight == 100 and gate.waiting == 1
    release.set()
    await asyncio.gather(big, waiting)
    assert gate.in_flight == 0
