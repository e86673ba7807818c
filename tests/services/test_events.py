"""Live events are delivered after commit only, to subscribers of their topic."""

from __future__ import annotations

import asyncio
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
            await events.publish(s, events.RESIDENT_INPUT_RECEIVED, input_id=-1, group_id=-1, plan_id=-1,
                                 marker=f"other topic {marker}")
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
    assert not events._broker.queues and events._broker.task is None  # the listener stops when idle
