"""The `annualReport(planId, year)` root field: the plan's staff and Landsbyggefonden."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from backend import policy, report
from schema.ids import decode_pk
from schema.permissions import checked
from schema.reports.types import AnnualReport, from_data, site_of


@strawberry.type(description="Reports.")
class ReportsQuery:
    @strawberry.field(
        description="The yearly report of a plan to Landsbyggefonden (the plan's staff and Landsbyggefonden; "
        "null otherwise, as for an unknown plan).",
        **checked(policy.can_read_annual_report),
    )
    async def annual_report(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID, strawberry.argument(description="The plan.")],
        year: Annotated[int, strawberry.argument(description="The calendar year reported on.")],
    ) -> AnnualReport | None:
        if not (report.YEAR_MIN <= year <= report.YEAR_MAX):
            raise GraphQLError(
                f"year must be between {report.YEAR_MIN} and {report.YEAR_MAX}.", extensions={"code": "BAD_INPUT"}
            )
        pk = decode_pk(plan_id, "Plan")
        if not policy.can_read_annual_report(info.context.actor, pk):
            return None
        async with info.context.db_lock:
            data = await report.build(info.context.session, plan_id=pk, year=year)
        return from_data(data, base=site_of(info.context.request)) if data else None
