"""Notifications as the API shows them: to their recipient only, in the recipient's language."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import select
from sqlmodel import col
from strawberry import Private
from strawberry.types import Info

from backend import models as m
from backend.i18n import LANGUAGES
from backend.i18n import language as account_language
from backend.services import notifications as services
from schema.context import Context
from schema.enums import _enum
from schema.ids import encode
from schema.loaders import Loader
from schema.node import Node, resolve_node

NotificationKind = m.NotificationKind
_enum(
    NotificationKind,
    "What a notification tells.",
    {
        "INPUT_ANSWERED": "Residents: the follow-up group answered your input.",
        "INPUT_PUBLISHED": "Residents: the group published your input with its answer (without your name).",
        "INPUT_HIDDEN": "Residents: the group hid your input.",
        "INPUT_STATUS_CHANGED": "Residents: your input has another handling status.",
        "ACTIVITY_CHANGED": "Residents: an activity you follow was changed.",
        "OCCURRENCE_MOVED": "Residents who follow the activity, and its partners: a date was moved.",
        "OCCURRENCE_CANCELLED": "Residents who follow the activity, and its partners: a date was cancelled.",
        "MEETING_CREATED": "Residents: a meeting of the follow-up group of your estate was planned.",
        "MEETING_MOVED": "Residents: a meeting of the follow-up group of your estate was moved.",
        "INPUT_RECEIVED": "Staff of a plan: new input to one of its follow-up groups.",
        "AGREEMENT_AWAITS_APPROVAL": "Landsbyggefonden: a new version of a strategic agreement awaits approval.",
    },
)
EmailFrequency = m.EmailFrequency
_enum(
    EmailFrequency,
    "How often a kind of notification comes by e-mail (to a confirmed address only).",
    {
        "NEVER": "Not by e-mail.",
        "EACH": "One e-mail per notification.",
        "DAILY": "One e-mail a day with all of them (staff).",
    },
)


@strawberry.type(description="Something you should hear of; visible to you only.")
class Notification(Node):
    kind: m.NotificationKind = strawberry.field(description="What it tells.")
    created_at: datetime = strawberry.field(description="When it happened.")
    read_at: datetime | None = strawberry.field(description="When you marked it read (null: unread).")
    account_id: Private[int]
    subject_type: Private[str]
    subject_id: Private[int]
    params: Private[dict[str, Any]]

    @strawberry.field(description="What it is about, as you may see it now (null when you no longer may).")
    async def subject(self, info: Info) -> Node | None:
        subject: Node | None = await resolve_node(info.context, encode(self.subject_type, self.subject_id))
        return subject

    @strawberry.field(description="The portal page it leads to (a path, e.g. /min-side).")
    def path(self) -> str:
        return services.link(self.params or {})

    @strawberry.field(description="A short sentence in your language, e.g. that your input was answered.")
    async def text(
        self,
        info: Info[Context, None],
        language: Annotated[
            str | None,
            strawberry.argument(
                description="Write it in this portal language (da, en, ar, tr, so, ur) instead of your account's: "
                "the portal passes the language of the page."
            ),
        ] = None,
    ) -> str:
        if language is None:
            language = await AccountLanguageLoader(info.context).load(self.account_id)
        elif language not in LANGUAGES:
            raise GraphQLError(
                f"Ukendt sprog: {language[:10]!r} (Unknown language; one of {', '.join(LANGUAGES)}).",
                extensions={"code": "BAD_USER_INPUT", "argument": "language"},
            )
        return services.sentence(self.kind, language, self.params or {})


@strawberry.type(description="How you hear of one kind of notification.")
class NotificationPreference:
    kind: m.NotificationKind = strawberry.field(description="The kind.")
    portal: bool = strawberry.field(description="Whether it is shown in the portal (and counted in its header).")
    email: m.EmailFrequency = strawberry.field(description="Whether and how often it comes by e-mail.")


class AccountLanguageLoader(Loader[int, str]):
    """The portal language an account chose (the language of its notifications' sentences)."""

    async def batch_load(self, keys: list[int]) -> list[str]:
        rows = await self.fetch(
            select(col(m.Account.id), col(m.Account.language)).where(col(m.Account.id).in_(sorted(set(keys))))
        )
        found = {row.id: row.language for row in rows}
        return [account_language(found.get(k)).code for k in keys]


class FollowedActivityLoader(Loader[int, bool]):
    """Whether the viewer follows each activity (activityFollow)."""

    async def batch_load(self, keys: list[int]) -> list[bool]:
        actor = self.actor
        if actor is None:
            return [False for _ in keys]
        rows = await self.fetch(
            select(col(m.ActivityFollow.activity_id)).where(
                col(m.ActivityFollow.account_id) == actor.account_id,
                col(m.ActivityFollow.activity_id).in_(sorted(set(keys))),
            )
        )
        followed = {row.activity_id for row in rows}
        return [k in followed for k in keys]
