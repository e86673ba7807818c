"""The audit log: every write records who, what, when, before and after (ids, never personal data)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from backend.actor import Actor
from backend.models import AuditEvent

# Fields that may hold what a resident wrote or who they are: the log keeps only that they changed.
# A row as the audit log keeps it: JSON-safe values by column name.
AuditData = dict[str, Any]
S = TypeVar("S", bound=SQLModel)
PERSONAL_FIELDS = frozenset({"title", "body", "display_name", "text", "subject", "author_account_id", "hidden_reason"})


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


@overload
def snapshot(obj: SQLModel, *, personal: Iterable[str] = ...) -> AuditData: ...
@overload
def snapshot(obj: None, *, personal: Iterable[str] = ...) -> None: ...
def snapshot(obj: SQLModel | None, *, personal: Iterable[str] = PERSONAL_FIELDS) -> AuditData | None:
    """A JSON-safe copy of a row for the log, with personal fields replaced by a marker."""
    if obj is None:
        return None
    personal = set(personal)
    out: AuditData = {}
    for key, value in obj.model_dump().items():
        out[key] = "[personal]" if key in personal and value is not None else _plain(value)
    return out


async def record(
    session: AsyncSession,
    *,
    actor: Actor | None,
    action: str,
    obj: SQLModel | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    plan_id: int | None = None,
    before: AuditData | None = None,
    after: AuditData | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction (it commits or rolls back with the write)."""
    event = event_of(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        plan_id=plan_id,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(event)
    return event


def event_of(
    *,
    actor: Actor | None,
    action: str,
    obj: SQLModel | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    plan_id: int | None = None,
    before: AuditData | None = None,
    after: AuditData | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """The audit event `record` adds, not yet in any session (for a statement that writes it itself)."""
    return AuditEvent(
        actor_kind=actor.kind if actor else None,
        actor_account_id=actor.account_id if actor else None,
        action=action,
        object_type=object_type or (type(obj).__name__ if obj is not None else "unknown"),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        plan_id=plan_id,
        before=before,
        after=after if after is not None else snapshot(obj),
        reason=reason,
    )


async def created(session: AsyncSession, row: S, *, actor: Actor | None, action: str, plan_id: int | None) -> S:
    """Add a new row, flush it (so it has its id) and record its creation in the same transaction."""
    session.add(row)
    await session.flush()
    await record(session, actor=actor, action=action, obj=row, plan_id=plan_id)
    return row
