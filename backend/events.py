"""Live events across server processes: services publish inside their transaction, subscribers
in any process receive them after commit.

PostgreSQL: `pg_notify` at the writing transaction's commit (backend/changes.py sends the transaction's
notifications in one statement; PostgreSQL delivers them only if the commit succeeds) and the
process's one LISTEN connection (backend/listener.py, shared with the public caches' changes). SQLite:
a row in `liveevent` inside the writing transaction, and one poller per process reading new rows.
Payloads carry ids only; subscribers load the objects and check the policy for their own actor.

Topics: `residentInputReceived` {input_id, group_id, plan_id}, `residentInputAnswered` {input_id,
author_account_id, plan_id}, `activityChanged` {activity_id, plan_id}, `sessionEnded` {account_id}
(a session of that account was signed out, or the account erased: its open WebSockets check their
sign-in again and close when it has ended; see schema/live.py), `notificationReceived` {notification_ids,
account_ids} (two lists of the same length: who got which; backend/services/notifications.py),
`accountChanged` {account_id} (its residency changed; account_id None: any account's scope may have, e.g.
a group's estates: every process forgets the actors it remembers for bearer tokens, auth/actor_cache.py).

Besides subscribers, a process may register a hook (`on_event`) for a topic: called at once in the
publishing process (before the commit: a cache drops its entry early) and again in every process
when the event arrives after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import changes, listener, observability
from backend.db import get_async_engine
from backend.models import LiveEvent, utcnow
from backend.settings import get_settings

log = logging.getLogger(__name__)

CHANNEL = "helhedsplan_events"
POLL_SECONDS = 0.2
KEEP_SQLITE_EVENTS = timedelta(minutes=15)

RESIDENT_INPUT_RECEIVED = "residentInputReceived"
RESIDENT_INPUT_ANSWERED = "residentInputAnswered"
ACTIVITY_CHANGED = "activityChanged"
SESSION_ENDED = "sessionEnded"
NOTIFICATION_RECEIVED = "notificationReceived"
ACCOUNT_CHANGED = "accountChanged"


EventData = dict[str, int | str | list[int] | None]


async def publish(session: AsyncSession, topic: str, **data: int | str | list[int] | None) -> None:
    """Queue an event in the session's transaction: subscribers see it only if the transaction commits."""
    await publish_many(session, topic, [data])


async def publish_many(session: AsyncSession, topic: str, events: Sequence[EventData]) -> None:
    """Queue several events of one topic (as `publish` does), in one statement however many there are."""
    if not events:
        return
    for data in events:
        _run_hooks({"topic": topic, **data})
    conn = (await session.connection()).sync_connection
    assert conn is not None  # a started AsyncConnection has its Connection
    if conn.dialect.name == "postgresql":
        # Sent at the commit, with the other notifications of the transaction, in one statement.
        changes.notify_at_commit(conn, CHANNEL, [json.dumps({"topic": topic, **data}) for data in events])
    else:
        session.add_all(LiveEvent(topic=topic, payload=dict(data)) for data in events)
        await session.execute(delete(LiveEvent).where(col(LiveEvent.at) < utcnow() - KEEP_SQLITE_EVENTS))


# An event as subscribers get it: its `topic` and the ids it was published with (JSON from any process).
LiveEventData = dict[str, Any]


class _Broker:
    """One listener per process and event loop, fanning events out to in-process queues."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[LiveEventData]] = set()
        self.task: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ready = asyncio.Event()  # replaced, with the task, for each event loop that polls

    def _dispatch(self, event: LiveEventData) -> None:
        _run_hooks(event)
        for queue in list(self.queues):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled subscriber loses events, not the process
                queue.put_nowait(event)

    def _dispatch_payload(self, payload: str) -> None:
        try:
            self._dispatch(json.loads(payload))
        except ValueError:
            log.warning("ignoring a malformed live event")

    async def _poll_sqlite(self) -> None:
        engine = get_async_engine()
        while True:
            try:
                async with engine.connect() as conn:
                    last = (await conn.execute(select(func.max(LiveEvent.id)))).scalar() or 0
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading the newest live event failed; trying again")
                await asyncio.sleep(1)
        self.ready.set()
        while True:
            try:
                async with engine.connect() as conn:
                    rows = (
                        await conn.execute(
                            select(col(LiveEvent.id), col(LiveEvent.topic), col(LiveEvent.payload))
                            .where(col(LiveEvent.id) > last)
                            .order_by(col(LiveEvent.id))
                        )
                    ).all()
                for row in rows:
                    last = row.id
                    self._dispatch({"topic": row.topic, **(row.payload or {})})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("polling live events failed")
            await asyncio.sleep(POLL_SECONDS)

    async def start(self) -> None:
        if not get_settings().is_sqlite:
            # PostgreSQL: the process's one LISTEN connection (backend/listener.py) brings the events.
            await listener.wait_connected()
            return
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.loop is not loop:
            self.loop = loop
            self.ready = asyncio.Event()
            self.task = loop.create_task(self._poll_sqlite())
        await self.ready.wait()

    async def stop_if_idle(self) -> None:
        """SQLite: stop polling when nobody listens (the PostgreSQL connection also serves the caches)."""
        if not self.queues and self.task is not None:
            task, self.task = self.task, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


_hooks: dict[str, list[Callable[[LiveEventData], None]]] = {}


def on_event(topics: Iterable[str], hook: Callable[[LiveEventData], None]) -> None:
    """Call `hook(event)` for every event of these topics this process publishes or receives (register
    at import time; on SQLite received only while the poller runs, i.e. someone subscribes)."""
    for topic in topics:
        _hooks.setdefault(topic, []).append(hook)


def _run_hooks(event: LiveEventData) -> None:
    for hook in _hooks.get(event.get("topic", ""), ()):
        try:
            hook(event)
        except Exception:  # a hook (a cache's drop) must not fail the write that publishes, nor the broker
            log.exception("a live event hook failed")


_broker = _Broker()
listener.on(CHANNEL, _broker._dispatch_payload)


async def subscribe(topics: Iterable[str]) -> AsyncIterator[LiveEventData]:
    """Events of the given topics, from now on, as dicts with `topic` and the published ids."""
    wanted = frozenset(topics)
    queue: asyncio.Queue[LiveEventData] = asyncio.Queue(maxsize=1000)
    _broker.queues.add(queue)
    observability.SUBSCRIPTIONS.inc()
    try:
        await _broker.start()
        while True:
            event = await queue.get()
            if event.get("topic") in wanted:
                yield event
    finally:
        observability.SUBSCRIPTIONS.dec()
        _broker.queues.discard(queue)
        await _broker.stop_if_idle()
