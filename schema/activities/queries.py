"""Root fields of activities and partners, and their `node(id)` lookups."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy import select
from sqlmodel import col
from strawberry.types import Info

from backend import models as m
from backend import policy
from schema.activities import loaders as al
from schema.activities.filters import ActivityFilter, conditions, filter_key
from schema.activities.types import Activity, Occurrence, Partner, ProgressNote
from schema.connections import After, Connection, First, OrderBy, page_by_name, where_given
from schema.context import Context
from schema.enums import PartnerKind
from schema.node import fetch_one, node_resolver
from schema.permissions import checked, public
from schema.rows import build, columns


@strawberry.type(description="Activities and partners.")
class ActivitiesQuery:
    @strawberry.field(
        description="Activities you may see, filtered; internal ones only for the plan's staff and partners.",
        **checked(policy.activity_filter),
    )
    async def activities(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            ActivityFilter | None, strawberry.argument(description="Conditions on the activities.")
        ] = None,
        order_by: OrderBy = None,
    ) -> Connection[Activity]:
        key = filter_key(filter)
        stmt = al.visible_activities(Activity, info.context.actor).where(*conditions(key))
        return await page_by_name(
            info.context, Activity, m.Activity, stmt, first=first, after=after, order_by=order_by, name="title"
        )

    @strawberry.field(description="The partner organisations.", **public("reference data"))
    async def partners(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        kind: Annotated[PartnerKind | None, strawberry.argument(description="Only partners of this kind.")] = None,
        order_by: OrderBy = None,
    ) -> Connection[Partner]:
        stmt = where_given(select(*columns(Partner, m.Partner)), (m.Partner.kind, kind))
        return await page_by_name(info.context, Partner, m.Partner, stmt, first=first, after=after, order_by=order_by)


@node_resolver("Activity")
async def _activity(context: Context, pk: int) -> Activity | None:
    found: Activity | None = await al.ActivityByIdLoader(context).load(pk)
    return found


@node_resolver("Partner")
async def _partner(context: Context, pk: int) -> Partner | None:
    found: Partner | None = await al.PartnerByIdLoader(context).load(pk)
    return found


@node_resolver("Occurrence")
async def _occurrence(context: Context, pk: int) -> Occurrence | None:
    Occ = m.Occurrence
    stmt = (
        select(*columns(Occurrence, Occ, plan_id=m.Activity.plan_id, participant_count_value=Occ.participant_count))
        .join(m.Activity, col(m.Activity.id) == col(Occ.activity_id))
        .join(m.Plan, col(m.Plan.id) == col(m.Activity.plan_id))
        .where(col(Occ.id) == pk, policy.activity_filter(context.actor))
    )
    return await fetch_one(context, Occurrence, stmt)


@node_resolver("ProgressNote")
async def _progress_note(context: Context, pk: int) -> ProgressNote | None:
    N = m.ProgressNote
    rows = await context.fetch(
        select(*columns(ProgressNote, N), col(m.Activity.id), col(m.Activity.plan_id))
        .join(m.Activity, col(m.Activity.id) == col(N.activity_id))
        .where(col(N.id) == pk)
    )
    if not rows:
        return None
    activity_id, plan_id = rows[0][-2], rows[0][-1]
    if not policy.can_read_activity_internals(context.actor, activity_id=activity_id, plan_id=plan_id):
        return None
    return build(ProgressNote, rows[0])
