"""Loaders of activities, partners, occurrences and progress notes (visibility filtered in SQL)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Integer, bindparam, case, func, select

from backend import models as m
from backend import policy
from schema.activities.filters import conditions
from schema.connections import pages_by_parent
from schema.loaders import ByForeignKeyLoader, ByIdLoader, Loader, cached_statement, group_by_args, key_in
from schema.rows import build, columns, field_names

T = "schema.activities.types."


def visible_activities(type_cls, actor):
    """Activities the actor may see, with Plan joined (for the policy filter and area conditions)."""
    return (
        select(*columns(type_cls, m.Activity))
        .join(m.Plan, m.Plan.id == m.Activity.plan_id)
        .where(policy.activity_filter(actor))
    )


class ActivityByIdLoader(ByIdLoader):
    """An activity the actor may see (null otherwise)."""

    type_path = T + "Activity"
    model = m.Activity

    def restrict(self, statement):
        return statement.join(m.Plan, m.Plan.id == m.Activity.plan_id).where(policy.activity_filter(self.actor))


class ActivitiesByPlanIdLoader(Loader):
    """Key: (plan id, page size, after, FilterKey, ordering) -> a connection of the plan's visible activities."""

    type_path = T + "Activity"

    async def batch_load(self, keys):
        activity = self.target()
        out = {}
        for (size, after_pk, fkey, order), ids in group_by_args(keys).items():
            shape = (type(self), self.actor, fkey)
            base = cached_statement(shape, lambda: visible_activities(activity, self.actor).where(*conditions(fkey)))
            pages = await pages_by_parent(
                self.context,
                activity,
                base,
                m.Activity.plan_id,
                m.Activity.id,
                sorted(set(ids)),
                size=size,
                after_pk=after_pk,
                cache_key=shape,
                ordering=order,
            )
            for parent, conn in pages.items():
                out[(parent, size, after_pk, fkey, order)] = conn
        return [out[k] for k in keys]


class ActivitiesByPartnerIdLoader(Loader):
    """Key: (partner id, page size, after, ordering) -> a connection of the partner's visible activities."""

    type_path = T + "Activity"

    async def batch_load(self, keys):
        activity = self.target()
        out = {}
        shape = (type(self), self.actor)
        base = cached_statement(
            shape,
            lambda: visible_activities(activity, self.actor).join(
                m.ActivityPartner, m.ActivityPartner.activity_id == m.Activity.id
            ),
        )
        for (size, after_pk, order), ids in group_by_args(keys).items():
            pages = await pages_by_parent(
                self.context,
                activity,
                base,
                m.ActivityPartner.partner_id,
                m.Activity.id,
                sorted(set(ids)),
                size=size,
                after_pk=after_pk,
                cache_key=shape,
                ordering=order,
            )
            for parent, conn in pages.items():
                out[(parent, size, after_pk, order)] = conn
        return [out[k] for k in keys]


class ActivityPartnersByActivityIdLoader(ByForeignKeyLoader):
    type_path = T + "ActivityPartner"
    model = m.ActivityPartner
    fk = "activity_id"
    # Responsible first, then co-responsible, then contributing.
    order_by = (
        m.ActivityPartner.activity_id,
        case(
            (m.ActivityPartner.role == m.PartnerRole.RESPONSIBLE, 0),
            (m.ActivityPartner.role == m.PartnerRole.CO_RESPONSIBLE, 1),
            else_=2,
        ),
        m.ActivityPartner.partner_id,
    )

    async def batch_load(self, keys):
        # The partners come in the same statement and prime PartnerByIdLoader, so that
        # ActivityPartner.partner needs neither a second statement nor an await.
        link_type, partner_type = self.target(), PartnerByIdLoader.target()
        n = len(field_names(link_type))
        stmt = cached_statement(
            (type(self),),
            lambda: (
                select(
                    *columns(link_type, m.ActivityPartner),
                    *columns(partner_type, m.Partner),
                    m.ActivityPartner.activity_id.label("_key"),
                )
                .join(m.Partner, m.Partner.id == m.ActivityPartner.partner_id)
                .where(key_in(m.ActivityPartner.activity_id))
                .order_by(*self.order_by)
            ),
        )
        rows = await self.fetch(stmt, {"keys": sorted(set(keys))})
        partners = PartnerByIdLoader(self.context)
        grouped = defaultdict(list)
        for row in rows:
            grouped[row[-1]].append(build(link_type, row[:n]))
            partner = build(partner_type, row[n:-1])
            partners.prime(partner.pk, partner)
        return [grouped.get(k, []) for k in keys]


class PartnerByIdLoader(ByIdLoader):
    type_path = T + "Partner"
    model = m.Partner


class OccurrencesByActivityIdLoader(Loader):
    """Key: (activity id, from, to, first) -> the activity's occurrences in range, soonest first."""

    type_path = T + "Occurrence"

    async def batch_load(self, keys):
        occurrence = self.target()
        O = m.Occurrence
        n = len(field_names(occurrence))
        out = {}
        for (start, end, first), ids in group_by_args(keys).items():

            def statement(start=start, end=end):
                stmt = (
                    select(
                        *columns(
                            occurrence, O, plan_id=m.Activity.plan_id, participant_count_value=O.participant_count
                        ),
                        O.activity_id.label("_parent"),
                        func.row_number().over(partition_by=O.activity_id, order_by=(O.starts_at, O.id)).label("_rn"),
                    )
                    .join(m.Activity, m.Activity.id == O.activity_id)
                    .where(key_in(O.activity_id))
                )
                if start is not None:
                    stmt = stmt.where(O.ends_at > bindparam("start", type_=O.ends_at.type))
                if end is not None:
                    stmt = stmt.where(O.starts_at < bindparam("end", type_=O.starts_at.type))
                sub = stmt.subquery()
                return (
                    select(sub).where(sub.c._rn <= bindparam("first", type_=Integer)).order_by(sub.c._parent, sub.c._rn)
                )

            stmt = cached_statement((type(self), start is None, end is None), statement)
            params = {"keys": sorted(set(ids)), "first": first}
            if start is not None:
                params["start"] = start
            if end is not None:
                params["end"] = end
            rows = await self.fetch(stmt, params)
            grouped = defaultdict(list)
            for row in rows:
                grouped[row[n]].append(build(occurrence, row))
            for parent in ids:
                out[(parent, start, end, first)] = grouped.get(parent, [])
        return [out[k] for k in keys]


class ProgressNotesByActivityIdLoader(Loader):
    """Key: (activity id, page size, after pk) -> a connection of the activity's progress notes."""

    type_path = T + "ProgressNote"

    async def batch_load(self, keys):
        note = self.target()
        out = {}
        shape = (type(self),)
        base = cached_statement(shape, lambda: select(*columns(note, m.ProgressNote)))
        for (size, after_pk), ids in group_by_args(keys).items():
            pages = await pages_by_parent(
                self.context,
                note,
                base,
                m.ProgressNote.activity_id,
                m.ProgressNote.id,
                sorted(set(ids)),
                size=size,
                after_pk=after_pk,
                cache_key=shape,
            )
            for parent, conn in pages.items():
                out[(parent, size, after_pk)] = conn
        return [out[k] for k in keys]
