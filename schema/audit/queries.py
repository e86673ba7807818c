"""The audit log root field (staff only, filtered in SQL by policy) and its `node(id)` lookup."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy import Select, select
from sqlmodel import col
from strawberry.types import Info

from backend import models as m
from backend import policy
from backend.actor import Actor
from schema.audit.types import AuditEvent
from schema.connections import After, Connection, First, page, where_given
from schema.context import Context
from schema.ids import decode_pk
from schema.node import fetch_one, node_resolver
from schema.permissions import checked
from schema.rows import columns


def audit_statement(actor: Actor | None) -> Select[Any]:
    return select(*columns(AuditEvent, m.AuditEvent, object_pk=m.AuditEvent.object_id)).where(
        policy.audit_filter(actor)
    )


@strawberry.type(description="The audit log.")
class AuditQuery:
    @strawberry.field(
        description="The audit log of the plans you are staff of (municipality staff: also city-wide events).",
        **checked(policy.audit_filter, policy.can_read_audit),
    )
    async def audit_events(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        plan_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only events of this plan.")] = None,
    ) -> Connection[AuditEvent]:
        stmt = audit_statement(info.context.actor)
        stmt = where_given(stmt, (m.AuditEvent.plan_id, decode_pk(plan_id, "Plan")))
        return await page(info.context, AuditEvent, stmt, m.AuditEvent.id, first=first, after=after)


@node_resolver("AuditEvent")
async def _audit_event(context: Context, pk: int) -> AuditEvent | None:
    return await fetch_one(context, AuditEvent, audit_statement(context.actor).where(col(m.AuditEvent.id) == pk))
