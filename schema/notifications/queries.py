"""The viewer's notifications (the fields are on Viewer, schema/participation/types.py) and `node(id)`."""

from __future__ import annotations

from sqlalchemy import select

from backend import models as m
from backend import policy
from backend.services import notifications as services
from schema.connections import Connection, page
from schema.node import node_resolver
from schema.notifications.types import Notification, NotificationPreference
from schema.rows import build, columns


def _own(account_id: int):
    return select(*columns(Notification, m.Notification)).where(m.Notification.account_id == account_id)


async def own_notifications(
    context, account_id: int, *, first: int | None, after: str | None, unread_only: bool
) -> Connection[Notification]:
    """The account's notifications, newest first (only ever asked for by the account itself)."""
    statement = _own(account_id)
    if unread_only:
        statement = statement.where(m.Notification.read_at.is_(None))  # type: ignore[union-attr]  # a column
    return await page(context, Notification, statement, m.Notification.id, first=first, after=after, newest_first=True)


async def own_unread_count(context, account_id: int) -> int:
    count: int = await context.scalar(services.unread_statement(account_id))
    return count


async def own_preferences(context, actor) -> list[NotificationPreference]:
    stored = await context.fetch(services.stored_preferences_statement(actor.account_id))
    return [
        NotificationPreference(kind=kind, portal=portal, email=email)
        for kind, portal, email in services.preferences(actor.kind, stored)
    ]


@node_resolver("Notification")
async def _notification(context, pk: int):
    rows = await context.fetch(select(*columns(Notification, m.Notification)).where(m.Notification.id == pk))
    if not rows:
        return None
    notification = build(Notification, rows[0])
    return notification if policy.can_read_notification(context.actor, notification.account_id) else None
