"""Who is asking: the signed-in actor that every policy decision is about.

An actor carries its scope (which plans it works on, which activities its organisation takes part
in, which follow-up groups it may give input to), loaded once per request by `load_actor`, so
that every rule in backend/policy.py is a pure function and list queries can filter in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import clock
from backend.models import (
    Account,
    ActivityPartner,
    ActorKind,
    FollowUpGroupEstate,
    Plan,
    PlanOrganisation,
    Residency,
    UrbanArea,
    pk,
)


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    account_id: int
    display_name: str
    housing_organisation_id: int | None = None  # housing organisation staff
    partner_id: int | None = None  # partner organisation staff
    municipality_id: int | None = None  # municipality staff
    # Scope, filled in by load_actor:
    plan_ids: frozenset[int] = field(default_factory=frozenset)  # plans this actor is staff of
    activity_ids: frozenset[int] = field(default_factory=frozenset)  # partner: its activities
    estate_ids: frozenset[int] = field(default_factory=frozenset)  # resident: where they live now
    group_ids: frozenset[int] = field(default_factory=frozenset)  # resident: groups of those estates

    @property
    def is_staff(self) -> bool:
        return self.kind in (ActorKind.HOUSING_ORGANISATION, ActorKind.MUNICIPALITY)


def residency_current(day: date | ColumnElement[date]) -> ColumnElement[bool]:
    """SQL: the residency grants its rights on `day` (a date, or a parameter of a statement built once).

    `until` is the day the residency ends: from the start of that day (Copenhagen) it grants
    nothing. Ending a residency today (the default) therefore ends it at once, for the actor,
    the services and live connections alike; a future date ends it at that day's midnight.
    """
    return and_(col(Residency.since) <= day, or_(col(Residency.until).is_(None), col(Residency.until) > day))


def residency_ended(until: date | None, day: date) -> bool:
    """The same rule in Python: a residency with this end has ended by `day`."""
    return until is not None and until <= day


def actor_from_account(account: Account) -> Actor:
    return Actor(
        kind=account.kind,
        account_id=pk(account),
        display_name=account.display_name,
        housing_organisation_id=account.housing_organisation_id,
        partner_id=account.partner_id,
        municipality_id=account.municipality_id,
    )


async def load_actor(session: AsyncSession, account: Account, *, today: date | None = None) -> Actor:
    """The actor of an account with its scope, in at most two queries."""
    actor = actor_from_account(account)
    today = today or clock.today()
    if actor.kind == ActorKind.HOUSING_ORGANISATION and actor.housing_organisation_id:
        rows = await session.execute(
            select(col(PlanOrganisation.plan_id)).where(
                col(PlanOrganisation.organisation_id) == actor.housing_organisation_id
            )
        )
        return replace(actor, plan_ids=frozenset(r[0] for r in rows))
    if actor.kind == ActorKind.MUNICIPALITY and actor.municipality_id:
        rows = await session.execute(
            select(col(Plan.id))
            .join(UrbanArea, col(UrbanArea.id) == col(Plan.urban_area_id))
            .where(col(UrbanArea.municipality_id) == actor.municipality_id)
        )
        return replace(actor, plan_ids=frozenset(r[0] for r in rows))
    if actor.kind == ActorKind.PARTNER and actor.partner_id:
        rows = await session.execute(
            select(col(ActivityPartner.activity_id)).where(col(ActivityPartner.partner_id) == actor.partner_id)
        )
        return replace(actor, activity_ids=frozenset(r[0] for r in rows))
    if actor.kind == ActorKind.RESIDENT:
        homes = (
            await session.execute(
                select(col(Residency.estate_id), col(FollowUpGroupEstate.group_id))
                .outerjoin(FollowUpGroupEstate, col(FollowUpGroupEstate.estate_id) == col(Residency.estate_id))
                .where(col(Residency.account_id) == actor.account_id, residency_current(today))
            )
        ).all()
        return replace(
            actor,
            # estate_id is NOT NULL; sqlmodel types a foreign key that has a default as optional
            estate_ids=frozenset(r[0] for r in homes if r[0] is not None),
            group_ids=frozenset(r[1] for r in homes if r[1] is not None),
        )
    return actor
