"""Mutations of notifications: mark them read, follow activities, choose how to hear of each kind."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from backend import models as m
from backend import policy
from backend.actor import Actor
from backend.services import notifications as services
from schema.activities.types import Activity
from schema.context import Context
from schema.errors import Answer, mutation, pk_of, read_back_as, visible
from schema.notifications.queries import own_preferences
from schema.notifications.types import EmailFrequency, Notification, NotificationKind, NotificationPreference
from schema.permissions import checked


@strawberry.input(description="Which of your notifications to mark read: the given ones, or all.")
class NotificationsMarkReadInput:
    ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description=f"Your notifications (at most {services.MARK_READ_MAX})."
    )
    all: bool = strawberry.field(default=False, description="Mark all your unread notifications read.")


@strawberry.input(description="An activity, by id.")
class ActivityFollowInput:
    activity_id: strawberry.ID = strawberry.field(description="A public activity.")


@strawberry.input(description="How to hear of one kind of notification.")
class NotificationPreferenceInput:
    kind: NotificationKind = strawberry.field(description="A kind you can receive.")
    portal: bool = strawberry.field(description="Show it in the portal.")
    email: EmailFrequency = strawberry.field(description="By e-mail: never, each, or daily (staff only).")


@strawberry.input(description="Your choices; kinds left out stay as they are.")
class NotificationPreferencesSetInput:
    preferences: list[NotificationPreferenceInput] = strawberry.field(description="One entry per kind.")


ACTIVITY_AFTER = Answer(
    "activity", Activity, "The activity (its `followed` says where you stand).", read_back_as("Activity")
)


async def _follow(session: AsyncSession, actor: Actor | None, input: ActivityFollowInput, *, on: bool) -> m.Activity:
    activity_id = pk_of("activityId", input.activity_id, "Activity")
    return await services.follow(session=session, actor=actor, activity_id=activity_id, on=on)


async def _marked(context: Context, ids: list[int]) -> object:
    return [await visible(context, "Notification", i) for i in ids[: services.MARK_READ_MAX]]


async def _preferences_after(context: Context, _done: None) -> object:
    return await own_preferences(context, context.actor)


@strawberry.type(description="Mutations of notifications.")
class NotificationsMutation:
    @mutation(
        "NotificationsMarkRead",
        description="Mark your notifications read (signed in): the given ones, or all.",
        access=checked(policy.can_read_own_notifications, policy.can_read_notification),
        codes=["TOO_LONG"],
        answer=Answer(
            "notifications",
            Notification,
            f"The notifications this marked read, newest first (at most {services.MARK_READ_MAX}).",
            _marked,
            many=True,
        ),
    )
    async def notifications_mark_read(
        session: AsyncSession, actor: Actor | None, input: NotificationsMarkReadInput
    ) -> list[int]:
        ids = [pk_of(f"ids[{i}]", n, "Notification") for i, n in enumerate(input.ids)]
        return await services.mark_read(session=session, actor=actor, ids=ids, all_unread=input.all)

    @mutation(
        "ActivityFollow",
        description="Follow a public activity (residents): hear when it changes, moves or is cancelled.",
        access=checked(policy.can_follow_activity),
        answer=ACTIVITY_AFTER,
    )
    async def activity_follow(session: AsyncSession, actor: Actor | None, input: ActivityFollowInput) -> m.Activity:
        return await _follow(session, actor, input, on=True)

    @mutation(
        "ActivityUnfollow",
        description="Stop following an activity (residents).",
        access=checked(policy.can_follow_activity),
        answer=ACTIVITY_AFTER,
    )
    async def activity_unfollow(session: AsyncSession, actor: Actor | None, input: ActivityFollowInput) -> m.Activity:
        return await _follow(session, actor, input, on=False)

    @mutation(
        "NotificationPreferencesSet",
        description="Choose how you hear of each kind of notification (signed in).",
        access=checked(policy.can_read_own_notifications),
        codes=["NOT_ALLOWED", "DUPLICATE", "TOO_LONG"],
        answer=Answer(
            "preferences", NotificationPreference, "Your preferences for every kind.", _preferences_after, many=True
        ),
    )
    async def notification_preferences_set(
        session: AsyncSession, actor: Actor | None, input: NotificationPreferencesSetInput
    ) -> None:
        await services.set_preferences(
            session=session,
            actor=actor,
            choices=[
                (m.NotificationKind(p.kind.value), p.portal, m.EmailFrequency(p.email.value)) for p in input.preferences
            ],
        )
