"""A small world of its own per test: two plans of two housing organisations in a fresh municipality,
with a follow-up group each, a partner activity, and one account of every actor kind.

Names are unique per world, so tests never disturb each other or the demo data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import col

from backend.actor import Actor, load_actor
from backend.db import new_session
from backend.models import (
    Account,
    Activity,
    ActivityPartner,
    ActorKind,
    Agreement,
    AgreementKind,
    FinancingParty,
    FocusArea,
    FollowUpGroup,
    FollowUpGroupEstate,
    FundingGeneration,
    Goal,
    HousingEstate,
    HousingOrganisation,
    Indicator,
    Measurement,
    Milestone,
    Municipality,
    Occurrence,
    Partner,
    PartnerKind,
    PartnerRole,
    Plan,
    PlanEstate,
    PlanOrganisation,
    PlanStatus,
    Residency,
    UrbanArea,
    pk,
)
from backend.models import Financing as FinancingRow

BASE_YEAR = 2024  # the financing every world's plans start with; tests write other years

ACTOR_KINDS = (
    "anonymous",
    "resident",  # lives in an estate of the plan's group
    "other_resident",  # lives in an estate of the other plan
    "partner",  # partner of the plan's activity
    "other_partner",
    "housing",  # housing staff of the plan
    "other_housing",  # housing staff of the other plan
    "municipality",
    "fund",
)


@dataclass
class World:
    tag: str
    municipality_id: int = 0
    urban_area_id: int = 0
    generation_id: int = 0
    focus_area_id: int = 0
    other_generation_focus_area_id: int = 0
    org_id: int = 0
    other_org_id: int = 0
    estate_id: int = 0
    other_estate_id: int = 0
    plan_id: int = 0
    other_plan_id: int = 0
    group_id: int = 0
    other_group_id: int = 0
    activity_id: int = 0
    other_activity_id: int = 0  # in the same plan, without the partner
    past_occurrence_id: int = 0
    future_occurrence_id: int = 0
    partner_id: int = 0
    other_partner_id: int = 0
    goal_id: int = 0
    indicator_id: int = 0
    generation_ids: list[int] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
    accounts: dict[str, int] = field(default_factory=dict)
    actors: dict[str, Actor | None] = field(default_factory=dict)

    def actor(self, kind: str) -> Actor | None:
        return self.actors[kind]


async def build_world(*, plan_status: PlanStatus = PlanStatus.ACTIVE, with_numbers: bool = False) -> World:
    tag = uuid.uuid4().hex[:8]
    w = World(tag=tag)
    now = datetime.now(UTC)
    async with new_session() as s:

        def add(obj):
            s.add(obj)
            return obj

        muni = add(Municipality(name=f"Testkommune {tag}", code=f"t{tag[:7]}"))
        await s.flush()
        area = add(UrbanArea(name=f"Byområde {tag}", slug=f"omraade-{tag}", municipality_id=muni.id))
        gen = add(FundingGeneration(name=f"G{tag}", start_year=2019, end_year=2030))
        other_gen = add(FundingGeneration(name=f"H{tag}", start_year=2011, end_year=2014))
        org = add(HousingOrganisation(name=f"Boligselskab {tag}", short_name=f"B{tag}"))
        other_org = add(HousingOrganisation(name=f"Andet boligselskab {tag}", short_name=f"A{tag}"))
        partner = add(Partner(name=f"Bibliotek {tag}", kind=PartnerKind.OTHER))
        other_partner = add(Partner(name=f"Klub {tag}", kind=PartnerKind.ASSOCIATION))
        await s.flush()
        fa = add(FocusArea(name="Uddannelse og livschancer", generation_id=gen.id))
        ofa = add(FocusArea(name="Sundhed", generation_id=other_gen.id))
        estate = add(
            HousingEstate(
                name=f"Afdeling {tag}",
                department_number=f"d{tag}",
                homes=300,
                organisation_id=org.id,
                urban_area_id=area.id,
            )
        )
        other_estate = add(
            HousingEstate(
                name=f"Anden afdeling {tag}",
                department_number=f"e{tag}",
                homes=200,
                organisation_id=other_org.id,
                urban_area_id=area.id,
            )
        )
        await s.flush()
        plans = []
        for o, e in ((org, estate), (other_org, other_estate)):
            p = add(
                Plan(
                    name=f"Helhedsplan {tag} {o.short_name}",
                    status=plan_status,
                    start_date=date(2024, 1, 1),
                    end_date=date(2027, 12, 31),
                    generation_id=gen.id,
                    urban_area_id=area.id,
                    lead_organisation_id=o.id,
                )
            )
            await s.flush()
            add(PlanOrganisation(plan_id=p.id, organisation_id=o.id))
            add(PlanEstate(plan_id=p.id, estate_id=e.id))
            # Like every real plan: an approved strategic agreement and a first year's financing.
            add(
                Agreement(
                    plan_id=p.id, kind=AgreementKind.STRATEGIC, title="Strategisk samarbejdsaftale", approved_at=now
                )
            )
            for party, share in (
                (FinancingParty.LANDSBYGGEFONDEN, "75"),
                (FinancingParty.MUNICIPALITY, "12.5"),
                (FinancingParty.HOUSING_ORGANISATION, "12.5"),
            ):
                add(
                    FinancingRow(
                        plan_id=p.id,
                        year=BASE_YEAR,
                        party=party,
                        share_percent=Decimal(share),
                        budget=Decimal(share) * 10000,
                        spent=Decimal("0"),
                    )
                )
            plans.append(p)
        plan, other_plan = plans
        group = add(FollowUpGroup(plan_id=plan.id, name=f"Følgegruppe {tag}"))
        other_group = add(FollowUpGroup(plan_id=other_plan.id, name=f"Anden følgegruppe {tag}"))
        act = add(Activity(plan_id=plan.id, focus_area_id=fa.id, title=f"Lektiecafé {tag}", languages=["da"]))
        other_act = add(Activity(plan_id=plan.id, focus_area_id=fa.id, title=f"Fritidsjob {tag}", languages=["da"]))
        await s.flush()
        add(FollowUpGroupEstate(group_id=group.id, estate_id=estate.id))
        add(FollowUpGroupEstate(group_id=other_group.id, estate_id=other_estate.id))
        add(ActivityPartner(activity_id=act.id, partner_id=partner.id, role=PartnerRole.RESPONSIBLE))
        add(ActivityPartner(activity_id=other_act.id, partner_id=other_partner.id, role=PartnerRole.CONTRIBUTING))
        past = add(
            Occurrence(
                activity_id=act.id,
                starts_at=now - timedelta(days=7),
                ends_at=now - timedelta(days=7) + timedelta(hours=2),
            )
        )
        future = add(
            Occurrence(activity_id=act.id, starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=2))
        )
        goal = add(Goal(plan_id=plan.id, title="Flere unge i uddannelse", focus_area_id=fa.id))
        await s.flush()
        ind = add(
            Indicator(goal_id=goal.id, name="Andel 18-24-årige i uddannelse", unit="%", baseline=50.0, target=60.0)
        )
        await s.flush()

        if with_numbers:
            year = 2025
            for party, share, budget, spent in (
                (FinancingParty.LANDSBYGGEFONDEN, "75", "3000000", "2700000"),
                (FinancingParty.MUNICIPALITY, "12.5", "500000", "450000"),
                (FinancingParty.HOUSING_ORGANISATION, "12.5", "500000", "480000.50"),
            ):
                add(
                    FinancingRow(
                        plan_id=plan.id,
                        year=year,
                        party=party,
                        share_percent=Decimal(share),
                        budget=Decimal(budget),
                        spent=Decimal(spent),
                    )
                )
            add(Measurement(indicator_id=ind.id, period=date(2024, 12, 31), value=52.0))
            add(Measurement(indicator_id=ind.id, period=date(2025, 12, 31), value=55.5))
            add(Measurement(indicator_id=ind.id, period=date(2026, 6, 30), value=57.0))  # after the report year
            for day, count, cancelled in ((3, 12, False), (10, 8, False), (17, 5, True), (24, None, False)):
                start = datetime(year, 3, day, 15, tzinfo=UTC)
                add(
                    Occurrence(
                        activity_id=other_act.id,
                        starts_at=start,
                        ends_at=start + timedelta(hours=2),
                        participant_count=count,
                        cancelled=cancelled,
                    )
                )
            add(
                Occurrence(
                    activity_id=other_act.id,
                    starts_at=datetime(2024, 3, 1, 15, tzinfo=UTC),
                    ends_at=datetime(2024, 3, 1, 17, tzinfo=UTC),
                    participant_count=100,
                )
            )
            add(Milestone(plan_id=plan.id, year=year + 1, title="Evaluering af lektiecaféen"))
            add(Milestone(plan_id=plan.id, year=year + 1, title="Ny delaftale om beskæftigelse"))
            add(Milestone(plan_id=plan.id, year=year, title="Opstart af fritidsjob"))

        def account(kind: ActorKind, name: str, **refs) -> Account:
            return add(Account(issuer="test", subject=f"{name}-{tag}", kind=kind, display_name=name, **refs))

        accounts = {
            "resident": account(ActorKind.RESIDENT, "Beboer"),
            "other_resident": account(ActorKind.RESIDENT, "Anden beboer"),
            "partner": account(ActorKind.PARTNER, "Partner", partner_id=partner.id),
            "other_partner": account(ActorKind.PARTNER, "Anden partner", partner_id=other_partner.id),
            "housing": account(ActorKind.HOUSING_ORGANISATION, "Medarbejder", housing_organisation_id=org.id),
            "other_housing": account(
                ActorKind.HOUSING_ORGANISATION, "Anden medarbejder", housing_organisation_id=other_org.id
            ),
            "municipality": account(ActorKind.MUNICIPALITY, "Kommune", municipality_id=muni.id),
            "fund": account(ActorKind.FUND, "Landsbyggefonden"),
        }
        await s.flush()
        add(
            Residency(
                account_id=pk(accounts["resident"]), estate_id=pk(estate), since=date(2020, 1, 1), confirmed_by="STAFF"
            )
        )
        add(
            Residency(
                account_id=pk(accounts["other_resident"]),
                estate_id=other_estate.id,
                since=date(2020, 1, 1),
                confirmed_by="STAFF",
            )
        )
        await s.commit()

        w.municipality_id, w.urban_area_id, w.generation_id = muni.id, area.id, gen.id
        w.generation_ids = [gen.id, other_gen.id]
        w.focus_area_id, w.other_generation_focus_area_id = fa.id, ofa.id
        w.org_id, w.other_org_id, w.estate_id, w.other_estate_id = org.id, other_org.id, estate.id, other_estate.id
        w.plan_id, w.other_plan_id, w.group_id, w.other_group_id = plan.id, other_plan.id, group.id, other_group.id
        w.activity_id, w.other_activity_id = act.id, other_act.id
        w.past_occurrence_id, w.future_occurrence_id = past.id, future.id
        w.partner_id, w.other_partner_id = partner.id, other_partner.id
        w.partner_ids = [partner.id, other_partner.id]
        w.goal_id, w.indicator_id = goal.id, ind.id
        w.accounts = {k: pk(a) for k, a in accounts.items()}
        w.actors = {"anonymous": None}
        for kind, acc in accounts.items():
            w.actors[kind] = await load_actor(s, acc)
    BUILT.append(w)
    return w


BUILT: list[World] = []  # worlds of the running test, dropped after it (see drop_built_worlds)


async def drop_world(w: World) -> None:
    """Delete a world and everything written in it, so other tests see the demo data only.

    Plans go first (their parts cascade), then accounts (residencies and sessions cascade), then the
    shared things the world made for itself. Audit events stay: the log outlives what it describes.
    """
    from sqlalchemy import delete, or_

    orgs = [w.org_id, w.other_org_id]
    async with new_session() as s:
        await s.execute(
            delete(Plan).where(
                or_(col(Plan.urban_area_id) == w.urban_area_id, col(Plan.lead_organisation_id).in_(orgs))
            )
        )
        await s.execute(delete(Account).where(col(Account.id).in_(list(w.accounts.values()))))
        await s.execute(delete(HousingEstate).where(col(HousingEstate.organisation_id).in_(orgs)))
        await s.execute(delete(Partner).where(col(Partner.id).in_(w.partner_ids)))
        await s.execute(delete(HousingOrganisation).where(col(HousingOrganisation.id).in_(orgs)))
        await s.execute(delete(FundingGeneration).where(col(FundingGeneration.id).in_(w.generation_ids)))
        await s.execute(delete(UrbanArea).where(col(UrbanArea.id) == w.urban_area_id))
        await s.execute(delete(Municipality).where(col(Municipality.id) == w.municipality_id))
        await s.commit()


async def drop_built_worlds() -> None:
    while BUILT:
        await drop_world(BUILT.pop())


async def call(fn, **kwargs):
    """Run one service call in its own transaction, as the API does: commit on success, roll back on error."""
    async with new_session() as s:
        try:
            result = await fn(session=s, **kwargs)
            await s.commit()
            return result
        except BaseException:
            await s.rollback()
            raise


async def fetch(model, pk):
    async with new_session() as s:
        return await s.get(model, pk)


async def scalar(statement):
    async with new_session() as s:
        return (await s.execute(statement)).scalar()
