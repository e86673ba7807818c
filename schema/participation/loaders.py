"""Loaders of follow-up groups, members, meetings, resident inputs and answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Label, Select, select
from sqlmodel import col

from backend import models as m
from backend import policy
from schema.connections import PagesByParentLoader
from schema.loaders import (
    ByForeignKeyLoader,
    ByIdLoader,
    ThroughLinkLoader,
    key_in,
)
from schema.rows import columns

INPUT = "schema.participation.types.ResidentInput"
G = "schema.geography.types."

PUBLISHED = (
    col(m.ResidentInput.published).is_(True),
    col(m.ResidentInput.hidden).is_(False),
    col(m.ResidentInput.withdrawn).is_(False),
)


def input_columns(type_cls: type) -> list[Label[Any]]:
    """A resident input's columns with its group's plan (for the policy rules)."""
    return columns(type_cls, m.ResidentInput, plan_id=m.FollowUpGroup.plan_id)


def inputs_select(type_cls: type) -> Select[Any]:
    return select(*input_columns(type_cls)).join(
        m.FollowUpGroup, col(m.FollowUpGroup.id) == col(m.ResidentInput.group_id)
    )


class FollowUpGroupByIdLoader(ByIdLoader, model=m.FollowUpGroup):
    """A group as the parent of something already visible: not filtered again."""


class VisibleFollowUpGroupByIdLoader(ByIdLoader, model=m.FollowUpGroup):
    """A group looked up on its own: only when the actor may read its plan."""

    def restrict(self, statement: Select[Any]) -> Select[Any]:
        return statement.join(m.Plan, col(m.Plan.id) == col(m.FollowUpGroup.plan_id)).where(
            policy.plan_filter(self.actor)
        )


class FollowUpGroupsByPlanIdLoader(ByForeignKeyLoader, model=m.FollowUpGroup, fk="plan_id"): ...


class FollowUpGroupsByEstateIdLoader(ThroughLinkLoader, model=m.FollowUpGroup, link=m.FollowUpGroupEstate):
    def statement(self, keys: list[int] | None = None) -> Select[Any]:
        return (
            super()
            .statement(keys)
            .join(m.Plan, col(m.Plan.id) == col(m.FollowUpGroup.plan_id))
            .where(policy.plan_filter(self.actor))
        )


class EstatesByGroupIdLoader(
    ThroughLinkLoader, type_path=G + "HousingEstate", model=m.HousingEstate, link=m.FollowUpGroupEstate
): ...


class MembersByGroupIdLoader(ByForeignKeyLoader, model=m.GroupMember, fk="group_id"): ...


class MeetingsByGroupIdLoader(
    ByForeignKeyLoader, model=m.Meeting, fk="group_id", order_by=(m.Meeting.starts_at, m.Meeting.id)
): ...


class PublishedInputsByGroupIdLoader(
    PagesByParentLoader, type_path=INPUT, parent_column=m.ResidentInput.group_id, id_column=m.ResidentInput.id
):
    """Key: (group id, page size, after pk) -> the group's published inputs (public, without author)."""

    def items(self, target: type, *filters: Any) -> Select[Any]:
        return inputs_select(target).where(*PUBLISHED)


class InputsByGroupIdLoader(
    PagesByParentLoader,
    type_path=INPUT,
    parent_column=m.ResidentInput.group_id,
    id_column=m.ResidentInput.id,
    per_actor=True,
):
    """Key: (group id, page size, after pk, status) -> the group's inputs the actor may see."""

    def items(self, target: type, *filters: Any) -> Select[Any]:
        (status,) = filters
        base = inputs_select(target).where(policy.resident_input_filter(self.actor))
        if status is not None:
            base = base.where(col(m.ResidentInput.status) == status)
        return base


class ResidentInputByIdLoader(ByIdLoader, model=m.ResidentInput):
    """An input the actor may see (null otherwise)."""

    def statement(self, keys: list[int] | None = None) -> Select[Any]:
        return (
            inputs_select(self.target())
            .join(m.Plan, col(m.Plan.id) == col(m.FollowUpGroup.plan_id))
            .where(
                key_in(m.ResidentInput.id, keys),
                policy.resident_input_filter(self.actor),
                policy.plan_filter(self.actor),
            )
        )


class AnswersByInputIdLoader(
    ByForeignKeyLoader, model=m.InputAnswer, fk="input_id", order_by=(m.InputAnswer.created_at, m.InputAnswer.id)
): ...
