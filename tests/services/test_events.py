"""Live events are delivered after commit only, to subscribers of their topic."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from backend import events
from backend.db import new_session


async def test_only_committed_events_of_the_topic_arrive():
    marker = uuid.uuid4().hex
    stream = events.subscribe([events.ACTIVITY_CHANGED])
    first = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)  # let the subscription register its queue and start the listener
    await events._broker.start()  # returns once the listener is listening
    try:
        async with new_session() as s:
            await events.publish(s, events.ACTIVITY_CHANGED, activity_id=-1, plan_id=-1, marker=f"rolled back {marker}")
            await s.rollback()
        async with new_session() as s:
            await events.publish(
                s, events.RESIDENT_INPUT_RECEIVED, input_id=-1, group_id=-1, plan_id=-1, marker=f"other topic {marker}"
            )
            await s.commit()
        async with new_session() as s:
            await events.publish(s, events.ACTIVITY_CHANGED, activity_id=-2, plan_id=-2, marker=f"committed {marker}")
            await s.commit()
        while True:
            event = await asyncio.wait_for(first, 15)
            if marker in str(event.get("marker")):
                break
            first = asyncio.create_task(anext(stream))  # an event of another test: skip it
        assert event["topic"] == events.ACTIVITY_CHANGED
        assert event["marker"] == f"committed {marker}" and event["activity_id"] == -2
    finally:
        await stream.aclose()
    assert not events._broker.queues and events._broker.task is None  # the SQLite poller stops when idle


async def test_events_published_together_arrive_each_once_and_only_after_commit():
    marker = uuid.uuid4().hex
    stream = events.subscribe([events.ACTIVITY_CHANGED])
    waiting = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)  # let the subscription register its queue and start the listener
    await events._broker.start()
    try:
        async with new_session() as s:
            await events.publish_many(s, events.ACTIVITY_CHANGED, [{"activity_id": -9, "marker": marker}])
            await s.rollback()
        async with new_session() as s:
            await events.publish_many(
                s, events.ACTIVITY_CHANGED, [{"activity_id": -i, "plan_id": -i, "marker": marker} for i in range(1, 4)]
            )
            await s.commit()
        seen: list[object] = []
        while len(seen) < 3:
            event = await asyncio.wait_for(waiting, 15)
            if event.get("marker") == marker:  # not another test's event
                seen.append(event["activity_id"])
            waiting = asyncio.create_task(anext(stream))
        assert sorted(seen) == [-3, -2, -1]  # each once; the rolled-back one (-9) never
    finally:
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        await stream.aclose()


async def test_one_listen_connection_serves_the_caches_and_live_events():
    import pytest
    from sqlalchemy import text

    from backend import changes, listener
    from backend.settings import get_settings

    if get_settings().is_sqlite:
        pytest.skip("SQLite has no LISTEN: its events are polled")
    changes.ensure_listening()
    stream = events.subscribe([events.ACTIVITY_CHANGED])
    waiting = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)
    await events._broker.start()
    try:
        async with new_session() as s:
            listening = (
                await s.execute(
                    # This process's only: a live test server on the same database has its own.
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND query LIKE 'LISTEN%' AND application_name = :name"
                    ),
                    {"name": listener.application_name()},
                )
            ).scalar()
        assert changes.shared()
        assert listening == 1, f"{listening} LISTEN connections in this process, expected one"
    finally:
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        await stream.aclose()
