"""Root fields of plans and funding generations, and their `node(id)` lookups."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy import Select, exists, select
from sqlmodel import col
from strawberry.types import Info

from backend import models as m
from backend import policy
from backend.actor import Actor
from schema.connections import After, Connection, First, OrderBy, page_by_name, where_given
from schema.context import Context
from schema.enums import PlanStatus
from schema.ids import decode_pk
from schema.node import node_resolver, one_of_visible_plan
from schema.permissions import checked, public
from schema.plans import loaders as pl
from schema.plans.types import (
    Agreement,
    Financing,
    FocusArea,
    FundingGeneration,
    Goal,
    Indicator,
    Measurement,
    Milestone,
    Plan,
)
from schema.prefetch import prefetch_page
from schema.rows import build_all, columns


@strawberry.input(description="Narrows a list of plans; all given conditions must hold.")
class PlanFilter:
    urban_area_id: strawberry.ID | None = strawberry.field(default=None, description="Only plans in this urban area.")
    status: PlanStatus | None = strawberry.field(default=None, description="Only plans with this status.")
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only plans this housing organisation takes part in."
    )
    board_id: strawberry.ID | None = strawberry.field(default=None, description="Only plans this board follows.")
    generation_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only plans of this funding generation."
    )


def plans_statement(actor: Actor | None, f: PlanFilter | None) -> Select[Any]:
    stmt = select(*columns(Plan, m.Plan)).where(policy.plan_filter(actor))
    if f is None:
        return stmt
    stmt = where_given(stmt, (m.Plan.urban_area_id, decode_pk(f.urban_area_id, "UrbanArea")), (m.Plan.status, f.status))
    if (pk := decode_pk(f.organisation_id, "HousingOrganisation")) is not None:
        stmt = stmt.where(
            exists().where(
                col(m.PlanOrganisation.plan_id) == col(m.Plan.id), col(m.PlanOrganisation.organisation_id) == pk
            )
        )
    return where_given(
        stmt,
        (m.Plan.board_id, decode_pk(f.board_id, "Board")),
        (m.Plan.generation_id, decode_pk(f.generation_id, "FundingGeneration")),
    )


@strawberry.type(description="Plans and funding generations.")
class PlansQuery:
    @strawberry.field(
        description="The plans you may see: public ones once approved by the City Council, and your own.",
        **checked(policy.plan_filter),
    )
    async def plans(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[PlanFilter | None, strawberry.argument(description="Conditions on the plans.")] = None,
        order_by: OrderBy = None,
    ) -> Connection[Plan]:
        stmt = plans_statement(info.context.actor, filter)
        connection = await page_by_name(info.context, Plan, m.Plan, stmt, first=first, after=after, order_by=order_by)
        await prefetch_page(info, "Plan", connection)
        return connection

    @strawberry.field(
        description="A plan by its id (null when it does not exist or you may not see it).",
        **checked(policy.plan_filter),
    )
    async def plan(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The plan's global id.")]
    ) -> Plan | None:
        plan: Plan | None = await pl.VisiblePlanByIdLoader(info.context).load(decode_pk(id, "Plan"))
        return plan

    @strawberry.field(
        description="The funding generations of Landsbyggefonden with their focus areas.", **public("reference data")
    )
    async def funding_generations(self, info: Info) -> list[FundingGeneration]:
        rows = await info.context.fetch(
            select(*columns(FundingGeneration, m.FundingGeneration)).order_by(col(m.FundingGeneration.start_year))
        )
        return build_all(FundingGeneration, rows)


@node_resolver("Plan")
async def _plan(context: Context, pk: int) -> Plan | None:
    found: Plan | None = await pl.VisiblePlanByIdLoader(context).load(pk)
    return found


@node_resolver("FundingGeneration")
async def _generation(context: Context, pk: int) -> FundingGeneration | None:
    found: FundingGeneration | None = await pl.FundingGenerationByIdLoader(context).load(pk)
    return found


@node_resolver("FocusArea")
async def _focus_area(context: Context, pk: int) -> FocusArea | None:
    found: FocusArea | None = await pl.FocusAreaByIdLoader(context).load(pk)
    return found


@node_resolver("Agreement")
async def _agreement(context: Context, pk: int) -> Agreement | None:
    return await one_of_visible_plan(context, Agreement, m.Agreement, pk, policy.agreement_filter(context.actor))


@node_resolver("Goal")
async def _goal(context: Context, pk: int) -> Goal | None:
    return await one_of_visible_plan(context, Goal, m.Goal, pk)


@node_resolver("Milestone")
async def _milestone(context: Context, pk: int) -> Milestone | None:
    return await one_of_visible_plan(context, Milestone, m.Milestone, pk)


@node_resolver("Financing")
async def _financing(context: Context, pk: int) -> Financing | None:
    return await one_of_visible_plan(context, Financing, m.Financing, pk, policy.financing_filter(context.actor))


@node_resolver("Indicator")
async def _indicator(context: Context, pk: int) -> Indicator | None:
    return await one_of_visible_plan(context, Indicator, m.Indicator, pk, via=((m.Goal, m.Indicator.goal_id),))


@node_resolver("Measurement")
async def _measurement(context: Context, pk: int) -> Measurement | None:
    via = ((m.Indicator, m.Measurement.indicator_id), (m.Goal, m.Indicator.goal_id))
    return await one_of_visible_plan(context, Measurement, m.Measurement, pk, via=via)
