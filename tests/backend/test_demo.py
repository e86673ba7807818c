"""The demo data: real names, enough of everything, and loading only into an empty database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from backend import demo, rules
from backend.db import get_sync_engine
from backend.models import (
    Account,
    Activity,
    ActivityPartner,
    Board,
    BoardLevel,
    Financing,
    FocusArea,
    FollowUpGroup,
    HousingOrganisation,
    Municipality,
    Occurrence,
    Partner,
    Plan,
    PlanStatus,
    Residency,
    UrbanArea,
    Visibility,
)


def count(session, stmt) -> int:
    return session.execute(stmt).scalar_one()


def demo_plans(s):
    """The demo's own plans (other tests add plans in municipalities of their own)."""
    return (
        select(Plan)
        .join(UrbanArea, UrbanArea.id == Plan.urban_area_id)
        .join(Municipality, Municipality.id == UrbanArea.municipality_id)
        .where(Municipality.code == "101")
    )


def test_demo_has_the_required_shape():
    with Session(get_sync_engine()) as s:
        plans = s.execute(demo_plans(s)).scalars().all()
        plan_ids = [p.id for p in plans]
        names = {p.name for p in plans}
        assert "Amagerplanen" in names and "NørreBrobyggerne" in names
        assert any(n.startswith("Boligsocial helhedsplan Tingbjerg & Utterslevhuse") for n in names)
        today = date.today()
        active = [p for p in plans if p.status == PlanStatus.ACTIVE and p.start_date <= today <= p.end_date]
        assert len(active) >= 4
        assert len({p.urban_area_id for p in plans}) >= 3
        assert any(p.status == PlanStatus.PREQUALIFIED for p in plans)

        levels = [b.level for b in s.execute(select(Board)).scalars()]
        assert levels.count(BoardLevel.CITY) == 1 and levels.count(BoardLevel.DISTRICT) == 5

        cvrs = {o.short_name: o.cvr for o in s.execute(select(HousingOrganisation)).scalars()}
        assert cvrs["fsb"] == "10000001" and cvrs["3B"] == "10000003" and cvrs["DFB"] == "10000009"

        in_demo = Activity.plan_id.in_(plan_ids)
        assert count(s, select(func.count()).select_from(Activity).where(in_demo)) >= 40
        internal = count(
            s, select(func.count()).select_from(Activity).where(in_demo, Activity.visibility == Visibility.INTERNAL)
        )
        assert internal >= 1
        now = datetime.now(UTC)
        coming = count(
            s,
            select(func.count())
            .select_from(Occurrence)
            .join(Activity, Activity.id == Occurrence.activity_id)
            .where(in_demo, Occurrence.starts_at >= now, Occurrence.starts_at < now + timedelta(weeks=4)),
        )
        assert coming >= 40
        assert count(s, select(func.count()).select_from(FollowUpGroup).where(FollowUpGroup.plan_id.in_(plan_ids))) >= 4


def test_demo_partners_match_the_demo_accounts():
    with Session(get_sync_engine()) as s:
        library = s.execute(select(Partner).where(Partner.cvr == "20000001")).scalar_one()
        assert library.name == "Tingbjerg Bibliotek"
        tingbjerg_activities = count(
            s,
            select(func.count())
            .select_from(ActivityPartner)
            .join(Activity, Activity.id == ActivityPartner.activity_id)
            .join(Plan, Plan.id == Activity.plan_id)
            .where(ActivityPartner.partner_id == library.id, Plan.name.like("%Tingbjerg%")),
        )
        assert tingbjerg_activities >= 3
        assert s.execute(select(Partner).where(Partner.cvr == "20000002")).scalar_one().name == "SSP København"

        residents = {a.subject: a for a in s.execute(select(Account).where(Account.issuer == "dev-borger")).scalars()}
        assert set(residents) >= {"beboer-tingbjerg", "beboer-urbanplanen", "beboer-ny"}
        homes = {r.account_id for r in s.execute(select(Residency)).scalars()}
        assert residents["beboer-tingbjerg"].id in homes and residents["beboer-ny"].id not in homes


def test_demo_obeys_the_rules():
    with Session(get_sync_engine()) as s:
        # the demo's own plans (other tests add plans of their own municipalities)
        rows = s.execute(
            select(Financing.plan_id, Financing.year, Financing.party, Financing.share_percent)
            .join(Plan, Plan.id == Financing.plan_id)
            .join(UrbanArea, UrbanArea.id == Plan.urban_area_id)
            .join(Municipality, Municipality.id == UrbanArea.municipality_id)
            .where(Municipality.code == "101")
        ).all()
        years: dict = {}
        for plan_id, year, party, share in rows:
            years.setdefault((plan_id, year), []).append((party, share))
        assert years
        for split in years.values():
            assert rules.financing_problems(split) == []
        mismatched = s.execute(
            select(func.count())
            .select_from(Activity)
            .join(Plan, Plan.id == Activity.plan_id)
            .join(FocusArea, FocusArea.id == Activity.focus_area_id)
            .where(FocusArea.generation_id != Plan.generation_id)
        ).scalar_one()
        assert mismatched == 0


def test_loading_again_does_nothing():
    before = None
    with Session(get_sync_engine()) as s:
        before = count(s, select(func.count()).select_from(Activity))
    assert demo.load_if_empty() is False
    with Session(get_sync_engine()) as s:
        assert count(s, select(func.count()).select_from(Activity)) == before
