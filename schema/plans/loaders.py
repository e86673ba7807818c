"""Loaders of plans and their parts; lists the actor may not fully see are filtered in SQL by policy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col

from backend import models as m
from backend import policy
from schema.connections import PagesByParentLoader
from schema.loaders import ByForeignKeyLoader, ByIdLoader, ThroughLinkLoader
from schema.rows import columns

G = "schema.geography.types."


class PlanByIdLoader(ByIdLoader, model=m.Plan):
    """A plan as the parent of something already visible (an activity, a group): not filtered again."""


class VisiblePlanByIdLoader(ByIdLoader, model=m.Plan, policy_filter=policy.plan_filter):
    """A plan looked up by id on its own (plan(id), node(id)): only if the actor may read it."""


class PlansByBoardIdLoader(ByForeignKeyLoader, model=m.Plan, fk="board_id", policy_filter=policy.plan_filter): ...


class PlansByUrbanAreaIdLoader(
    PagesByParentLoader,
    type_path="schema.plans.types.Plan",
    parent_column=m.Plan.urban_area_id,
    id_column=m.Plan.id,
    per_actor=True,
    ordered=True,
):
    """Key: (urban area id, page size, after pk, ordering) -> a connection of the area's visible plans."""

    def items(self, target: type, *filters: Any) -> Select[Any]:
        return select(*columns(target, m.Plan)).where(policy.plan_filter(self.actor))


class OrganisationsByPlanIdLoader(
    ThroughLinkLoader, type_path=G + "HousingOrganisation", model=m.HousingOrganisation, link=m.PlanOrganisation
): ...


class EstatesByPlanIdLoader(
    ThroughLinkLoader, type_path=G + "HousingEstate", model=m.HousingEstate, link=m.PlanEstate
): ...


class FundingGenerationByIdLoader(ByIdLoader, model=m.FundingGeneration): ...


class FocusAreaByIdLoader(ByIdLoader, model=m.FocusArea): ...


class FocusAreasByGenerationIdLoader(
    ByForeignKeyLoader, model=m.FocusArea, fk="generation_id", order_by=(m.FocusArea.position, m.FocusArea.id)
): ...


# Each kind of document together, a sub-agreement's versions by focus area, oldest version first.
AGREEMENT_ORDER = (m.Agreement.kind, m.Agreement.focus_area_id, m.Agreement.version, m.Agreement.id)
# By year, then by party.
FINANCING_ORDER = (m.Financing.year, m.Financing.party, m.Financing.id)


class AgreementsByPlanIdLoader(
    ByForeignKeyLoader, model=m.Agreement, fk="plan_id", order_by=AGREEMENT_ORDER, policy_filter=policy.agreement_filter
):
    """All versions of a plan's agreements the actor may see (emergency plans: the plan's staff)."""


class AgreementByIdLoader(ByIdLoader, model=m.Agreement): ...


class GoalsByPlanIdLoader(ByForeignKeyLoader, model=m.Goal, fk="plan_id"): ...


class IndicatorsByGoalIdLoader(ByForeignKeyLoader, model=m.Indicator, fk="goal_id"): ...


class MeasurementsByIndicatorIdLoader(
    ByForeignKeyLoader, model=m.Measurement, fk="indicator_id", order_by=(m.Measurement.period, m.Measurement.id)
): ...


class FinancingByPlanIdLoader(
    ByForeignKeyLoader, model=m.Financing, fk="plan_id", order_by=FINANCING_ORDER, policy_filter=policy.financing_filter
): ...


# Newest first.
DECISION_ORDER = (col(m.Decision.created_at).desc(), col(m.Decision.id).desc())


class DecisionsByPlanIdLoader(ByForeignKeyLoader, model=m.Decision, fk="plan_id", order_by=DECISION_ORDER):
    """The decisions on a plan and its documents, newest first (the field checks who may read them)."""


class MilestonesByPlanIdLoader(
    ByForeignKeyLoader, model=m.Milestone, fk="plan_id", order_by=(m.Milestone.year, m.Milestone.id)
): ...


class GoalByIdLoader(ByIdLoader, model=m.Goal): ...
