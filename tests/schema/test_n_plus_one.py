"""No N+1: the SQL statement count of a deep query does not grow with the data or with the actor.

Control run as one actor, then more rows (plans, activities, partners, occurrences, goals, indicators,
measurements, groups), then the same query as a different actor: the count must not grow. The
second actor differs, so a per-actor cache could not hide extra statements.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, select
from sqlmodel import col

from backend.db import get_async_engine, session_scope
from backend.models import (
    Activity,
    ActivityPartner,
    Agreement,
    AgreementKind,
    Financing,
    FinancingParty,
    FocusArea,
    FollowUpGroup,
    FollowUpGroupEstate,
    Goal,
    GroupMember,
    HousingEstate,
    Indicator,
    Measurement,
    Meeting,
    Occurrence,
    Partner,
    PartnerKind,
    PartnerRole,
    Plan,
    PlanEstate,
    PlanOrganisation,
    PlanStatus,
    ProgressNote,
    ResidentInput,
    UrbanArea,
    Visibility,
    pk,
)
from schema.api import execute

# These run deep queries far above a client's cost limit: they test the executor, not the limits.
pytestmark = pytest.mark.usefixtures("without_cost_limit")

DEEP = """
query Deep {
  plans(first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id name status period { start end }
      urbanArea { name board { name } municipality { name } }
      leadOrganisation { name } organisations { name estates { name } }
      estates { name organisation { name } }
      generation { name focusAreas { name } }
      focusAreas { name }
      strategicAgreement { title versions { version } }
      subAgreements { title focusArea { name } }
      emergencyPlan { title }
      financing { year party budget }
      milestones { title }
      goals { title focusArea { name } indicators { name latest { value } measurements { period value } } }
      activities(first: 50) {
        totalCount
        nodes {
          title focusArea { name } subAgreement { title } plan { name }
          partners { role partner { name kind activities(first: 2) { totalCount } } }
          occurrences(first: 3) { startsAt participantCount }
          progressNotes(first: 5) { totalCount nodes { text author { __typename } } }
        }
      }
      followUpGroups {
        name estates { name } members { displayName role } meetings { startsAt }
        publishedInputs(first: 10) { totalCount nodes { title answers { body } concerns { __typename } } }
        inputs(first: 10) { totalCount nodes { title } }
      }
    } }
  }
  activities(first: 50, filter: {status: ACTIVE}) { totalCount nodes { title partners { partner { name } } } }
  followUpGroups(first: 50) { totalCount nodes { name plan { name } } }
  urbanAreas { nodes { name plans { totalCount nodes { name } } estates { followUpGroups { name } }
    otherEfforts { name } } }
}
"""


@contextmanager
def recorded_statements():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = get_async_engine().sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _count(actor) -> tuple[int, dict]:
    with recorded_statements() as statements:
        result = await execute(DEEP, actor=actor)
    assert result.errors is None, [e.message for e in result.errors]
    assert result.data is not None
    return len(statements), result.data


async def _add_rows() -> None:
    """Two more public plans with activities, partners, occurrences, goals and a follow-up group."""
    tag = uuid.uuid4().hex[:8]
    now = datetime.now(UTC)
    async with session_scope() as session:
        area = (await session.execute(select(UrbanArea).order_by(col(UrbanArea.id)))).scalars().first()
        template = (await session.execute(select(Plan).where(col(Plan.status) == PlanStatus.ACTIVE))).scalars().first()
        assert area is not None and template is not None  # the demo data has both
        focus = (
            (await session.execute(select(FocusArea).where(col(FocusArea.generation_id) == template.generation_id)))
            .scalars()
            .first()
        )
        estate = (await session.execute(select(HousingEstate).order_by(col(HousingEstate.id)))).scalars().first()
        assert focus is not None and estate is not None  # the demo data has both
        for p in range(2):
            plan = Plan(
                name=f"N+1-plan {tag} {p}",
                status=PlanStatus.ACTIVE,
                start_date=date(2025, 1, 1),
                end_date=date(2028, 12, 31),
                generation_id=template.generation_id,
                urban_area_id=pk(area),
                board_id=template.board_id,
                lead_organisation_id=template.lead_organisation_id,
            )
            session.add(plan)
            await session.flush()
            session.add(PlanOrganisation(plan_id=pk(plan), organisation_id=template.lead_organisation_id))
            session.add(PlanEstate(plan_id=pk(plan), estate_id=pk(estate)))
            session.add(Agreement(plan_id=pk(plan), kind=AgreementKind.STRATEGIC, title=f"Aftale {tag}"))
            session.add(
                Agreement(
                    plan_id=pk(plan),
                    kind=AgreementKind.SUB_AGREEMENT,
                    focus_area_id=pk(focus),
                    title=f"Delaftale {tag}",
                )
            )
            for party, share in (
                (FinancingParty.LANDSBYGGEFONDEN, 75),
                (FinancingParty.MUNICIPALITY, 12.5),
                (FinancingParty.HOUSING_ORGANISATION, 12.5),
            ):
                session.add(
                    Financing(
                        plan_id=pk(plan),
                        year=2026,
                        party=party,
                        share_percent=Decimal(str(share)),
                        budget=Decimal("1000"),
                        spent=Decimal("0"),
                    )
                )
            for g in range(2):
                goal = Goal(plan_id=pk(plan), focus_area_id=pk(focus), title=f"Mål {tag} {g}")
                session.add(goal)
                await session.flush()
                for i in range(2):
                    indicator = Indicator(goal_id=pk(goal), name=f"Indikator {tag} {i}", unit="pct.")
                    session.add(indicator)
                    await session.flush()
                    for y in range(3):
                        session.add(Measurement(indicator_id=pk(indicator), period=date(2025 + y, 12, 31), value=y))
            partners = []
            for k in range(3):
                partner = Partner(name=f"Partner {tag} {p} {k}", kind=PartnerKind.ASSOCIATION)
                session.add(partner)
                partners.append(partner)
            await session.flush()
            for a in range(4):
                activity = Activity(
                    plan_id=pk(plan),
                    focus_area_id=pk(focus),
                    title=f"Aktivitet {tag} {a}",
                    visibility=Visibility.PUBLIC if a % 2 == 0 else Visibility.INTERNAL,
                )
                session.add(activity)
                await session.flush()
                for k, partner in enumerate(partners):
                    session.add(
                        ActivityPartner(
                            activity_id=pk(activity),
                            partner_id=pk(partner),
                            role=PartnerRole.RESPONSIBLE if k == 0 else PartnerRole.CONTRIBUTING,
                        )
                    )
                for o in range(4):
                    start = now + timedelta(days=7 * o)
                    session.add(
                        Occurrence(
                            activity_id=pk(activity),
                            starts_at=start,
                            ends_at=start + timedelta(hours=2),
                            participant_count=o,
                        )
                    )
                session.add(
                    ProgressNote(activity_id=pk(activity), text=f"Note {tag}", author_partner_id=partners[0].id)
                )
            group = FollowUpGroup(plan_id=pk(plan), name=f"Følgegruppe {tag} {p}")
            session.add(group)
            await session.flush()
            session.add(FollowUpGroupEstate(group_id=pk(group), estate_id=pk(estate)))
            session.add(GroupMember(group_id=pk(group), display_name=f"Medlem {tag}", role="medlem"))
            session.add(Meeting(group_id=pk(group), starts_at=now))
            for n in range(3):
                session.add(
                    ResidentInput(
                        group_id=pk(group),
                        title=f"Input {tag} {n}",
                        body="...",
                        published=n == 0,
                        concerns_focus_area_id=focus.id,
                    )
                )


async def test_deep_query_statement_count_does_not_grow(actor):
    control, before = await _count(await actor("fsb-medarbejder"))
    await _add_rows()
    other, after = await _count(await actor("kommune-tmf"))
    assert after["plans"]["totalCount"] > before["plans"]["totalCount"]
    assert other <= control, f"{control} statements before, {other} after adding rows"
    # One request uses a handful of set-based statements, not one per row.
    assert control < 60, control


async def test_anonymous_deep_query_is_set_based():
    count, data = await _count(None)
    assert data["plans"]["totalCount"] >= 4
    assert count < 60, count
