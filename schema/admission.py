"""How much query cost one server process executes at once (`limits.COST_IN_FLIGHT`); the rest wait in turn.

The cost (schema/cost.py) bounds how many objects an answer can hold, and a process's memory grows with
the objects of the answers it is building at the same time: eight staff deep queries of 50 plans at
once took a worker from 126 to 172 MB. A process is one thread, so running them one after another
costs no throughput beyond the overlap with the database, and the wait counts toward the request's
deadline. Waiters are admitted in arrival order, so a large operation is not passed over forever by
small ones; an operation costlier than the whole allowance runs alone. What anyone may ask without
signing in (at most `free` cost: public pages, residents' questions, writes) neither waits nor counts,
so that no one queues behind a staff report.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class CostGate:
    def __init__(self, capacity: int, free: int = 0) -> None:
        self.capacity = capacity
        self.free = free
        self.in_flight = 0
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    @asynccontextmanager
    async def admitted(self, cost: int) -> AsyncIterator[None]:
        if cost <= self.free:
            yield
            return
        cost = min(cost, self.capacity)
        if not self._waiting and self.in_flight + cost <= self.capacity:
            self.in_flight += cost
        else:
            await self._wait(cost)
        try:
            yield
        finally:
            self._release(cost)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def _wait(self, cost: int) -> None:
        entry = (cost, asyncio.get_running_loop().create_future())
        self._waiting.append(entry)
        try:
            await entry[1]
        except BaseException:  # cancelled (the deadline, a client gone): give back or leave the line
            if entry[1].done() and not entry[1].cancelled():
                self._release(cost)  # admitted in the same turn as it was cancelled
            else:
                if entry in self._waiting:
                    self._waiting.remove(entry)
                self._admit()  # the one behind may fit now
            raise

    def _release(self, cost: int) -> None:
        self.in_flight -= cost
        self._admit()

    def _admit(self) -> None:
        while self._waiting and self.in_flight + self._waiting[0][0] <= self.capacity:
            cost, future = self._waiting.popleft()
            if future.done():  # cancelled while in line
                continue
            self.in_flight += cost
            future.set_result(None)
