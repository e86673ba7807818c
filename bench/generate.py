"""A large, realistic data set for load tests: `python -m bench.generate --scale national`.

It fills a migrated database (the one in DATABASE_URL, or --database-url) with made-up plans,
activities, partners, occurrences, goals with measurements, follow-up groups and resident inputs
at the size of the whole country. The data is deterministic for a seed and an anchor date (the
day that "now" is, so that activities have upcoming occurrences), and follows the domain rules:
every focus area belongs to its plan's generation, financing shares pass backend.rules, each
sub-agreement has its focus area, follow-up groups belong to running (public) plans, inputs go to a
group of the author's estate.

Rows are added beside what is there (demo data included): shared things (municipalities,
generations, housing organisations, urban areas) are reused when their unique key exists, and
new rows take ids above the current maximum. On PostgreSQL the rows go in with COPY, elsewhere
with executemany; either way in one transaction.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Table, create_engine, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel, col

from backend import clock, demo
from backend import models as m
from backend.policy import PUBLIC_PLAN_STATUSES
from backend.rules import financing_problems, focus_area_fits_plan

RUNNING_PLAN_STATUSES = PUBLIC_PLAN_STATUSES - {m.PlanStatus.ENDED}


@dataclass(frozen=True)
class Scale:
    urban_areas: int
    plans: int
    activities: int
    partners: int
    activity_partners: int
    occurrences: int
    measurements: int
    groups: int
    inputs: int
    residents: int


SCALES = {
    "national": Scale(
        urban_areas=30,
        plans=200,
        activities=6000,
        partners=1000,
        activity_partners=20000,
        occurrences=60000,
        measurements=20000,
        groups=400,
        inputs=100000,
        residents=20000,
    ),
    # Small enough for a test run, same shape.
    "small": Scale(
        urban_areas=6,
        plans=12,
        activities=240,
        partners=60,
        activity_partners=800,
        occurrences=1200,
        measurements=600,
        groups=24,
        inputs=1500,
        residents=300,
    ),
}

# Real municipality numbers; the areas are real vulnerable housing areas, their data is made up.
MUNICIPALITIES = [
    ("Københavns Kommune", "101"),
    ("Frederiksberg Kommune", "147"),
    ("Albertslund Kommune", "165"),
    ("Brøndby Kommune", "153"),
    ("Gladsaxe Kommune", "159"),
    ("Herlev Kommune", "163"),
    ("Høje-Taastrup Kommune", "169"),
    ("Ishøj Kommune", "183"),
    ("Helsingør Kommune", "217"),
    ("Holbæk Kommune", "316"),
    ("Slagelse Kommune", "330"),
    ("Odense Kommune", "461"),
    ("Svendborg Kommune", "479"),
    ("Esbjerg Kommune", "561"),
    ("Horsens Kommune", "615"),
    ("Kolding Kommune", "621"),
    ("Vejle Kommune", "630"),
    ("Randers Kommune", "730"),
    ("Aarhus Kommune", "751"),
    ("Aalborg Kommune", "851"),
]
URBAN_AREAS = [
    ("Tingbjerg", "101"),
    ("Urbanplanen", "101"),
    ("Gellerup", "751"),
    ("Vollsmose", "461"),
    ("Mjølnerparken", "101"),
    ("Aalborg Øst", "851"),
    ("Fuglekvarteret", "101"),
    ("Bispehaven", "751"),
    ("Bispebjerg", "101"),
    ("Herredsvang", "751"),
    ("Sydhavnen", "101"),
    ("Valby Syd", "101"),
    ("Husum", "101"),
    ("Stengårdsvej", "561"),
    ("Kristrup", "730"),
    ("Skovparken", "621"),
    ("Sundparken", "615"),
    ("Finlandsparken", "630"),
    ("Gadehavegård", "169"),
    ("Vejleåparken", "183"),
    ("Brøndby Strand", "153"),
    ("Hedemarken", "165"),
    ("Værebro Park", "159"),
    ("Hjortegården", "163"),
    ("Ringparken", "330"),
    ("Agervang", "316"),
    ("Nøjsomhed", "217"),
    ("Byparken", "479"),
    ("Lindevangen", "147"),
    ("Korsløkkeparken", "461"),
    ("Hasseris Syd", "851"),
    ("Skovvejen", "751"),
]
DISTRICTS = ["Amager", "Nørrebro", "Bispebjerg-Nordvest", "Vesterbro-Valby", "Brønshøj-Husum"]
HOUSING_ORGANISATIONS = [  # the demo CVRs (made up)
    ("fsb", "10000001"),
    ("KAB", "10000002"),
    ("3B", "10000003"),
    ("SAB", "10000004"),
    ("AAB", "10000005"),
    ("AKB", "10000006"),
    ("Vibo", "10000007"),
    ("HAB", "10000008"),
    ("DFB", "10000009"),
]
# The funding generations and their focus areas: the same reference data as the demo's.
GENERATIONS = {name: (start, end, areas) for name, start, end, areas in demo.GENERATIONS}
ACTIVITY_TITLES = [
    "Lektiecafé",
    "Lommepengejob",
    "Fritidsjob",
    "Job- og uddannelsesvejledning",
    "Mentorforløb",
    "Bydelsmødre",
    "Forældrenetværk",
    "Naboskabsmægling",
    "Social vicevært",
    "Fælleshave",
    "Naboskabsfest",
    "Sommerferieaktiviteter",
    "Ungeklub",
    "Pigeklub",
    "Lektiehjælp for voksne",
    "Sprogcafé",
    "Motionsfællesskab",
    "Madklub",
    "Beboerrådgivning",
    "Gældsrådgivning",
    "Studiestartsforløb",
    "Praktikpladsformidling",
    "Iværksætterværksted",
    "Familiekurser",
    "Ungdomsuddannelsesbro",
    "Gadeplansindsats",
    "Fodboldskole",
    "Kvindecafé",
    "IT-hjælp",
    "Legepladsvenner",
]
TARGET_GROUPS = [
    "Børn 6-12 år",
    "Unge 13-17 år",
    "Unge 18-29 år uden uddannelse og job",
    "Forældre",
    "Kvinder",
    "Ældre",
    "Alle beboere",
    "Nytilflyttere",
]
PARTNER_KINDS = [
    (m.PartnerKind.ASSOCIATION, "Foreningen"),
    (m.PartnerKind.SCHOOL, "Skole"),
    (m.PartnerKind.MUNICIPAL_ADMINISTRATION, "Forvaltning"),
    (m.PartnerKind.FOUNDATION, "Fonden"),
    (m.PartnerKind.POLICE, "Politi"),
    (m.PartnerKind.OTHER, "Klub"),
    (m.PartnerKind.HOUSING_ORGANISATION, "Boligselskab"),
]
LANGUAGES = ["da", "ar", "so", "tr", "ur", "fa", "en"]
INDICATORS = [
    ("Andel unge i uddannelse eller job", "%", m.IndicatorDirection.INCREASE),
    ("Antal anmeldte indbrud", "antal", m.IndicatorDirection.DECREASE),
    ("Beboere der føler sig trygge", "%", m.IndicatorDirection.INCREASE),
    ("Deltagere i fællesaktiviteter", "antal", m.IndicatorDirection.INCREASE),
    ("Ledighed blandt beboere", "%", m.IndicatorDirection.DECREASE),
    ("Fraflytning", "%", m.IndicatorDirection.KEEP),
]
INPUT_TITLES = [
    "Mere lys på stierne",
    "Lektiecaféen er for fyldt",
    "Ønske om flere aktiviteter for piger",
    "Tak for sommerfesten",
    "Støj om aftenen",
    "Legepladsen trænger til reparation",
    "Forslag: madklub om lørdagen",
    "Bedre information på flere sprog",
    "Parkering ved blok C",
    "Hvornår starter lommepengejob igen?",
]


def _slug(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "-", ",": "", "&": "og"})
    return name.lower().translate(table)


@cache
def _table(model: type[SQLModel]) -> Table:
    """The model's table (sqlmodel types `__table__` and `__tablename__` only loosely)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


@dataclass
class Batch:
    """Rows to insert, per table, in column order; tables in dependency order."""

    tables: dict[str, tuple[list[str], list[tuple]]] = field(default_factory=dict)

    def add(self, model: type[SQLModel], columns: list[str], row: tuple) -> None:
        name = _table(model).name
        if name not in self.tables:
            self.tables[name] = (columns, [])
        self.tables[name][1].append(row)

    def count(self, model: type[SQLModel]) -> int:
        entry = self.tables.get(_table(model).name)
        return len(entry[1]) if entry else 0


class Ids:
    """Explicit ids above what the database already holds, so rows can refer to each other."""

    def __init__(self, conn: Connection):
        self._next: dict[str, int] = {}
        self._conn = conn

    def next(self, model: type[SQLModel]) -> int:
        table = _table(model)
        name = table.name
        if name not in self._next:
            current = self._conn.execute(select(func.max(table.c.id))).scalar() or 0
            self._next[name] = current + 1
        value = self._next[name]
        self._next[name] = value + 1
        return value


def _existing(conn: Connection, model: type[SQLModel], key: str) -> dict[Any, int]:
    table = _table(model)
    return {k: i for k, i in conn.execute(select(table.c[key], table.c.id))}


def build(conn: Connection, scale: Scale, *, seed: int, anchor: date) -> Batch:
    """Everything to insert, decided up front (reads only the existing shared rows)."""
    rnd = random.Random(seed)
    ids = Ids(conn)
    b = Batch()
    now = datetime.combine(anchor, dtime(12, 0), tzinfo=UTC)

    # ---- municipalities, boards, urban areas (reused by unique key)
    muni_ids = _existing(conn, m.Municipality, "code")
    used_munis = {code for _, code in URBAN_AREAS[: scale.urban_areas]}
    for name, code in MUNICIPALITIES:
        if code in used_munis and code not in muni_ids:
            muni_ids[code] = ids.next(m.Municipality)
            b.add(m.Municipality, ["id", "name", "code"], (muni_ids[code], name, code))
    district_board: dict[str, int] = {}
    existing_boards = {
        (n, mu): i
        for i, n, mu in conn.execute(select(col(m.Board.id), col(m.Board.name), col(m.Board.municipality_id)))
    }
    for code in sorted(used_munis):
        mid = muni_ids[code]
        names = [(f"Den Boligsociale Bestyrelse ({code})", m.BoardLevel.CITY)]
        if code == "101":
            names += [(f"Bydelsbestyrelse {d}", m.BoardLevel.DISTRICT) for d in DISTRICTS]
        for bname, level in names:
            bid = existing_boards.get((bname, mid))
            if bid is None:
                bid = ids.next(m.Board)
                b.add(m.Board, ["id", "name", "level", "municipality_id"], (bid, bname, level.value, mid))
            if level == m.BoardLevel.DISTRICT:
                district_board[bname] = bid
    area_ids = _existing(conn, m.UrbanArea, "slug")
    areas: list[tuple[int, str, str]] = []  # (id, name, municipality code)
    for i, (aname, code) in enumerate(URBAN_AREAS[: scale.urban_areas]):
        slug = _slug(aname)
        if slug not in area_ids:
            area_ids[slug] = ids.next(m.UrbanArea)
            board = district_board.get(f"Bydelsbestyrelse {DISTRICTS[i % len(DISTRICTS)]}") if code == "101" else None
            b.add(
                m.UrbanArea,
                ["id", "name", "slug", "municipality_id", "board_id"],
                (area_ids[slug], aname, slug, muni_ids[code], board),
            )
        areas.append((area_ids[slug], aname, code))
        for kind, label in (
            (m.OtherEffortKind.LETTING_AGREEMENT, "Fleksibel udlejning"),
            (m.OtherEffortKind.AREA_RENEWAL, "Områdefornyelse"),
        ):
            b.add(
                m.OtherEffort,
                ["id", "urban_area_id", "kind", "name", "description"],
                (ids.next(m.OtherEffort), area_ids[slug], kind.value, f"{label} {aname}", None),
            )

    # ---- funding generations and focus areas
    gen_ids = _existing(conn, m.FundingGeneration, "name")
    focus: dict[int, list[int]] = {}
    existing_fa = {
        (g, n): i
        for i, g, n in conn.execute(select(col(m.FocusArea.id), col(m.FocusArea.generation_id), col(m.FocusArea.name)))
    }
    for gname, (start_year, end_year, fa_names) in GENERATIONS.items():
        if gname not in gen_ids:
            gen_ids[gname] = ids.next(m.FundingGeneration)
            b.add(
                m.FundingGeneration,
                ["id", "name", "start_year", "end_year"],
                (gen_ids[gname], gname, start_year, end_year),
            )
        gid = gen_ids[gname]
        focus[gid] = []
        for pos, fname in enumerate(fa_names):
            fid = existing_fa.get((gid, fname))
            if fid is None:
                fid = ids.next(m.FocusArea)
                b.add(m.FocusArea, ["id", "name", "generation_id", "position"], (fid, fname, gid, pos))
            focus[gid].append(fid)
    current_gen = gen_ids["2019-26"]

    # ---- housing organisations (the demo ones by CVR, then made-up ones)
    org_ids = _existing(conn, m.HousingOrganisation, "cvr")
    orgs: list[int] = []
    for short, cvr in HOUSING_ORGANISATIONS:
        if cvr not in org_ids:
            org_ids[cvr] = ids.next(m.HousingOrganisation)
            b.add(m.HousingOrganisation, ["id", "name", "short_name", "cvr"], (org_ids[cvr], short, short, cvr))
        orgs.append(org_ids[cvr])
    for n in range(max(0, scale.plans // 6 - len(orgs))):
        cvr = f"1{n + 1:07d}"
        if cvr in org_ids:
            continue
        org_ids[cvr] = ids.next(m.HousingOrganisation)
        b.add(
            m.HousingOrganisation,
            ["id", "name", "short_name", "cvr"],
            (org_ids[cvr], f"Boligselskabet af {1940 + n}", f"BS{n + 1}", cvr),
        )
        orgs.append(org_ids[cvr])

    # ---- partners
    partner_cvrs = set(_existing(conn, m.Partner, "cvr"))
    partners: list[int] = []
    for n in range(scale.partners):
        partner_kind, label = PARTNER_KINDS[n % len(PARTNER_KINDS)]
        partner_cvr = f"3{n + 1:07d}" if n % 2 == 0 else None
        if partner_cvr in partner_cvrs:
            partner_cvr = None
        pid = ids.next(m.Partner)
        code = areas[n % len(areas)][2]
        b.add(
            m.Partner,
            ["id", "name", "kind", "cvr", "municipality_id"],
            (pid, f"{label} {n + 1:04d}", partner_kind.value, partner_cvr, muni_ids[code]),
        )
        partners.append(pid)

    # ---- plans with their estates, agreements, goals, financing, milestones
    plan_cols = [
        "id",
        "name",
        "summary",
        "status",
        "start_date",
        "end_date",
        "generation_id",
        "urban_area_id",
        "board_id",
        "lead_organisation_id",
        "created_at",
        "updated_at",
    ]
    statuses = [m.PlanStatus.ACTIVE] * 7 + [m.PlanStatus.APPROVED_BY_LBF, m.PlanStatus.IN_DIALOGUE, m.PlanStatus.ENDED]
    plans: list[dict] = []
    estates_of_area: dict[int, list[int]] = {}
    for p in range(scale.plans):
        area_id, aname, code = areas[p % len(areas)]
        pid = ids.next(m.Plan)
        start = date(rnd.choice([2020, 2021, 2022, 2023]), rnd.choice([1, 4, 7]), 1)
        end = date(start.year + 4, start.month, 1) - timedelta(days=1)
        plan_orgs = rnd.sample(orgs, k=rnd.randint(1, 3))
        status = statuses[p % len(statuses)]
        b.add(
            m.Plan,
            plan_cols,
            (
                pid,
                f"Helhedsplan {aname} {p // len(areas) + 1}",
                f"Boligsocial helhedsplan for {aname}.",
                status.value,
                start,
                end,
                current_gen,
                area_id,
                None,
                plan_orgs[0],
                now,
                now,
            ),
        )
        for oid in plan_orgs:
            b.add(m.PlanOrganisation, ["plan_id", "organisation_id"], (pid, oid))
        plan_estates = []
        for e in range(3):
            eid = ids.next(m.HousingEstate)
            oid = plan_orgs[e % len(plan_orgs)]
            b.add(
                m.HousingEstate,
                ["id", "name", "department_number", "homes", "organisation_id", "urban_area_id"],
                (eid, f"{aname} afdeling {eid}", f"G{eid}", rnd.randint(120, 1200), oid, area_id),
            )
            b.add(m.PlanEstate, ["plan_id", "estate_id"], (pid, eid))
            plan_estates.append(eid)
        estates_of_area.setdefault(area_id, []).extend(plan_estates)
        agreements: dict[int | None, int] = {}
        agr_cols = ["id", "plan_id", "kind", "focus_area_id", "version", "title", "body", "approved_at", "created_at"]
        aid = ids.next(m.Agreement)
        b.add(
            m.Agreement,
            agr_cols,
            (
                aid,
                pid,
                m.AgreementKind.STRATEGIC.value,
                None,
                1,
                f"Strategisk samarbejdsaftale, {aname}",
                "Fælles mål for indsatsen.",
                now,
                now,
            ),
        )
        for fa in focus[current_gen]:
            aid = ids.next(m.Agreement)
            agreements[fa] = aid
            b.add(
                m.Agreement,
                agr_cols,
                (
                    aid,
                    pid,
                    m.AgreementKind.SUB_AGREEMENT.value,
                    fa,
                    1,
                    f"Delaftale {fa}, {aname}",
                    "Handleplan for indsatsområdet.",
                    now,
                    now,
                ),
            )
        b.add(
            m.Agreement,
            agr_cols,
            (
                ids.next(m.Agreement),
                pid,
                m.AgreementKind.EMERGENCY_PLAN.value,
                None,
                1,
                f"Beredskabsplan, {aname}",
                "Ikke offentlig.",
                None,
                now,
            ),
        )
        for year in range(start.year, end.year + 1):
            shares = [
                (m.FinancingParty.LANDSBYGGEFONDEN, Decimal("75.00")),
                (m.FinancingParty.MUNICIPALITY, Decimal("12.50")),
                (m.FinancingParty.HOUSING_ORGANISATION, Decimal("12.50")),
            ]
            assert not financing_problems(shares)
            total = Decimal(rnd.randint(2_000, 6_000) * 1000)
            for party, share in shares:
                budget = (total * share / 100).quantize(Decimal("0.01"))
                spent = (
                    (budget * Decimal(rnd.randint(0, 100)) / 100).quantize(Decimal("0.01"))
                    if year <= anchor.year
                    else Decimal("0")
                )
                b.add(
                    m.Financing,
                    ["id", "plan_id", "year", "party", "share_percent", "budget", "spent"],
                    (ids.next(m.Financing), pid, year, party.value, share, budget, spent),
                )
        for year in range(start.year, end.year + 1):
            for k in range(2):
                b.add(
                    m.Milestone,
                    ["id", "plan_id", "year", "title", "done"],
                    (ids.next(m.Milestone), pid, year, f"Milepæl {k + 1} for {year}", year < anchor.year),
                )
        plans.append(
            {
                "id": pid,
                "area": area_id,
                "estates": plan_estates,
                "agreements": agreements,
                "start": start,
                "status": status,
            }
        )

    # goals -> indicators -> measurements: spread the measurements over the indicators
    indicators_per_plan = max(1, round(scale.measurements / 10 / scale.plans))
    for plan in plans:
        fas = focus[current_gen]
        goal_id = 0
        for k in range(indicators_per_plan):
            if k % 2 == 0:  # two indicators per goal
                goal_id = ids.next(m.Goal)
                b.add(
                    m.Goal,
                    ["id", "plan_id", "focus_area_id", "title"],
                    (goal_id, plan["id"], fas[k // 2 % len(fas)], f"Mål {k // 2 + 1}"),
                )
            name, unit, direction = INDICATORS[k % len(INDICATORS)]
            iid = ids.next(m.Indicator)
            baseline = round(rnd.uniform(10, 60), 1)
            target = baseline * (1.2 if direction == m.IndicatorDirection.INCREASE else 0.8)
            b.add(
                m.Indicator,
                ["id", "goal_id", "name", "unit", "data_source", "baseline", "target", "direction"],
                (iid, goal_id, name, unit, "Danmarks Statistik", baseline, round(target, 1), direction.value),
            )
            for q in range(10):
                if b.count(m.Measurement) >= scale.measurements:
                    break
                period = date(plan["start"].year + q // 4, 1 + 3 * (q % 4), 1)
                b.add(
                    m.Measurement,
                    ["id", "indicator_id", "period", "value", "note"],
                    (ids.next(m.Measurement), iid, period, round(baseline + rnd.uniform(-5, 10), 1), None),
                )

    # ---- activities, partners, occurrences, progress notes
    act_cols = [
        "id",
        "plan_id",
        "focus_area_id",
        "agreement_id",
        "title",
        "description",
        "target_group",
        "status",
        "visibility",
        "location",
        "contact",
        "languages",
        "created_at",
        "updated_at",
    ]
    act_statuses = [m.ActivityStatus.ACTIVE] * 6 + [
        m.ActivityStatus.PLANNED,
        m.ActivityStatus.PAUSED,
        m.ActivityStatus.ENDED,
    ]
    activities: list[tuple[int, int]] = []  # (activity id, plan index)
    for n in range(scale.activities):
        pi = n % len(plans)
        plan = plans[pi]
        fa = focus[current_gen][n % len(focus[current_gen])]
        assert focus_area_fits_plan(current_gen, current_gen)  # every plan here is of the current generation
        aid = ids.next(m.Activity)
        title = ACTIVITY_TITLES[(n // len(plans) + pi) % len(ACTIVITY_TITLES)]  # all titles in every plan
        langs = ["da"] + rnd.sample(LANGUAGES[1:], k=rnd.randint(0, 3))
        b.add(
            m.Activity,
            act_cols,
            (
                aid,
                plan["id"],
                fa,
                plan["agreements"][fa],
                f"{title} {n // len(ACTIVITY_TITLES) + 1}",
                f"{title}: et tilbud til beboerne i området, drevet sammen med lokale partnere.",
                rnd.choice(TARGET_GROUPS),
                act_statuses[n % len(act_statuses)].value,
                (m.Visibility.INTERNAL if n % 10 == 9 else m.Visibility.PUBLIC).value,
                f"Beboerhuset, {rnd.randint(1, 40)}",
                "helhedsplan@example.dk",
                json.dumps(langs),
                now,
                now,
            ),
        )
        activities.append((aid, pi))
    # Links: each activity gets at least one partner (a responsible one); the rest spread at random.
    links: set[tuple[int, int]] = set()
    link_cols = ["activity_id", "partner_id", "role"]
    roles = [m.PartnerRole.CO_RESPONSIBLE, m.PartnerRole.CONTRIBUTING, m.PartnerRole.CONTRIBUTING]
    for aid, _ in activities:
        pid = rnd.choice(partners)
        links.add((aid, pid))
        b.add(m.ActivityPartner, link_cols, (aid, pid, m.PartnerRole.RESPONSIBLE.value))
    while len(links) < min(scale.activity_partners, len(activities) * len(partners)):
        aid = activities[rnd.randrange(len(activities))][0]
        pid = rnd.choice(partners)
        if (aid, pid) in links:
            continue
        links.add((aid, pid))
        b.add(m.ActivityPartner, link_cols, (aid, pid, rnd.choice(roles).value))
    per_activity = scale.occurrences // len(activities)
    occ_cols = ["id", "activity_id", "starts_at", "ends_at", "location", "cancelled", "participant_count"]
    for aid, _ in activities:
        first = now - timedelta(days=rnd.randint(7, 60), hours=rnd.randint(0, 6))
        step = timedelta(days=rnd.choice([7, 14]))
        for k in range(per_activity):
            starts = first + step * k
            past = starts < now
            b.add(
                m.Occurrence,
                occ_cols,
                (
                    ids.next(m.Occurrence),
                    aid,
                    starts,
                    starts + timedelta(hours=2),
                    None,
                    rnd.random() < 0.03,
                    rnd.randint(3, 40) if past else None,
                ),
            )
        b.add(
            m.ProgressNote,
            ["id", "activity_id", "posted_at", "text", "author_partner_id", "author_organisation_id"],
            (
                ids.next(m.ProgressNote),
                aid,
                now - timedelta(days=rnd.randint(1, 90)),
                "Godt fremmøde, og flere nye deltagere end ventet.",
                None,
                None,
            ),
        )

    # ---- follow-up groups, members, meetings
    groups: list[tuple[int, list[int]]] = []  # (group id, its estates)
    plan_of_group: dict[int, int] = {}
    # Follow-up groups belong to running plans (public, not ended): residents give input only where
    # they can see the plan. The groups are spread over those plans, 2 or 3 each.
    running = [p for p in plans if p["status"] in RUNNING_PLAN_STATUSES]
    group_counts = [
        scale.groups // len(running) + (1 if i < scale.groups % len(running) else 0) for i in range(len(running))
    ]
    for plan, per_plan in zip(running, group_counts, strict=True):
        for k in range(per_plan):
            gid = ids.next(m.FollowUpGroup)
            estates = plan["estates"][k % len(plan["estates"]) :: per_plan] or plan["estates"]
            b.add(
                m.FollowUpGroup,
                ["id", "plan_id", "name", "description"],
                (gid, plan["id"], f"Følgegruppe {k + 1}", "Beboere og partnere følger helhedsplanen."),
            )
            for eid in estates:
                b.add(m.FollowUpGroupEstate, ["group_id", "estate_id"], (gid, eid))
            for r, role in enumerate(["formand", "næstformand", "medlem", "medlem", "medlem"]):
                b.add(
                    m.GroupMember,
                    ["id", "group_id", "display_name", "role"],
                    (ids.next(m.GroupMember), gid, f"Medlem {r + 1}", role),
                )
            for q in range(6):
                starts = now + timedelta(days=30 * (q - 3), hours=5)
                b.add(
                    m.Meeting,
                    ["id", "group_id", "starts_at", "location", "agenda", "minutes"],
                    (
                        ids.next(m.Meeting),
                        gid,
                        starts,
                        "Beboerhuset",
                        "Status på aktiviteterne.",
                        "Referat følger." if starts < now else None,
                    ),
                )
            groups.append((gid, estates))
            plan_of_group[gid] = plan["id"]
    groups_of_estate: dict[int, list[int]] = {}
    for gid, estates in groups:
        for eid in estates:
            groups_of_estate.setdefault(eid, []).append(gid)

    # ---- resident accounts, residencies, inputs and answers
    acc_cols = [
        "id",
        "issuer",
        "subject",
        "kind",
        "display_name",
        "housing_organisation_id",
        "partner_id",
        "municipality_id",
        "created_at",
        "last_seen_at",
    ]
    existing_subjects = {
        s for (s,) in conn.execute(select(col(m.Account.subject)).where(col(m.Account.issuer) == "dev-borger"))
    }
    all_estates = sorted(groups_of_estate)
    residents: list[tuple[int, int]] = []  # (account id, estate id)
    for r in range(scale.residents):
        subject = f"gen-beboer-{seed}-{r + 1}"
        if subject in existing_subjects:
            continue
        acc = ids.next(m.Account)
        eid = all_estates[r % len(all_estates)]
        b.add(
            m.Account,
            acc_cols,
            (acc, "dev-borger", subject, m.ActorKind.RESIDENT.value, f"Beboer {r + 1}", None, None, None, now, now),
        )
        b.add(
            m.Residency,
            ["id", "account_id", "estate_id", "since", "until", "confirmed_by"],
            (ids.next(m.Residency), acc, eid, anchor - timedelta(days=rnd.randint(100, 3000)), None, "STAFF"),
        )
        residents.append((acc, eid))
    in_cols = [
        "id",
        "group_id",
        "author_account_id",
        "title",
        "body",
        "language",
        "concerns_activity_id",
        "concerns_focus_area_id",
        "status",
        "channel",
        "published",
        "hidden",
        "hidden_reason",
        "withdrawn",
        "content_hash",
        "created_at",
        "updated_at",
    ]
    in_statuses = [
        m.InputStatus.RECEIVED,
        m.InputStatus.UNDER_CONSIDERATION,
        m.InputStatus.ANSWERED,
        m.InputStatus.ANSWERED,
        m.InputStatus.CLOSED,
    ]
    channels = [m.InputChannel.WEB] * 7 + [m.InputChannel.PAPER, m.InputChannel.PHONE, m.InputChannel.IN_PERSON]
    activities_of_plan: dict[int, list[int]] = {}
    for aid, pi in activities:
        activities_of_plan.setdefault(plans[pi]["id"], []).append(aid)
    for n in range(scale.inputs if residents else 0):
        acc, eid = residents[n % len(residents)]
        gid = rnd.choice(groups_of_estate[eid])
        title = INPUT_TITLES[n % len(INPUT_TITLES)]
        body = f"{title}. Jeg har skrevet det her som input nummer {n + 1} til følgegruppen."
        input_status = in_statuses[n % len(in_statuses)]
        created = now - timedelta(minutes=rnd.randint(60, 730 * 24 * 60))
        concerns = rnd.choice(activities_of_plan[plan_of_group[gid]]) if n % 4 == 0 else None
        iid = ids.next(m.ResidentInput)
        digest = hashlib.sha256(f"{gid}\n{title}\n{body}".encode()).hexdigest()
        b.add(
            m.ResidentInput,
            in_cols,
            (
                iid,
                gid,
                acc,
                title,
                body,
                "da" if n % 6 else rnd.choice(LANGUAGES),
                concerns,
                None,
                input_status.value,
                channels[n % len(channels)].value,
                input_status == m.InputStatus.ANSWERED and n % 3 == 0,
                False,
                None,
                False,
                digest,
                created,
                created,
            ),
        )
        if input_status == m.InputStatus.ANSWERED:
            b.add(
                m.InputAnswer,
                ["id", "input_id", "body", "author_kind", "created_at"],
                (
                    ids.next(m.InputAnswer),
                    iid,
                    "Tak for dit input. Følgegruppen tager det op på næste møde.",
                    m.ActorKind.HOUSING_ORGANISATION.value,
                    created + timedelta(days=3),
                ),
            )
    return b


def _in_dependency_order(batch: Batch) -> list[tuple[str, list[str], list[tuple]]]:
    return [(t.name, *batch.tables[t.name]) for t in SQLModel.metadata.sorted_tables if t.name in batch.tables]


def _insert_executemany(conn: Connection, batch: Batch) -> None:
    for name, cols, rows in _in_dependency_order(batch):
        table = SQLModel.metadata.tables[name]
        for i in range(0, len(rows), 5000):
            conn.execute(table.insert(), [dict(zip(cols, r, strict=True)) for r in rows[i : i + 5000]])


def _insert_copy(conn: Connection, batch: Batch) -> None:
    raw = conn.connection.driver_connection  # psycopg.Connection inside the same transaction
    assert raw is not None
    with raw.cursor() as cur:
        for name, cols, rows in _in_dependency_order(batch):
            col_list = ", ".join(f'"{c}"' for c in cols)
            with cur.copy(f'COPY "{name}" ({col_list}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
    # Sequences follow the explicit ids, so later inserts by the application do not collide.
    for name in batch.tables:
        if "id" in SQLModel.metadata.tables[name].c and SQLModel.metadata.tables[name].c.id.primary_key:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
                )
            )


def generate(
    engine: Engine, *, scale: str = "national", seed: int = 20261126, anchor: date | None = None, out=sys.stdout
) -> dict[str, int]:
    """Build and insert the data set in one transaction; returns rows inserted per table."""
    anchor = anchor or clock.today()
    started = time.perf_counter()
    with engine.begin() as conn:
        batch = build(conn, SCALES[scale], seed=seed, anchor=anchor)
        built = time.perf_counter()
        if engine.dialect.name == "postgresql":
            _insert_copy(conn, batch)
        else:
            _insert_executemany(conn, batch)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    counts = {name: len(rows) for name, (_, rows) in batch.tables.items()}
    print(
        f"generated {sum(counts.values())} rows ({scale}, seed {seed}, anchor {anchor}) "
        f"in {time.perf_counter() - started:.1f} s (build {built - started:.1f} s)",
        file=out,
    )
    for name, n in counts.items():
        print(f"  {name:22} {n:>8}", file=out)
    return counts


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fill a migrated database with a large made-up data set.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument(
        "--anchor", type=date.fromisoformat, default=None, help="the day that counts as today (default: today, UTC)"
    )
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL from the settings")
    parser.add_argument(
        "--create-tables",
        action="store_true",
        help="create missing tables from the models first (scratch databases without migrations)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.database_url:
        from backend.settings import Settings

        engine = create_engine(Settings(database_url=args.database_url).sync_database_url)
    else:
        from backend.db import get_sync_engine

        engine = get_sync_engine()
    if args.create_tables:
        SQLModel.metadata.create_all(engine)
    generate(engine, scale=args.scale, seed=args.seed, anchor=args.anchor)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
