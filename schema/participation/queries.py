"""Root fields of participation (follow-up groups, the viewer) and their `node(id)` lookups."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Select, select
from sqlmodel import col
from strawberry.types import Info

from backend import models as m
from backend import policy
from backend.actor import Actor
from backend.bounds import DATE_MAX, DATE_MIN
from backend.clock import start_of_day
from schema.connections import After, Connection, First, page, where_given
from schema.context import Context
from schema.enums import InputStatus
from schema.ids import decode_pk
from schema.node import node_resolver, one_of_visible_plan
from schema.participation import loaders as pl
from schema.participation.types import FollowUpGroup, InputAnswer, Meeting, Residency, ResidentInput, Viewer
from schema.permissions import checked
from schema.rows import build, build_all, columns, copied
from schema.scalars import to_utc  # SQLite keeps moments as naive UTC text: compare in UTC


@strawberry.input(description="Narrows the input inbox; all given conditions must hold.")
class InboxFilter:
    group_id: strawberry.ID | None = strawberry.field(default=None, description="Only inputs to this follow-up group.")
    status: InputStatus | None = strawberry.field(default=None, description="Only inputs with this status.")
    received_from: date | None = strawberry.field(
        default=None, description="Only inputs received on this day (in Copenhagen) or later."
    )
    received_to: date | None = strawberry.field(
        default=None, description="Only inputs received on this day (in Copenhagen) or earlier."
    )


def _day(value: date | None, name: str) -> date | None:
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise GraphQLError(f"{name} must lie in {DATE_MIN}..{DATE_MAX}.", extensions={"code": "BAD_USER_INPUT"})
    return value


def inbox_statement(actor: Actor | None, f: InboxFilter | None) -> Select[Any]:
    stmt = pl.inputs_select(ResidentInput).where(policy.inbox_filter(actor))
    if f is None:
        return stmt
    group_pk = decode_pk(f.group_id, "FollowUpGroup")
    stmt = where_given(stmt, (m.ResidentInput.group_id, group_pk), (m.ResidentInput.status, f.status))
    received_from, received_to = _day(f.received_from, "receivedFrom"), _day(f.received_to, "receivedTo")
    if received_from and received_to and received_from > received_to:
        raise GraphQLError("receivedFrom is after receivedTo.", extensions={"code": "BAD_USER_INPUT"})
    if received_from is not None:
        stmt = stmt.where(col(m.ResidentInput.created_at) >= to_utc(start_of_day(received_from)))
    if received_to is not None:
        stmt = stmt.where(col(m.ResidentInput.created_at) < to_utc(start_of_day(received_to + timedelta(days=1))))
    return stmt


@strawberry.type(description="Follow-up groups and the signed-in viewer.")
class ParticipationQuery:
    @strawberry.field(
        description="The input inbox: inputs to the follow-up groups of your plans, published or not, newest "
        "first. Staff of the plans only (empty for anyone else).",
        **checked(policy.inbox_filter),
    )
    async def input_inbox(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[InboxFilter | None, strawberry.argument(description="Conditions on the inputs.")] = None,
    ) -> Connection[ResidentInput]:
        stmt = inbox_statement(info.context.actor, filter)
        return await page(
            info.context, ResidentInput, stmt, m.ResidentInput.id, first=first, after=after, newest_first=True
        )

    @strawberry.field(
        description="The follow-up groups (følgegrupper) of plans you may see.", **checked(policy.plan_filter)
    )
    async def follow_up_groups(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        plan_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only the groups of this plan.")
        ] = None,
    ) -> Connection[FollowUpGroup]:
        stmt = (
            select(*columns(FollowUpGroup, m.FollowUpGroup))
            .join(m.Plan, col(m.Plan.id) == col(m.FollowUpGroup.plan_id))
            .where(policy.plan_filter(info.context.actor))
        )
        stmt = where_given(stmt, (m.FollowUpGroup.plan_id, decode_pk(plan_id, "Plan")))
        return await page(info.context, FollowUpGroup, stmt, m.FollowUpGroup.id, first=first, after=after)

    @strawberry.field(description="You, when signed in (null when not).", **checked(policy.can_read_own_data))
    def viewer(self, info: Info) -> Viewer | None:
        actor = info.context.actor
        return None if actor is None else copied(Viewer, actor)


async def own_residencies(context: Context, account_id: int) -> list[Residency]:
    """The account's residencies, newest first (personal data: only ever asked for by the viewer)."""
    rows = await context.fetch(
        select(*columns(Residency, m.Residency))
        .where(col(m.Residency.account_id) == account_id)
        .order_by(col(m.Residency.since).desc(), col(m.Residency.id).desc())
    )
    return build_all(Residency, rows)


async def own_inputs(
    context: Context, account_id: int, *, first: int | None, after: str | None
) -> Connection[ResidentInput]:
    stmt = pl.inputs_select(ResidentInput).where(col(m.ResidentInput.author_account_id) == account_id)
    return await page(context, ResidentInput, stmt, m.ResidentInput.id, first=first, after=after)


@node_resolver("FollowUpGroup")
async def _group(context: Context, pk: int) -> FollowUpGroup | None:
    found: FollowUpGroup | None = await pl.VisibleFollowUpGroupByIdLoader(context).load(pk)
    return found


@node_resolver("Meeting")
async def _meeting(context: Context, pk: int) -> Meeting | None:
    return await one_of_visible_plan(context, Meeting, m.Meeting, pk, via=((m.FollowUpGroup, m.Meeting.group_id),))


@node_resolver("ResidentInput")
async def _input(context: Context, pk: int) -> ResidentInput | None:
    found: ResidentInput | None = await pl.ResidentInputByIdLoader(context).load(pk)
    return found


@node_resolver("InputAnswer")
async def _answer(context: Context, pk: int) -> InputAnswer | None:
    rows = await context.fetch(select(*columns(InputAnswer, m.InputAnswer)).where(col(m.InputAnswer.id) == pk))
    if not rows:
        return None
    answer = build(InputAnswer, rows[0])
    # An answer is visible exactly when its input is.
    return answer if await pl.ResidentInputByIdLoader(context).load(answer.input_id) else None


@node_resolver("Residency")
async def _residency(context: Context, pk: int) -> Residency | None:
    rows = await context.fetch(
        select(*columns(Residency, m.Residency), col(m.HousingEstate.organisation_id))
        .join(m.HousingEstate, col(m.HousingEstate.id) == col(m.Residency.estate_id))
        .where(col(m.Residency.id) == pk)
    )
    if not rows:
        return None
    residency = build(Residency, rows[0])
    allowed = policy.can_read_residency(
        context.actor, account_id=residency.account_id, estate_organisation_id=rows[0][-1]
    )
    return residency if allowed else None
