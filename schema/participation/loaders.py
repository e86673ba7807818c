"""Loaders of follow-up groups, members, meetings, resident inputs and answers."""

from __future__ import annotations

from sqlalchemy import select

from backend import models as m
from backend import policy
from schema.connections import pages_by_parent
from schema.loaders import (
    ByForeignKeyLoader,
    ByIdLoader,
    Loader,
    ThroughLinkLoader,
    cached_statement,
    group_by_args,
    key_in,
)
from schema.rows import columns

T = "schema.participation.types."
G = "schema.geography.types."

PUBLISHED = (
    m.ResidentInput.published.is_(True),
    m.ResidentInput.hidden.is_(False),
    m.ResidentInput.withdrawn.is_(False),
)


def input_columns(type_cls):
    """A resident input's columns with its group's plan (for the policy rules)."""
    return columns(type_cls, m.ResidentInput, plan_id=m.FollowUpGroup.plan_id)


def inputs_select(type_cls):
    return select(*input_columns(type_cls)).join(m.FollowUpGroup, m.FollowUpGroup.id == m.ResidentInput.group_id)


class FollowUpGroupByIdLoader(ByIdLoader):
    """A group as the parent of something already visible: not filtered again."""

    type_path = T + "FollowUpGroup"
    model = m.FollowUpGroup


class VisibleFollowUpGroupByIdLoader(ByIdLoader):
    """A group looked up on its own: only when the actor may read its plan."""

    type_path = T + "FollowUpGroup"
    model = m.FollowUpGroup

    def restrict(self, statement):
        return statement.join(m.Plan, m.Plan.id == m.FollowUpGroup.plan_id).where(policy.plan_filter(self.actor))


class FollowUpGroupsByPlanIdLoader(ByForeignKeyLoader):
    type_path = T + "FollowUpGroup"
    model = m.FollowUpGroup
    fk = "plan_id"


class FollowUpGroupsByEstateIdLoader(ThroughLinkLoader):
    type_path = T + "FollowUpGroup"
    model = m.FollowUpGroup
    link = m.FollowUpGroupEstate
    link_key = "estate_id"
    link_target = "group_id"

    def statement(self, keys):
        return (
            super()
            .statement(keys)
            .join(m.Plan, m.Plan.id == m.FollowUpGroup.plan_id)
            .where(policy.plan_filter(self.actor))
        )


class EstatesByGroupIdLoader(ThroughLinkLoader):
    type_path = G + "HousingEstate"
    model = m.HousingEstate
    link = m.FollowUpGroupEstate
    link_key = "group_id"
    link_target = "estate_id"


class MembersByGroupIdLoader(ByForeignKeyLoader):
    type_path = T + "GroupMember"
    model = m.GroupMember
    fk = "group_id"


class MeetingsByGroupIdLoader(ByForeignKeyLoader):
    type_path = T + "Meeting"
    model = m.Meeting
    fk = "group_id"
    order_by = (m.Meeting.starts_at, m.Meeting.id)


class PublishedInputsByGroupIdLoader(Loader):
    """Key: (group id, page size, after pk) -> the group's published inputs (public, without author)."""

    type_path = T + "ResidentInput"

    async def batch_load(self, keys):
        ri = self.target()
        shape = (type(self),)
        base = cached_statement(shape, lambda: inputs_select(ri).where(*PUBLISHED))
        out = {}
        for (size, after_pk), ids in group_by_args(keys).items():
            pages = await pages_by_parent(
                self.context,
                ri,
                base,
                m.ResidentInput.group_id,
                m.ResidentInput.id,
                sorted(set(ids)),
                size=size,
                after_pk=after_pk,
                cache_key=shape,
            )
            for parent, conn in pages.items():
                out[(parent, size, after_pk)] = conn
        return [out[k] for k in keys]


class InputsByGroupIdLoader(Loader):
    """Key: (group id, page size, after pk, status) -> the group's inputs the actor may see."""

    type_path = T + "ResidentInput"

    async def batch_load(self, keys):
        ri = self.target()
        out = {}
        for (size, after_pk, status), ids in group_by_args(keys).items():

            def build(status=status):
                base = inputs_select(ri).where(policy.resident_input_filter(self.actor))
                if status is not None:
                    base = base.where(m.ResidentInput.status == status)
                return base

            shape = (type(self), self.actor, status)
            base = cached_statement(shape, build)
            pages = await pages_by_parent(
                self.context,
                ri,
                base,
                m.ResidentInput.group_id,
                m.ResidentInput.id,
                sorted(set(ids)),
                size=size,
                after_pk=after_pk,
                cache_key=shape,
            )
            for parent, conn in pages.items():
                out[(parent, size, after_pk, status)] = conn
        return [out[k] for k in keys]


class ResidentInputByIdLoader(ByIdLoader):
    """An input the actor may see (null otherwise)."""

    type_path = T + "ResidentInput"
    model = m.ResidentInput

    def statement(self, keys):
        return (
            inputs_select(self.target())
            .join(m.Plan, m.Plan.id == m.FollowUpGroup.plan_id)
            .where(
                key_in(m.ResidentInput.id, keys),
                policy.resident_input_filter(self.actor),
                policy.plan_filter(self.actor),
            )
        )


class AnswersByInputIdLoader(ByForeignKeyLoader):
    type_path = T + "InputAnswer"
    model = m.InputAnswer
    fk = "input_id"
    order_by = (m.InputAnswer.created_at, m.InputAnswer.id)
