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

T = "schema.plans.types."
G = "schema.geography.types."


class PlanByIdLoader(ByIdLoader):
    """A plan as the parent of something already visible (an activity, a group): not filtered again."""

    type_path = T + "Plan"
    model = m.Plan


class VisiblePlanByIdLoader(ByIdLoader):
    """A plan looked up by id on its own (plan(id), node(id)): only if the actor may read it."""

    type_path = T + "Plan"
    model = m.Plan

    def restrict(self, statement: Select[Any]) -> Select[Any]:
        return statement.where(policy.plan_filter(self.actor))


class PlansByBoardIdLoader(ByForeignKeyLoader):
    type_path = T + "Plan"
    model = m.Plan
    fk = "board_id"

    def restrict(self, statement: Select[Any]) -> Select[Any]:
        return statement.where(policy.plan_filter(self.actor))


class PlansByUrbanAreaIdLoader(PagesByParentLoader):
    """Key: (urban area id, page size, after pk, ordering) -> a connection of the area's visible plans."""

    type_path = T + "Plan"
    parent_column = m.Plan.urban_area_id
    id_column = m.Plan.id
    per_actor = True
    ordered = True

    def items(self, target: type, *filters: Any) -> Select[Any]:
        return select(*columns(target, m.Plan)).where(policy.plan_filter(self.actor))


class OrganisationsByPlanIdLoader(ThroughLinkLoader):
    type_path = G + "HousingOrganisation"
    model = m.HousingOrganisation
    link = m.PlanOrganisation
    link_key = "plan_id"
    link_target = "organisation_id"


class EstatesByPlanIdLoader(ThroughLinkLoader):
    type_path = G + "HousingEstate"
    model = m.HousingEstate
    link = m.PlanEstate
    link_key = "plan_id"
    link_target = "estate_id"


class FundingGenerationByIdLoader(ByIdLoader):
    type_path = T + "FundingGeneration"
    model = m.FundingGeneration


class FocusAreaByIdLoader(ByIdLoader):
    type_path = T + "FocusArea"
    model = m.FocusArea


class FocusAreasByGenerationIdLoader(ByForeignKeyLoader):
    type_path = T + "FocusArea"
    model = m.FocusArea
    fk = "generation_id"
    order_by = (m.FocusArea.position, m.FocusArea.id)


class AgreementsByPlanIdLoader(ByForeignKeyLoader):
    """All versions of a plan's agreements the actor may see (emergency plans: the plan's staff)."""

    type_path = T + "Agreement"
    model = m.Agreement
    fk = "plan_id"
    order_by = (m.Agreement.kind, m.Agreement.focus_area_id, m.Agreement.version, m.Agreement.id)

    def restrict(self, statement: Select[Any]) -> Select[Any]:
        return statement.where(policy.agreement_filter(self.actor))


class AgreementByIdLoader(ByIdLoader):
    type_path = T + "Agreement"
    model = m.Agreement


class GoalsByPlanIdLoader(ByForeignKeyLoader):
    type_path = T + "Goal"
    model = m.Goal
    fk = "plan_id"


class IndicatorsByGoalIdLoader(ByForeignKeyLoader):
    type_path = T + "Indicator"
    model = m.Indicator
    fk = "goal_id"


class MeasurementsByIndicatorIdLoader(ByForeignKeyLoader):
    type_path = T + "Measurement"
    model = m.Measurement
    fk = "indicator_id"
    order_by = (m.Measurement.period, m.Measurement.id)


class FinancingByPlanIdLoader(ByForeignKeyLoader):
    type_path = T + "Financing"
    model = m.Financing
    fk = "plan_id"
    order_by = (m.Financing.year, m.Financing.party, m.Financing.id)

    def restrict(self, statement: Select[Any]) -> Select[Any]:
        return statement.where(policy.financing_filter(self.actor))


class DecisionsByPlanIdLoader(ByForeignKeyLoader):
    """The decisions on a plan and its documents, newest first (the field checks who may read them)."""

    type_path = T + "Decision"
    model = m.Decision
    fk = "plan_id"
    order_by = (col(m.Decision.created_at).desc(), col(m.Decision.id).desc())


class MilestonesByPlanIdLoader(ByForeignKeyLoader):
    type_path = T + "Milestone"
    model = m.Milestone
    fk = "plan_id"
    order_by = (m.Milestone.year, m.Milestone.id)


class GoalByIdLoader(ByIdLoader):
    type_path = T + "Goal"
    model = m.Goal
