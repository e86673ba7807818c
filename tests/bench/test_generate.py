"""The national-scale generator: the right amounts, the domain rules, and determinism."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select
from sqlmodel import SQLModel

from backend import models as m
from backend.rules import financing_problems
from bench.generate import SCALES, build, generate

ANCHOR = date(2026, 6, 1)


@pytest.fixture()
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'gen.db'}")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_small_scale_has_the_promised_amounts_and_follows_the_rules(engine):
    counts = generate(engine, scale="small", seed=1, anchor=ANCHOR, out=io.StringIO())
    scale = SCALES["small"]
    assert counts["plan"] == scale.plans
    assert counts["activity"] == scale.activities
    assert counts["activitypartner"] == scale.activity_partners
    assert counts["occurrence"] == scale.occurrences
    assert counts["measurement"] == scale.measurements
    assert counts["residentinput"] == scale.inputs
    with engine.connect() as conn:
        # every activity's focus area belongs to its plan's generation
        wrong = conn.execute(
            select(func.count())
            .select_from(m.Activity)
            .join(m.Plan, m.Plan.id == m.Activity.plan_id)
            .join(m.FocusArea, m.FocusArea.id == m.Activity.focus_area_id)
            .where(m.FocusArea.generation_id != m.Plan.generation_id)
        ).scalar()
        assert wrong == 0
        # financing of every plan-year passes the rules
        shares = defaultdict(list)
        for plan_id, year, party, share in conn.execute(
            select(m.Financing.plan_id, m.Financing.year, m.Financing.party, m.Financing.share_percent)
        ):
            shares[(plan_id, year)].append((party, Decimal(share)))
        assert shares and all(not financing_problems(v) for v in shares.values())
        # inputs go to a group that covers the author's estate
        outside = conn.execute(
            select(func.count())
            .select_from(m.ResidentInput)
            .join(m.Residency, m.Residency.account_id == m.ResidentInput.author_account_id)
            .outerjoin(
                m.FollowUpGroupEstate,
                (m.FollowUpGroupEstate.group_id == m.ResidentInput.group_id)
                & (m.FollowUpGroupEstate.estate_id == m.Residency.estate_id),
            )
            .where(m.FollowUpGroupEstate.group_id.is_(None))
        ).scalar()
        assert outside == 0
        # follow-up groups belong to running plans, which residents may see
        statuses = {
            row[0]
            for row in conn.execute(
                select(m.Plan.status).join(m.FollowUpGroup, m.FollowUpGroup.plan_id == m.Plan.id).distinct()
            )
        }
        assert statuses and statuses <= {
            m.PlanStatus.ACTIVE,
            m.PlanStatus.APPROVED_BY_LBF,
            m.PlanStatus.APPROVED_BY_CITY_COUNCIL,
        }
        assert conn.execute(select(func.count()).select_from(m.FollowUpGroup)).scalar() == SCALES["small"].groups
        # upcoming occurrences exist for the anchor day, so "next occurrences" has something to show
        assert (
            conn.execute(select(func.count()).select_from(m.Occurrence).where(m.Occurrence.starts_at > ANCHOR)).scalar()
            > 0
        )


def test_same_seed_same_data_and_a_second_run_adds_beside_the_first(engine, tmp_path):
    with engine.connect() as conn:
        first = build(conn, SCALES["small"], seed=5, anchor=ANCHOR)
    other = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    SQLModel.metadata.create_all(other)
    with other.connect() as conn:
        again = build(conn, SCALES["small"], seed=5, anchor=ANCHOR)
    assert first.tables == again.tables
    generate(engine, scale="small", seed=5, anchor=ANCHOR, out=io.StringIO())
    counts = generate(engine, scale="small", seed=6, anchor=ANCHOR, out=io.StringIO())
    assert "urbanarea" not in counts  # shared rows are reused by their unique keys
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.Plan)).scalar() == 2 * SCALES["small"].plans
