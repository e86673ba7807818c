"""The domain's constraints hold in the database (or, where a rule spans rows, in backend/rules.py):
financing split, focus area of the plan's generation, ordered periods, and no orphaned rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import ForeignKeyConstraint, delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from backend import rules
from backend.db import get_async_engine, get_sync_engine
from backend.models import (
    Account,
    Activity,
    ActivityPartner,
    ActorKind,
    Agreement,
    AgreementKind,
    Financing,
    FinancingParty,
    FocusArea,
    FollowUpGroup,
    FollowUpGroupEstate,
    FundingGeneration,
    Goal,
    GroupMember,
    HousingEstate,
    HousingOrganisation,
    Indicator,
    InputAnswer,
    Measurement,
    Meeting,
    Milestone,
    Municipality,
    Occurrence,
    Partner,
    PartnerKind,
    PartnerRole,
    Plan,
    PlanEstate,
    PlanOrganisation,
    Residency,
    ResidentInput,
    UrbanArea,
)

LBF, KOMMUNE, BOLIG = FinancingParty.LANDSBYGGEFONDEN, FinancingParty.MUNICIPALITY, FinancingParty.HOUSING_ORGANISATION
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@dataclass
class Small:
    """A municipality of its own with two generations, one plan and one estate (unique names)."""

    municipality: int
    organisation: int
    estate: int
    area: int
    plan: int
    own_focus: int  # a focus area of the plan's generation
    other_focus: int  # a focus area of another generation
    other_generation: int
    partner: int


@pytest.fixture
def db():
    with Session(get_sync_engine()) as session:
        yield session
        session.rollback()


def make_small(s: Session) -> Small:
    tag = uuid.uuid4().hex[:8]

    def add(obj):
        s.add(obj)
        s.flush()
        return obj

    m = add(Municipality(name=f"Testkommune {tag}", code=tag))
    g1 = add(FundingGeneration(name=f"A-{tag}", start_year=2019, end_year=2026))
    g2 = add(FundingGeneration(name=f"B-{tag}", start_year=2015, end_year=2018))
    f1 = add(FocusArea(name="Beskæftigelse", generation_id=g1.id))
    f2 = add(FocusArea(name="Tryghed og trivsel", generation_id=g2.id))
    org = add(HousingOrganisation(name=f"Boligselskab {tag}", short_name=tag))
    area = add(UrbanArea(name=f"Område {tag}", slug=f"omraade-{tag}", municipality_id=m.id))
    estate = add(
        HousingEstate(
            name=f"Afdeling {tag}", department_number="1", homes=100, organisation_id=org.id, urban_area_id=area.id
        )
    )
    plan = add(
        Plan(
            name=f"Plan {tag}",
            start_date=date(2025, 1, 1),
            end_date=date(2028, 12, 31),
            generation_id=g1.id,
            urban_area_id=area.id,
            lead_organisation_id=org.id,
        )
    )
    partner = add(Partner(name=f"Forening {tag}", kind=PartnerKind.ASSOCIATION))
    s.add(PlanOrganisation(plan_id=plan.id, organisation_id=org.id))
    s.add(PlanEstate(plan_id=plan.id, estate_id=estate.id))
    s.commit()
    return Small(m.id, org.id, estate.id, area.id, plan.id, f1.id, f2.id, g2.id, partner.id)


def refused(s: Session, *objs) -> bool:
    """True when the database refuses to store the objects (the session is rolled back)."""
    try:
        s.add_all(objs)
        s.flush()
    except IntegrityError:
        s.rollback()
        return True
    s.rollback()
    return False


# ---------------------------------------------------------------- financing
def test_financing_rules_accept_the_standard_split():
    assert rules.financing_problems([(LBF, Decimal("75")), (KOMMUNE, Decimal("12.5")), (BOLIG, Decimal("12.5"))]) == []
    assert rules.financing_problems([(LBF, Decimal("50")), (KOMMUNE, Decimal("25")), (BOLIG, Decimal("25"))]) == []


@pytest.mark.parametrize(
    "split, words",
    [
        ([(LBF, "75"), (KOMMUNE, "12.5"), (BOLIG, "12")], "not 100"),
        ([(LBF, "75"), (KOMMUNE, "12.5"), (BOLIG, "13")], "not 100"),
        ([(LBF, "80"), (KOMMUNE, "10"), (BOLIG, "10")], "more than 75"),
        ([(LBF, "40"), (LBF, "40"), (KOMMUNE, "20")], "more than 75"),
        ([], "not 100"),
    ],
)
def test_financing_rules_refuse_a_wrong_split(split, words):
    problems = rules.financing_problems([(p, Decimal(s)) for p, s in split])
    assert any(words in p for p in problems), problems


def test_database_refuses_lbf_over_75_percent(db):
    small = make_small(db)
    assert refused(db, Financing(plan_id=small.plan, year=2026, party=LBF, share_percent=Decimal("75.01")))
    assert refused(db, Financing(plan_id=small.plan, year=2026, party=KOMMUNE, share_percent=Decimal("101")))
    assert refused(db, Financing(plan_id=small.plan, year=2026, party=KOMMUNE, share_percent=Decimal("-1")))
    assert refused(db, Financing(plan_id=small.plan, year=2026, party=KOMMUNE, budget=Decimal("-5")))
    assert not refused(db, Financing(plan_id=small.plan, year=2026, party=LBF, share_percent=Decimal("75")))


def test_database_refuses_the_same_party_twice_in_a_year(db):
    small = make_small(db)
    db.add(Financing(plan_id=small.plan, year=2026, party=LBF, share_percent=Decimal("75")))
    db.commit()
    assert refused(db, Financing(plan_id=small.plan, year=2026, party=LBF, share_percent=Decimal("10")))


# ---------------------------------------------------------------- focus area of the plan's generation
def test_rule_focus_area_fits_plan():
    assert rules.focus_area_fits_plan(3, 3)
    assert not rules.focus_area_fits_plan(2, 3)


def test_database_refuses_a_focus_area_of_another_generation(db):
    small = make_small(db)
    assert refused(db, Activity(plan_id=small.plan, focus_area_id=small.other_focus, title="Forkert"))
    assert refused(db, Goal(plan_id=small.plan, focus_area_id=small.other_focus, title="Forkert"))
    assert refused(
        db,
        Agreement(
            plan_id=small.plan, kind=AgreementKind.SUB_AGREEMENT, focus_area_id=small.other_focus, title="Forkert"
        ),
    )
    assert not refused(db, Activity(plan_id=small.plan, focus_area_id=small.own_focus, title="Rigtig"))
    assert not refused(db, Goal(plan_id=small.plan, focus_area_id=None, title="Uden indsatsområde"))


def test_database_refuses_moving_a_row_to_a_focus_area_of_another_generation(db):
    small = make_small(db)
    activity = Activity(plan_id=small.plan, focus_area_id=small.own_focus, title="Lektiecafé")
    db.add(activity)
    db.commit()
    activity.focus_area_id = small.other_focus
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_database_refuses_moving_a_plan_or_focus_area_to_another_generation(db):
    small = make_small(db)
    db.add(Activity(plan_id=small.plan, focus_area_id=small.own_focus, title="Lektiecafé"))
    db.commit()
    with pytest.raises(IntegrityError):
        db.execute(
            text("UPDATE plan SET generation_id = :g WHERE id = :p"), {"g": small.other_generation, "p": small.plan}
        )
    db.rollback()
    with pytest.raises(IntegrityError):
        db.execute(
            text("UPDATE focusarea SET generation_id = :g WHERE id = :f"),
            {"g": small.other_generation, "f": small.own_focus},
        )
    db.rollback()


def test_a_plan_without_rows_may_change_generation(db):
    small = make_small(db)
    db.execute(text("UPDATE plan SET generation_id = :g WHERE id = :p"), {"g": small.other_generation, "p": small.plan})
    moved = db.execute(text("SELECT generation_id FROM plan WHERE id = :p"), {"p": small.plan}).scalar_one()
    assert moved == small.other_generation
    db.rollback()


# ---------------------------------------------------------------- periods
def test_database_refuses_periods_that_end_before_they_start(db):
    small = make_small(db)
    plan = db.get(Plan, small.plan)
    common = dict(generation_id=plan.generation_id, urban_area_id=small.area, lead_organisation_id=small.organisation)
    assert refused(db, Plan(name="Baglæns", start_date=date(2026, 1, 1), end_date=date(2025, 1, 1), **common))
    assert refused(db, Plan(name="Nul dage", start_date=date(2026, 1, 1), end_date=date(2026, 1, 1), **common))
    activity = Activity(plan_id=small.plan, focus_area_id=small.own_focus, title="Aktivitet")
    db.add(activity)
    db.commit()
    assert refused(db, Occurrence(activity_id=activity.id, starts_at=NOW, ends_at=NOW - timedelta(hours=1)))
    assert refused(db, Occurrence(activity_id=activity.id, starts_at=NOW, ends_at=NOW))
    assert not refused(db, Occurrence(activity_id=activity.id, starts_at=NOW, ends_at=NOW + timedelta(hours=1)))
    assert refused(db, FundingGeneration(name=f"X-{uuid.uuid4().hex[:8]}", start_year=2020, end_year=2019))
    account = Account(issuer="test", subject=uuid.uuid4().hex, kind=ActorKind.RESIDENT, display_name="Test")
    db.add(account)
    db.commit()
    assert refused(
        db,
        Residency(
            account_id=account.id,
            estate_id=small.estate,
            since=date(2025, 1, 1),
            until=date(2024, 1, 1),
            confirmed_by="STAFF",
        ),
    )


# ---------------------------------------------------------------- no orphans
def test_foreign_keys_are_enforced_on_every_connection(db):
    if get_sync_engine().dialect.name == "sqlite":
        assert db.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    assert refused(db, Activity(plan_id=10**9, focus_area_id=10**9, title="Forældreløs"))


async def test_async_connections_enforce_foreign_keys_too():
    engine = get_async_engine()
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL always enforces foreign keys")
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1


def _plan_with_every_part(db: Session, small: Small) -> dict[type, list[int]]:
    """Add one row of every kind that belongs to the plan; returns their ids by table."""
    made: dict[type, list[int]] = {}

    def add(obj):
        db.add(obj)
        db.flush()
        made.setdefault(type(obj), []).append(getattr(obj, "id", None))
        return obj

    sub = add(
        Agreement(
            plan_id=small.plan, kind=AgreementKind.SUB_AGREEMENT, focus_area_id=small.own_focus, title="Delaftale"
        )
    )
    add(Agreement(plan_id=small.plan, kind=AgreementKind.EMERGENCY_PLAN, title="Beredskabsplan"))
    goal = add(Goal(plan_id=small.plan, focus_area_id=small.own_focus, title="Mål"))
    indicator = add(Indicator(goal_id=goal.id, name="Andel", unit="%"))
    add(Measurement(indicator_id=indicator.id, period=date(2025, 12, 31), value=1.0))
    add(Financing(plan_id=small.plan, year=2026, party=LBF, share_percent=Decimal("75")))
    add(Milestone(plan_id=small.plan, year=2026, title="Årsrapport"))
    activity = add(Activity(plan_id=small.plan, focus_area_id=small.own_focus, agreement_id=sub.id, title="Lektiecafé"))
    db.add(ActivityPartner(activity_id=activity.id, partner_id=small.partner, role=PartnerRole.RESPONSIBLE))
    add(Occurrence(activity_id=activity.id, starts_at=NOW, ends_at=NOW + timedelta(hours=2)))
    group = add(FollowUpGroup(plan_id=small.plan, name="Følgegruppe"))
    db.add(FollowUpGroupEstate(group_id=group.id, estate_id=small.estate))
    add(GroupMember(group_id=group.id, display_name="A.", role="formand"))
    add(Meeting(group_id=group.id, starts_at=NOW))
    item = add(ResidentInput(group_id=group.id, title="Forslag", body="Tekst", concerns_activity_id=activity.id))
    add(InputAnswer(input_id=item.id, body="Svar", author_kind=ActorKind.HOUSING_ORGANISATION))
    db.commit()
    return made


def test_deleting_a_plan_removes_all_its_parts(db):
    small = make_small(db)
    made = _plan_with_every_part(db, small)
    db.execute(delete(Plan).where(Plan.id == small.plan))
    db.commit()
    for model, ids in made.items():
        left = db.execute(select(func.count()).select_from(model).where(model.id.in_(ids))).scalar_one()
        assert left == 0, f"{model.__name__} rows outlived their plan"
    for link, column in (
        (PlanOrganisation, PlanOrganisation.plan_id),
        (PlanEstate, PlanEstate.plan_id),
    ):
        assert db.execute(select(func.count()).select_from(link).where(column == small.plan)).scalar_one() == 0
    # shared things stay
    assert db.get(HousingOrganisation, small.organisation) is not None
    assert db.get(Partner, small.partner) is not None
    assert db.get(HousingEstate, small.estate) is not None


def test_a_deleted_plans_id_is_never_given_to_a_new_plan(db):
    """Audit events name plans by id: a reused id would hand a deleted plan's trail to a new one."""
    small = make_small(db)
    db.execute(delete(Plan).where(Plan.id == small.plan))
    db.commit()
    newer = make_small(db)
    assert newer.plan > small.plan


def test_database_refuses_two_rows_for_the_same_agreement_version(db):
    small = make_small(db)
    for kind in (AgreementKind.STRATEGIC, AgreementKind.EMERGENCY_PLAN):
        db.add(Agreement(plan_id=small.plan, kind=kind, version=1, title="Version 1"))
        db.commit()
        assert refused(db, Agreement(plan_id=small.plan, kind=kind, version=1, title="Også version 1"))
        assert not refused(db, Agreement(plan_id=small.plan, kind=kind, version=2, title="Version 2"))
    db.add(
        Agreement(
            plan_id=small.plan,
            kind=AgreementKind.SUB_AGREEMENT,
            focus_area_id=small.own_focus,
            version=1,
            title="Delaftale",
        )
    )
    db.commit()
    assert refused(
        db,
        Agreement(
            plan_id=small.plan, kind=AgreementKind.SUB_AGREEMENT, focus_area_id=small.own_focus, version=1, title="Igen"
        ),
    )


@pytest.mark.parametrize("what", ["organisation", "estate", "partner", "focus_area"])
def test_deleting_a_shared_thing_in_use_is_refused(db, what):
    small = make_small(db)
    _plan_with_every_part(db, small)
    model, pk = {
        "organisation": (HousingOrganisation, small.organisation),
        "estate": (HousingEstate, small.estate),
        "partner": (Partner, small.partner),
        "focus_area": (FocusArea, small.own_focus),
    }[what]
    with pytest.raises(IntegrityError):
        db.execute(delete(model).where(model.id == pk))
        db.flush()
    db.rollback()
    assert db.get(model, pk) is not None


def test_deleting_an_unused_organisation_is_allowed(db):
    org = HousingOrganisation(name=f"Ubrugt {uuid.uuid4().hex[:8]}", short_name="U")
    db.add(org)
    db.commit()
    db.execute(delete(HousingOrganisation).where(HousingOrganisation.id == org.id))
    db.commit()
    assert db.get(HousingOrganisation, org.id) is None


def test_no_row_in_the_database_points_at_a_missing_row(db):
    """After all the deletes above (and the demo data), every foreign key still finds its row."""
    for table in SQLModel.metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint, ForeignKeyConstraint):
                continue
            (column,) = constraint.columns
            (element,) = constraint.elements
            target = element.column
            orphans = db.execute(
                select(func.count())
                .select_from(table)
                .where(column.is_not(None), ~select(target).where(target == column).exists())
            ).scalar_one()
            assert orphans == 0, f"{table.name}.{column.name} points at missing {target.table.name} rows"
