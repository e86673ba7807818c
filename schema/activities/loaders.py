"""Loaders of activities, partners, occurrences and progress notes (visibility filtered in SQL)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Integer, Select, bindparam, case, func, inspect, select
from sqlmodel import col

from backend import models as m
from backend import policy
from backend.actor import Actor
from schema.activities.filters import conditions
from schema.connections import PagesByParentLoader
from schema.loaders import ByForeignKeyLoader, ByIdLoader, Loader, cached_statement, group_by_args, key_in
from schema.rows import build, columns, field_names

T = "schema.activities.types."


def visible_activities(type_cls: type, actor: Actor | None) -> Select[Any]:
    """Activities the actor may see, with Plan joined (for the policy filter and area conditions)."""
    return (
        select(*columns(type_cls, m.Activity))
        .join(m.Plan, col(m.Plan.id) == col(m.Activity.plan_id))
        .where(policy.activity_filter(actor))
    )


class ActivityByIdLoader(ByIdLoader, model=m.Activity):
    """An activity the actor may see (null otherwise)."""

    def restrict(self, statement: Select[Any]) -> Select[Any]:
        return statement.join(m.Plan, col(m.Plan.id) == col(m.Activity.plan_id)).where(
            policy.activity_filter(self.actor)
        )


class VisibleActivitiesLoader(PagesByParentLoader, generic=True):
    """A connection of visible activities per parent, ordered by id or name."""

    type_path = T + "Activity"
    id_column = m.Activity.id
    per_actor = True
    ordered = True


class ActivitiesByPlanIdLoader(VisibleActivitiesLoader, parent_column=m.Activity.plan_id):
    """Key: (plan id, page size, after pk, FilterKey, ordering) -> a connection of the plan's visible activities."""

    def items(self, target: type, *filters: Any) -> Select[Any]:
        (fkey,) = filters
        return visible_activities(target, self.actor).where(*conditions(fkey))


class ActivitiesByPartnerIdLoader(VisibleActivitiesLoader, parent_column=m.ActivityPartner.partner_id):
    """Key: (partner id, page size, after pk, ordering) -> a connection of the partner's visible activities."""

    def items(self, target: type, *filters: Any) -> Select[Any]:
        return visible_activities(target, self.actor).join(
            m.ActivityPartner, col(m.ActivityPartner.activity_id) == col(m.Activity.id)
        )


# Responsible first, then co-responsible, then contributing.
ROLE_ORDER = case(
    (col(m.ActivityPartner.role) == m.PartnerRole.RESPONSIBLE, 0),
    (col(m.ActivityPartner.role) == m.PartnerRole.CO_RESPONSIBLE, 1),
    else_=2,
)


class ActivityPartnersByActivityIdLoader(
    ByForeignKeyLoader,
    model=m.ActivityPartner,
    fk="activity_id",
    order_by=(col(m.ActivityPartner.activity_id), ROLE_ORDER, col(m.ActivityPartner.partner_id)),
):
    async def batch_load(self, keys: list[int]) -> list[list[Any]]:
        # The partners come in the same statement and prime PartnerByIdLoader, so that
        # ActivityPartner.partner needs neither a second statement nor an await.
        link_type, partner_type = self.target(), PartnerByIdLoader.target()
        n = len(field_names(link_type))  # type: ignore[arg-type]  # a class is hashable; mypy does not see it for type[Any]
        stmt = cached_statement(
            (type(self),),
            lambda: (
                select(
                    *columns(link_type, m.ActivityPartner),
                    *columns(partner_type, m.Partner),
                    col(m.ActivityPartner.activity_id).label("_key"),
                )
                .join(m.Partner, col(m.Partner.id) == col(m.ActivityPartner.partner_id))
                .where(key_in(m.ActivityPartner.activity_id))
                .order_by(*self.order_by)
            ),
        )
        rows = await self.fetch(stmt, {"keys": sorted(set(keys))})
        partners = PartnerByIdLoader(self.context)
        grouped: defaultdict[int, list[Any]] = defaultdict(list)
        built: set[int] = set()  # partners built: one in many activities is built once
        for row in rows:
            grouped[row[-1]].append(build(link_type, row))  # the link's columns come first
            if row[n] not in built:  # the partner's pk is its first column
                built.add(row[n])
                partner = build(partner_type, row[n:-1])
                partners.prime(partner.pk, partner)
        return [grouped.get(k, []) for k in keys]


class PartnerByIdLoader(ByIdLoader, model=m.Partner): ...


class OccurrencesByActivityIdLoader(Loader[tuple[Any, ...], list[Any]]):
    """Key: (activity id, from, to, first) -> the activity's occurrences in range, soonest first."""

    type_path = T + "Occurrence"

    async def batch_load(self, keys: list[tuple[Any, ...]]) -> list[list[Any]]:
        occurrence = self.target()
        Occ = m.Occurrence
        n = len(field_names(occurrence))  # type: ignore[arg-type]  # a class is hashable; mypy does not see it for type[Any]
        out: dict[tuple[Any, ...], list[Any]] = {}
        for (start, end, first), ids in group_by_args(keys).items():

            def statement(start: Any = start, end: Any = end) -> Select[Any]:
                stmt = (
                    select(
                        *columns(
                            occurrence, Occ, plan_id=m.Activity.plan_id, participant_count_value=Occ.participant_count
                        ),
                        col(Occ.activity_id).label("_parent"),
                        func.row_number()
                        .over(partition_by=col(Occ.activity_id), order_by=(col(Occ.starts_at), col(Occ.id)))
                        .label("_rn"),
                    )
                    .join(m.Activity, col(m.Activity.id) == col(Occ.activity_id))
                    .where(key_in(Occ.activity_id))
                )
                if start is not None:
                    stmt = stmt.where(col(Occ.ends_at) > bindparam("start", type_=inspect(Occ).columns["ends_at"].type))
                if end is not None:
                    stmt = stmt.where(
                        col(Occ.starts_at) < bindparam("end", type_=inspect(Occ).columns["starts_at"].type)
                    )
                sub = stmt.subquery()
                return (
                    select(sub)
                    .where(sub.c["_rn"] <= bindparam("first", type_=Integer))
                    .order_by(sub.c["_parent"], sub.c["_rn"])
                )

            stmt = cached_statement((type(self), start is None, end is None), statement)
            params: dict[str, Any] = {"keys": sorted(set(ids)), "first": first}
            if start is not None:
                params["start"] = start
            if end is not None:
                params["end"] = end
            rows = await self.fetch(stmt, params)
            grouped: defaultdict[int, list[Any]] = defaultdict(list)
            for row in rows:
                grouped[row[n]].append(build(occurrence, row))
            for parent in ids:
                out[(parent, start, end, first)] = grouped.get(parent, [])
        return [out[k] for k in keys]


class ProgressNotesByActivityIdLoader(
    PagesByParentLoader,
    type_path=T + "ProgressNote",
    parent_column=m.ProgressNote.activity_id,
    id_column=m.ProgressNote.id,
):
    """Key: (activity id, page size, after pk) -> a connection of the activity's progress notes."""

    def items(self, target: type, *filters: Any) -> Select[Any]:
        return select(*columns(target, m.ProgressNote))
