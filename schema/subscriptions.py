"""Live updates over graphql-transport-ws, fed by backend/events.py (so they work across processes).

Each event carries ids only; the object is read for the subscriber's own actor, and an event the
actor may not see is skipped, so a subscription never shows more than a query would. The actor is
derived again for each event (rights of that moment: an ended residency, a removed membership or
partnership stops the events at once; an ended sign-in ends the stream and closes the socket).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Annotated, TypeVar, cast

import strawberry
from strawberry.types import Info, get_object_definition

from auth.request import SignInEnded
from backend import events, policy
from backend.actor import Actor
from backend.events import LiveEventData
from schema.activities.types import Activity
from schema.errors import visible
from schema.ids import decode_pk
from schema.notifications.types import Notification
from schema.participation.types import ResidentInput
from schema.permissions import checked

# Whether an event is for this actor (the actor of the moment the event arrives).
Wanted = Callable[[Actor, LiveEventData], bool]
T = TypeVar("T")

IdOf = str | Callable[[Actor, LiveEventData], int | None]  # the event's key of the object's id, or a picker


async def _stream(info: Info, topic: str, wanted: Wanted, node_type: type[T], id_key: IdOf) -> AsyncGenerator[T, None]:
    """Objects of the events of one topic that pass `wanted(actor, event)` for the actor of that
    moment, read as that actor sees them; `id_key` names the event's id of the object, or picks it."""
    context = info.context
    type_name = get_object_definition(node_type, strict=True).name
    async for event in events.subscribe([topic]):
        try:
            actor = await context.refresh_actor()
        except SignInEnded:
            return  # the socket is being closed (schema/live.py)
        if actor is None or not wanted(actor, event):
            continue
        # Each event is read on a fresh session (a WebSocket context lives long).
        await context.close()
        obj = await visible(context, type_name, id_key(actor, event) if callable(id_key) else event.get(id_key))
        if obj is not None:
            yield cast(T, obj)  # the Node lookup reads it as the type of that name


@strawberry.type(description="Live updates.")
class Subscription:
    @strawberry.subscription(
        description="New input to the follow-up groups of the plans you are staff of (optionally one group).",
        **checked(policy.can_read_group_inputs),
    )
    async def resident_input_received(
        self,
        info: Info,
        group_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only this group.")] = None,
    ) -> AsyncGenerator[ResidentInput, None]:
        actor = info.context.actor
        group_pk = decode_pk(group_id, "FollowUpGroup")

        def wanted(actor: Actor, event: LiveEventData) -> bool:
            return policy.can_read_group_inputs(actor, event["plan_id"]) and (
                group_pk is None or event.get("group_id") == group_pk
            )

        if actor is None or not actor.is_staff:
            return  # nothing to follow: ends at once, like a subscription to nothing
        async for obj in _stream(info, events.RESIDENT_INPUT_RECEIVED, wanted, ResidentInput, "input_id"):
            yield obj

    @strawberry.subscription(
        description="Changes to the activities of a plan: for its staff and the activities' partners.",
        **checked(policy.can_follow_activity_changes),
    )
    async def activity_changed(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only this plan.")] = None,
    ) -> AsyncGenerator[Activity, None]:
        actor = info.context.actor
        plan_pk = decode_pk(plan_id, "Plan")

        def wanted(actor: Actor, event: LiveEventData) -> bool:
            if plan_pk is not None and event.get("plan_id") != plan_pk:
                return False
            return policy.can_follow_activity_changes(actor, activity_id=event["activity_id"], plan_id=event["plan_id"])

        if actor is None:
            return
        async for obj in _stream(info, events.ACTIVITY_CHANGED, wanted, Activity, "activity_id"):
            yield obj

    @strawberry.subscription(
        description="Answers to your own inputs (residents).",
        **checked(policy.can_see_input_author),
    )
    async def resident_input_answered(self, info: Info) -> AsyncGenerator[ResidentInput, None]:
        actor = info.context.actor

        def wanted(actor: Actor, event: LiveEventData) -> bool:
            return policy.can_see_input_author(actor, event.get("author_account_id"))

        if actor is None:
            return
        async for obj in _stream(info, events.RESIDENT_INPUT_ANSWERED, wanted, ResidentInput, "input_id"):
            yield obj

    @strawberry.subscription(
        description="Your new notifications, as they are written (signed in).",
        **checked(policy.can_read_notification),
    )
    async def notification_received(self, info: Info) -> AsyncGenerator[Notification, None]:
        actor = info.context.actor

        def own(actor: Actor, event: LiveEventData) -> int | None:
            """The actor's own notification in the event (one event names many recipients)."""
            for notification_id, account_id in zip(
                event.get("notification_ids") or [], event.get("account_ids") or [], strict=False
            ):
                if policy.can_read_notification(actor, account_id):
                    return int(notification_id)
            return None

        def wanted(actor: Actor, event: LiveEventData) -> bool:
            return own(actor, event) is not None

        if actor is None:
            return
        async for obj in _stream(info, events.NOTIFICATION_RECEIVED, wanted, Notification, own):
            yield obj
