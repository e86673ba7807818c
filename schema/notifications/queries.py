"""The viewer's notifications (the fields are on Viewer, schema/participation/types.py) and `node(id)`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col

from backend import models as m
from backend import policy
from backend.actor import Actor
from backend.services import notifications as services
from schema.connections import Connection, page
from schema.context import Context
from schema.node import node_resolver
from schema.notifications.types import Notification, NotificationPreference
from schema.rows import build, columns


def _notifications() -> Select[Any]:
    return select(*columns(Notification, m.Notification))


async def own_notifications(
    context: Context, account_id: int, *, first: int | None, after: str | None, unread_only: bool
) -> Connection[Notification]:
    """The account's notifications, newest first (only ever asked for by the account itself)."""
    statement = _notifications().where(col(m.Notification.account_id) == account_id)
    if unread_only:
        statement = statement.where(col(m.Notification.read_at).is_(None))
    return await page(
        context, Notification, statement, col(m.Notification.id), first=first, after=after, newest_first=True
    )


async def own_unread_count(context: Context, account_id: int) -> int:
    rows = await context.fetch(services.unread_statement(account_id))
    count: int = rows[0][0]
    return count


async def own_preferences(context: Context, actor: Actor | None) -> list[NotificationPreference]:
    if actor is None:
        return []
    stored = await context.fetch(services.stored_preferences_statement(actor.account_id))
    return [
        NotificationPreference(kind=kind, portal=portal, email=email)
        for kind, portal, email in services.preferences(actor.kind, stored)
    ]


@node_resolver("Notification")
async def _notification(context: Context, pk: int) -> Notification | None:
    rows = await context.fetch(_notifications().where(col(m.Notification.id) == pk))
    if not rows:
        return None
    notification = build(Notification, rows[0])
    return notification if policy.can_read_notification(context.actor, notification.account_id) else None
