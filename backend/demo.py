"""Demo data: Københavns Kommune's boards, urban areas, housing organisations and plans.

Names of places, organisations, boards and plans are public (see DOMAIN.md). Some things are modelled
rather than published, and say so in their text: successor plans and extended periods (so that several
plans are active today), how some estates split between organisations, department numbers, homes per
estate, budgets, goals and measurements, and every person's name (made up). CVR numbers of housing
organisations and partners are demo values.

Loading is deterministic (a fixed seed; dates relative to the day of loading) and happens only when
the database is empty. Every row passes the domain's rules (backend/rules.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col

from backend import clock, rules
from backend.models import (
    Account,
    Activity,
    ActivityPartner,
    ActivityStatus,
    ActorKind,
    Agreement,
    AgreementKind,
    Board,
    BoardLevel,
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
    IndicatorDirection,
    InputAnswer,
    InputChannel,
    InputStatus,
    Measurement,
    Meeting,
    Milestone,
    Municipality,
    Occurrence,
    OtherEffort,
    OtherEffortKind,
    Partner,
    PartnerKind,
    PartnerRole,
    Plan,
    PlanEstate,
    PlanOrganisation,
    PlanStatus,
    Residency,
    ResidentInput,
    UrbanArea,
    Visibility,
    pk,
)

SEED = 2026
LOCAL = ZoneInfo("Europe/Copenhagen")

# ---------------------------------------------------------------- reference data
GENERATIONS = [
    (
        "2011-14",
        2011,
        2014,
        [
            "Børn, unge og familie",
            "Uddannelse, beskæftigelse og erhverv",
            "Beboernetværk, inddragelse og demokrati",
            "Sundhed",
            "Udsatte grupper",
            "Kultur og fritid",
            "Image og kommunikation",
        ],
    ),
    (
        "2015-18",
        2015,
        2018,
        [
            "Tryghed og trivsel",
            "Kriminalpræventiv indsats",
            "Uddannelse og beskæftigelse",
            "Forebyggelse og forældreansvar",
        ],
    ),
    (
        "2019-26",
        2019,
        2026,
        [
            "Uddannelse og livschancer",
            "Beskæftigelse",
            "Kriminalitetsforebyggelse",
            "Sammenhængskraft og medborgerskab",
        ],
    ),
]
EDU, JOB, CRIME, COHESION = (
    "Uddannelse og livschancer",
    "Beskæftigelse",
    "Kriminalitetsforebyggelse",
    "Sammenhængskraft og medborgerskab",
)

CITY_BOARD = "Den Boligsociale Bestyrelse"
DISTRICT_BOARDS = {
    "amager": "Bydelsbestyrelsen Amager",
    "noerrebro": "Bydelsbestyrelsen Nørrebro",
    "nordvest": "Bydelsbestyrelsen Bispebjerg/Nordvest",
    "husum": "Bydelsbestyrelsen Brønshøj-Husum/Tingbjerg",
    "valby": "Bydelsbestyrelsen Valby/Vesterbro-Sydhavn",
}

# slug, name, district board key
URBAN_AREAS = [
    ("tingbjerg-husum", "Tingbjerg/Husum", "husum"),
    ("amager-oest", "Amager Øst/Urbanplanen", "amager"),
    ("noerrebro", "Nørrebro", "noerrebro"),
    ("nordvest", "Nordvest", "nordvest"),
    ("bispebjerg", "Bispebjerg", "nordvest"),
    ("sydhavn", "Sydhavn", "valby"),
    ("valby", "Valby", "valby"),
]

# short name, name, demo CVR
ORGANISATIONS = [
    ("fsb", "fsb", "10000001"),
    ("KAB", "KAB", "10000002"),
    ("3B", "Boligforeningen 3B", "10000003"),
    ("SAB", "SAB (administreret af KAB)", "10000004"),
    ("AAB", "AAB", "10000005"),
    ("AKB", "AKB, København", "10000006"),
    ("Vibo", "Vibo", "10000007"),
    ("HAB", "HAB (administreret af DAB)", "10000008"),
    ("DFB", "DFB (administreret af Domea.dk)", "10000009"),
    ("Bo-Vita", "Bo-Vita (administreret af KAB)", "10000010"),
]

# key, name, department number, homes, organisation, urban area (numbers are demo values)
ESTATES = [
    ("tingbjerg-fsb", "Tingbjerg (fsb)", "1101", 1180, "fsb", "tingbjerg-husum"),
    ("tingbjerg-sab", "Tingbjerg (SAB)", "2201", 820, "SAB", "tingbjerg-husum"),
    ("utterslevhuse", "Utterslevhuse", "1102", 480, "fsb", "tingbjerg-husum"),
    ("gadelandet", "Gadelandet/Husumgård", "3301", 560, "KAB", "tingbjerg-husum"),
    ("urbanplanen-3b", "Urbanplanen (3B)", "4101", 1100, "3B", "amager-oest"),
    ("urbanplanen-vibo", "Urbanplanen (Vibo)", "5101", 960, "Vibo", "amager-oest"),
    ("urbanplanen-fsb", "Urbanplanen (fsb)", "1201", 720, "fsb", "amager-oest"),
    ("hoergaarden", "Hørgården", "6101", 805, "HAB", "amager-oest"),
    ("amagerbro-dfb", "Hørgården II", "7101", 550, "DFB", "amager-oest"),
    ("mjoelnerparken", "Mjølnerparken", "8101", 560, "Bo-Vita", "noerrebro"),
    ("hothers-plads", "Hothers Plads", "8102", 451, "Bo-Vita", "noerrebro"),
    ("lundtoftegade", "Lundtoftegade", "9101", 1100, "AKB", "noerrebro"),
    ("aldersrogade", "Aldersrogade", "9102", 320, "AKB", "noerrebro"),
    ("mimerskvarteret", "Mimerskvarteret", "2301", 610, "KAB", "noerrebro"),
    ("fugle-aab", "Fuglekvarteret (AAB)", "1501", 640, "AAB", "nordvest"),
    ("fugle-3b", "Fuglekvarteret (3B)", "4201", 420, "3B", "nordvest"),
    ("fugle-sab", "Fuglekvarteret (SAB)", "2202", 380, "SAB", "nordvest"),
    ("bispeparken", "Bispeparken", "9201", 780, "AKB", "bispebjerg"),
    ("sjaeloer", "Sjælør Boulevard", "2302", 650, "KAB", "sydhavn"),
    ("akacieparken", "Akacieparken", "5201", 530, "Vibo", "valby"),
]

ADMINISTRATIONS = [
    ("ØKF", "Økonomiforvaltningen (ØKF)"),
    ("BUF", "Børne- og Ungdomsforvaltningen (BUF)"),
    ("SUF", "Sundheds- og Omsorgsforvaltningen (SUF)"),
    ("SOF", "Socialforvaltningen (SOF)"),
    ("KFF", "Kultur- og Fritidsforvaltningen (KFF)"),
    ("TMF", "Teknik- og Miljøforvaltningen (TMF)"),
    ("BIF", "Beskæftigelses- og Integrationsforvaltningen (BIF)"),
]

# key, name, kind, demo CVR
OTHER_PARTNERS = [
    ("politi", "Københavns Politi", PartnerKind.POLICE, None),
    ("ssp", "SSP København", PartnerKind.OTHER, "20000002"),
    ("bibliotek", "Tingbjerg Bibliotek", PartnerKind.OTHER, "20000001"),
    ("bibliotek-amager", "Sundby Bibliotek", PartnerKind.OTHER, None),
    ("bibliotek-noerrebro", "Nørrebro Bibliotek", PartnerKind.OTHER, None),
    ("bibliotek-nordvest", "Bibliotekshuset Rentemestervej", PartnerKind.OTHER, None),
    ("uu", "Ungdommens Uddannelsesvejledning København (UU)", PartnerKind.MUNICIPAL_ADMINISTRATION, None),
    ("jobcenter", "Jobcenter København", PartnerKind.MUNICIPAL_ADMINISTRATION, None),
    ("skole-tingbjerg", "Tingbjerg Skole", PartnerKind.SCHOOL, None),
    ("skole-amager", "Amager Fælled Skole", PartnerKind.SCHOOL, None),
    ("skole-noerrebro", "Rådmandsgades Skole", PartnerKind.SCHOOL, None),
    ("skole-nordvest", "Lundehusskolen", PartnerKind.SCHOOL, None),
    ("klub-tingbjerg", "Tingbjerg Fritidscenter", PartnerKind.OTHER, None),
    ("klub-amager", "Ungdomsklubben på Urbanplanen", PartnerKind.OTHER, None),
    ("klub-noerrebro", "Klubberne på Ydre Nørrebro", PartnerKind.OTHER, None),
    ("bydelsmoedre", "Bydelsmødre København", PartnerKind.ASSOCIATION, None),
    ("redbarnet", "Red Barnet", PartnerKind.ASSOCIATION, None),
    ("moedrehjaelpen", "Mødrehjælpen", PartnerKind.ASSOCIATION, None),
    ("dgi", "DGI Storstaden", PartnerKind.ASSOCIATION, None),
    ("natteravnene", "Natteravnene", PartnerKind.ASSOCIATION, None),
    ("lauritzen", "Lauritzen Fonden", PartnerKind.FOUNDATION, None),
]


@dataclass
class PlanSpec:
    key: str
    name: str
    summary: str
    status: PlanStatus
    start: date
    end: date
    area: str
    lead: str
    organisations: list[str]
    estates: list[str]
    activities: list[str] = field(default_factory=list)
    yearly_budget: int = 8_000_000


PLANS = [
    PlanSpec(
        "tingbjerg-2025",
        "Boligsocial helhedsplan Tingbjerg & Utterslevhuse 2025-2028",
        "Den fortsatte helhedsplan for Tingbjerg og Utterslevhuse (demo: modelleret som efterfølger til "
        "planen for 2020-2024). fsb og SAB; fokus på unges uddannelse og job og på tryghed.",
        PlanStatus.ACTIVE,
        date(2025, 1, 1),
        date(2028, 12, 31),
        "tingbjerg-husum",
        "fsb",
        ["fsb", "SAB", "KAB"],
        ["tingbjerg-fsb", "tingbjerg-sab", "utterslevhuse", "gadelandet"],
        [
            "lektiecafe",
            "sprogcafe",
            "foraeldrenetvaerk",
            "bydelsmoedre",
            "lommepengejob",
            "jobcafe",
            "uu-vejledning",
            "mentorer",
            "ssp-netvaerk",
            "nabomaegling",
            "sociale-viceværter",
            "byhave",
            "sommerfest",
        ],
        9_000_000,
    ),
    PlanSpec(
        "amagerplanen",
        "Amagerplanen",
        "Amagerplanen 2022-2025, forlænget til udgangen af 2026 (demo). 3B, Vibo, fsb, HAB (DAB) og DFB "
        "(Domea.dk); 19 afdelinger og 4.135 boliger, herunder Urbanplanen.",
        PlanStatus.ACTIVE,
        date(2022, 1, 1),
        date(2026, 12, 31),
        "amager-oest",
        "3B",
        ["3B", "Vibo", "fsb", "HAB", "DFB"],
        ["urbanplanen-3b", "urbanplanen-vibo", "urbanplanen-fsb", "hoergaarden", "amagerbro-dfb"],
        [
            "lektiecafe",
            "sommerskole",
            "bydelsmoedre",
            "fritidsjob",
            "jobcafe",
            "praktik",
            "natteravne",
            "mentorer",
            "byhave",
            "frivilligcenter",
        ],
        10_000_000,
    ),
    PlanSpec(
        "noerrebrobyggerne",
        "NørreBrobyggerne",
        "Helhedsplanen på Ydre Nørrebro: 12 afdelinger og omkring 7.000 beboere, med Mimerskvarteret "
        "(2022-2024). Perioden 2023-2026 er en demo-værdi.",
        PlanStatus.ACTIVE,
        date(2023, 1, 1),
        date(2026, 12, 31),
        "noerrebro",
        "AKB",
        ["AKB", "KAB"],
        ["lundtoftegade", "aldersrogade", "mimerskvarteret"],
        [
            "lektiecafe",
            "foraeldrenetvaerk",
            "lommepengejob",
            "uu-vejledning",
            "gadeplan",
            "ssp-netvaerk",
            "nabomaegling",
            "sommerfest",
        ],
        8_500_000,
    ),
    PlanSpec(
        "hothers-plads",
        "Hothers Plads Helhedsplanen",
        "Helhedsplanen omkring Hothers Plads, herunder Mjølnerparken, i alt 1.011 boliger. Perioden er en demo-værdi.",
        PlanStatus.ACTIVE,
        date(2024, 1, 1),
        date(2027, 12, 31),
        "noerrebro",
        "Bo-Vita",
        ["Bo-Vita"],
        ["mjoelnerparken", "hothers-plads"],
        ["lektiecafe", "bydelsmoedre", "jobcafe", "fritidsjob", "mentorer", "tryghedsvandring", "byhave"],
        6_000_000,
    ),
    PlanSpec(
        "puls",
        "Beboerprojekt Puls Fuglekvarteret",
        "Det boligsociale projekt i Fuglekvarteret i Nordvest: AAB, 3B og SAB. Perioden er en demo-værdi.",
        PlanStatus.ACTIVE,
        date(2023, 7, 1),
        date(2027, 6, 30),
        "nordvest",
        "AAB",
        ["AAB", "3B", "SAB"],
        ["fugle-aab", "fugle-3b", "fugle-sab"],
        [
            "lektiecafe",
            "foraeldrenetvaerk",
            "lommepengejob",
            "praktik",
            "gadeplan",
            "beredskab-netvaerk",
            "nabomaegling",
            "sociale-viceværter",
        ],
        6_500_000,
    ),
    PlanSpec(
        "tingbjerg-2020",
        "Boligsocial helhedsplan Tingbjerg & Utterslevhuse 2020-2024",
        "Helhedsplanen for Tingbjerg og Utterslevhuse: fsb og SAB (administreret af KAB), 8 afdelinger og "
        "omkring 2.500 boliger. Lommepengejob til omkring 30 unge om året og beboerrådgivning.",
        PlanStatus.ENDED,
        date(2020, 1, 1),
        date(2024, 12, 31),
        "tingbjerg-husum",
        "fsb",
        ["fsb", "SAB"],
        ["tingbjerg-fsb", "tingbjerg-sab", "utterslevhuse"],
        ["lommepengejob", "beboerraadgivning", "lektiecafe", "tryghedsvandring"],
        7_500_000,
    ),
    PlanSpec(
        "sydhavn-2027",
        "Boligsocial helhedsplan Sydhavn 2027-2030",
        "Udkast (demo): prækvalifikation af en helhedsplan for Sjælør Boulevard, formuleret med kommunen.",
        PlanStatus.PREQUALIFIED,
        date(2027, 1, 1),
        date(2030, 12, 31),
        "sydhavn",
        "KAB",
        ["KAB"],
        ["sjaeloer"],
        [],
        5_000_000,
    ),
]


@dataclass
class ActivitySpec:
    title: str
    focus: str
    target_group: str
    description: str
    languages: list[str]
    responsible: str  # partner key ("secretariat" = the plan's own secretariat)
    others: list[tuple[str, PartnerRole]]
    weekday: int  # 0 = Monday
    start: time
    hours: float
    visibility: Visibility = Visibility.PUBLIC
    location: str = "Beboerhuset"


ACTIVITIES: dict[str, ActivitySpec] = {
    "lektiecafe": ActivitySpec(
        "Lektiecafé",
        EDU,
        "Børn og unge 6-16 år",
        "Frivillige og studerende hjælper med lektier, læsning og matematik. Der er frugt og plads til alle.",
        ["da", "ar", "so"],
        "secretariat",
        [
            ("bibliotek", PartnerRole.CO_RESPONSIBLE),
            ("skole", PartnerRole.CONTRIBUTING),
            ("redbarnet", PartnerRole.CONTRIBUTING),
        ],
        1,
        time(15, 0),
        2,
        location="Biblioteket",
    ),
    "sprogcafe": ActivitySpec(
        "Sprogcafé for voksne",
        EDU,
        "Voksne, der vil øve dansk",
        "Øv dansk over en kop kaffe, med hjælp til breve fra det offentlige og til digitale selvbetjeninger.",
        ["da", "ar", "tr", "ur"],
        "bibliotek",
        [("secretariat", PartnerRole.CO_RESPONSIBLE), ("KFF", PartnerRole.CONTRIBUTING)],
        3,
        time(10, 0),
        2,
        location="Biblioteket",
    ),
    "sommerskole": ActivitySpec(
        "Sommerskole",
        EDU,
        "Skolebørn 10-14 år",
        "En uge med læsning, naturfag og udflugter i sommerferien, så ferien ikke koster læring.",
        ["da"],
        "skole",
        [("secretariat", PartnerRole.CO_RESPONSIBLE), ("BUF", PartnerRole.CONTRIBUTING)],
        0,
        time(9, 0),
        5,
        location="Skolen",
    ),
    "foraeldrenetvaerk": ActivitySpec(
        "Forældrenetværk",
        EDU,
        "Forældre til skolebørn",
        "Forældre mødes om skole, fritid og opdragelse og får besøg af skolen, sundhedsplejen og SSP.",
        ["da", "ar", "so", "tr"],
        "secretariat",
        [
            ("BUF", PartnerRole.CO_RESPONSIBLE),
            ("bibliotek", PartnerRole.CONTRIBUTING),
            ("ssp", PartnerRole.CONTRIBUTING),
        ],
        2,
        time(17, 0),
        2,
    ),
    "bydelsmoedre": ActivitySpec(
        "Bydelsmødre",
        EDU,
        "Kvinder og familier",
        "Bydelsmødre er frivillige kvinder, der hjælper andre kvinder med viden om rettigheder, "
        "sundhed, skole og kommunens tilbud, på deres eget sprog.",
        ["da", "ar", "so", "tr", "ur", "fa"],
        "bydelsmoedre",
        [
            ("secretariat", PartnerRole.CO_RESPONSIBLE),
            ("SUF", PartnerRole.CONTRIBUTING),
            ("bibliotek", PartnerRole.CONTRIBUTING),
        ],
        4,
        time(10, 0),
        2,
    ),
    "lommepengejob": ActivitySpec(
        "Lommepengejob",
        JOB,
        "Unge 13-17 år",
        "Unge tjener deres første penge med små opgaver i afdelingerne sammen med ejendomsfunktionærerne "
        "og får en anbefaling med videre.",
        ["da"],
        "secretariat",
        [("BIF", PartnerRole.CONTRIBUTING), ("klub", PartnerRole.CONTRIBUTING)],
        2,
        time(14, 30),
        2,
        location="Ejendomskontoret",
    ),
    "fritidsjob": ActivitySpec(
        "Fritidsjobformidling",
        JOB,
        "Unge 13-17 år",
        "Hjælp til at skrive en ansøgning og finde et fritidsjob i lokale butikker og foreninger.",
        ["da", "ar"],
        "secretariat",
        [
            ("BIF", PartnerRole.CO_RESPONSIBLE),
            ("klub", PartnerRole.CONTRIBUTING),
            ("lauritzen", PartnerRole.CONTRIBUTING),
        ],
        1,
        time(16, 0),
        2,
    ),
    "jobcafe": ActivitySpec(
        "Jobcafé",
        JOB,
        "Voksne uden for arbejdsmarkedet",
        "Åben rådgivning om job, CV, ansøgninger og uddannelse, sammen med Jobcenter København.",
        ["da", "ar", "so", "en"],
        "jobcenter",
        [("secretariat", PartnerRole.CO_RESPONSIBLE), ("bibliotek", PartnerRole.CONTRIBUTING)],
        0,
        time(13, 0),
        3,
    ),
    "uu-vejledning": ActivitySpec(
        "Job- og uddannelsesvejledning for unge",
        JOB,
        "Unge 15-24 år uden for uddannelse og job",
        "Vejledere fra UU og jobcentret møder de unge lokalt og hjælper dem videre i uddannelse eller job.",
        ["da", "ar", "so"],
        "uu",
        [("jobcenter", PartnerRole.CO_RESPONSIBLE), ("secretariat", PartnerRole.CONTRIBUTING)],
        3,
        time(14, 0),
        3,
    ),
    "praktik": ActivitySpec(
        "Erhvervspraktik for unge",
        JOB,
        "Unge 14-18 år",
        "Praktikforløb i lokale virksomheder, så de unge får erfaring og netværk.",
        ["da"],
        "secretariat",
        [("uu", PartnerRole.CO_RESPONSIBLE), ("skole", PartnerRole.CONTRIBUTING)],
        4,
        time(9, 0),
        4,
    ),
    "mentorer": ActivitySpec(
        "Mentorordning for unge",
        CRIME,
        "Unge 12-20 år i risiko for kriminalitet",
        "Frivillige mentorer støtter unge, der er i risiko for at komme i dårligt selskab, med fritid, skole og job.",
        ["da", "ar", "so"],
        "secretariat",
        [("SOF", PartnerRole.CO_RESPONSIBLE), ("ssp", PartnerRole.CONTRIBUTING), ("dgi", PartnerRole.CONTRIBUTING)],
        1,
        time(18, 0),
        2,
    ),
    "ssp-netvaerk": ActivitySpec(
        "SSP-samarbejde om unge i risiko",
        CRIME,
        "Fagpersoner",
        "Lokalt netværksmøde mellem SSP, politi, skole, klub og helhedsplanen om unge i risiko. Internt møde.",
        ["da"],
        "ssp",
        [
            ("politi", PartnerRole.CO_RESPONSIBLE),
            ("secretariat", PartnerRole.CONTRIBUTING),
            ("klub", PartnerRole.CONTRIBUTING),
        ],
        2,
        time(9, 0),
        2,
        visibility=Visibility.INTERNAL,
        location="Helhedsplanens sekretariat",
    ),
    "beredskab-netvaerk": ActivitySpec(
        "Tryghedsnetværk (internt)",
        CRIME,
        "Fagpersoner",
        "Fast møde om tryghedssituationen i området mellem politi, SSP, boligorganisationer og sekretariat.",
        ["da"],
        "politi",
        [("ssp", PartnerRole.CO_RESPONSIBLE), ("secretariat", PartnerRole.CONTRIBUTING)],
        0,
        time(8, 30),
        1.5,
        visibility=Visibility.INTERNAL,
        location="Helhedsplanens sekretariat",
    ),
    "gadeplan": ActivitySpec(
        "Gadeplansarbejde",
        CRIME,
        "Unge 13-25 år",
        "Gadeplansmedarbejdere er til stede i området om aftenen og skaber kontakt til unge.",
        ["da", "ar"],
        "SOF",
        [("ssp", PartnerRole.CO_RESPONSIBLE), ("klub", PartnerRole.CONTRIBUTING)],
        4,
        time(19, 0),
        3,
        location="Området",
    ),
    "natteravne": ActivitySpec(
        "Natteravne",
        CRIME,
        "Alle beboere",
        "Voksne frivillige går ture i området fredag og lørdag aften og er synlige voksne for de unge.",
        ["da", "ar", "tr"],
        "natteravnene",
        [("secretariat", PartnerRole.CO_RESPONSIBLE), ("politi", PartnerRole.CONTRIBUTING)],
        4,
        time(20, 0),
        3,
        location="Området",
    ),
    "tryghedsvandring": ActivitySpec(
        "Tryghedsvandring",
        CRIME,
        "Alle beboere",
        "Beboere, politi og boligorganisation går en tur og finder steder, der føles utrygge: lys, beplantning, "
        "opgange.",
        ["da", "en"],
        "secretariat",
        [("politi", PartnerRole.CO_RESPONSIBLE), ("TMF", PartnerRole.CONTRIBUTING)],
        2,
        time(18, 0),
        2,
        location="Mødested ved beboerhuset",
    ),
    "nabomaegling": ActivitySpec(
        "Nabomægling",
        COHESION,
        "Naboer i konflikt",
        "Uddannede frivillige mæglere hjælper naboer med at løse konflikter om støj, affald og børn.",
        ["da", "ar", "so", "tr"],
        "secretariat",
        [("SOF", PartnerRole.CONTRIBUTING)],
        3,
        time(17, 0),
        2,
    ),
    "sociale-viceværter": ActivitySpec(
        "Sociale viceværter",
        COHESION,
        "Beboere med behov for hjælp i hverdagen",
        "Sociale viceværter hjælper beboere, der har svært ved at klare hverdagen, og bygger bro til kommunens tilbud.",
        ["da", "ar", "so", "ur", "fa"],
        "secretariat",
        [("SOF", PartnerRole.CO_RESPONSIBLE), ("SUF", PartnerRole.CONTRIBUTING)],
        0,
        time(10, 0),
        3,
        location="Ejendomskontoret",
    ),
    "byhave": ActivitySpec(
        "Fællesdyrkning i byhaven",
        COHESION,
        "Alle beboere",
        "Vi dyrker grøntsager og blomster sammen i afdelingens byhave. Ingen erfaring nødvendig.",
        ["da", "ar", "en"],
        "secretariat",
        [("TMF", PartnerRole.CONTRIBUTING)],
        5,
        time(11, 0),
        3,
        location="Byhaven",
    ),
    "sommerfest": ActivitySpec(
        "Naboskabsfest",
        COHESION,
        "Alle beboere",
        "Fællesspisning, musik og aktiviteter for børn. Tag naboen med.",
        ["da", "ar", "so", "tr", "en"],
        "secretariat",
        [
            ("klub", PartnerRole.CONTRIBUTING),
            ("KFF", PartnerRole.CONTRIBUTING),
            ("bibliotek", PartnerRole.CONTRIBUTING),
        ],
        5,
        time(14, 0),
        4,
        location="Gården",
    ),
    "beboerraadgivning": ActivitySpec(
        "Beboerrådgivning",
        COHESION,
        "Alle beboere",
        "Gratis rådgivning om økonomi, gæld, breve fra myndigheder og boligsager.",
        ["da", "ar", "so", "en"],
        "secretariat",
        [("moedrehjaelpen", PartnerRole.CONTRIBUTING), ("bibliotek", PartnerRole.CONTRIBUTING)],
        1,
        time(10, 0),
        3,
    ),
    "frivilligcenter": ActivitySpec(
        "Frivilligcenter",
        COHESION,
        "Alle beboere",
        "Sted for beboere, der vil starte noget eller give en hånd med: klubber, kurser og arrangementer.",
        ["da", "en"],
        "secretariat",
        [("KFF", PartnerRole.CONTRIBUTING)],
        3,
        time(16, 0),
        3,
    ),
}

# partner keys that depend on the plan's area
LOCAL_PARTNERS = {
    "tingbjerg-husum": {"skole": "skole-tingbjerg", "klub": "klub-tingbjerg"},
    "amager-oest": {"skole": "skole-amager", "klub": "klub-amager", "bibliotek": "bibliotek-amager"},
    "noerrebro": {"skole": "skole-noerrebro", "klub": "klub-noerrebro", "bibliotek": "bibliotek-noerrebro"},
    "nordvest": {"skole": "skole-nordvest", "klub": "klub-noerrebro", "bibliotek": "bibliotek-nordvest"},
    "sydhavn": {"skole": "skole-amager", "klub": "klub-amager", "bibliotek": "bibliotek-amager"},
}

# indicator templates per focus area: name, unit, data source, baseline, target, direction
INDICATORS: dict[str, list[tuple[str, str, str, float, float, IndicatorDirection]]] = {
    EDU: [
        (
            "Andel børn, der består dansk og matematik i 9. klasse",
            "%",
            "Børne- og Ungdomsforvaltningen",
            62,
            75,
            IndicatorDirection.INCREASE,
        ),
        ("Børn i lektiecaféen pr. uge", "antal", "Helhedsplanens registrering", 25, 40, IndicatorDirection.INCREASE),
    ],
    JOB: [
        ("Andel 15-24-årige uden for uddannelse og job", "%", "Danmarks Statistik", 14, 9, IndicatorDirection.DECREASE),
        (
            "Unge i lommepenge- og fritidsjob pr. år",
            "antal",
            "Helhedsplanens registrering",
            20,
            35,
            IndicatorDirection.INCREASE,
        ),
    ],
    CRIME: [
        (
            "Andel unge 15-20 år sigtet for kriminalitet",
            "%",
            "Københavns Politi",
            4.0,
            2.5,
            IndicatorDirection.DECREASE,
        ),
        (
            "Andel beboere, der føler sig trygge om aftenen",
            "%",
            "Tryghedsundersøgelsen",
            68,
            80,
            IndicatorDirection.INCREASE,
        ),
    ],
    COHESION: [
        (
            "Andel beboere, der kender naboer, de kan bede om hjælp",
            "%",
            "Beboerundersøgelse",
            55,
            65,
            IndicatorDirection.INCREASE,
        ),
        ("Aktive frivillige", "antal", "Helhedsplanens registrering", 40, 60, IndicatorDirection.INCREASE),
    ],
}
GOALS = {
    EDU: "Flere børn og unge klarer sig godt i skolen",
    JOB: "Flere unge og voksne i uddannelse og job",
    CRIME: "Færre unge begår kriminalitet, og flere føler sig trygge",
    COHESION: "Stærkere fællesskaber og flere aktive beboere",
}

RESIDENTS = [
    # subject, display name (made up), estate key or None
    ("beboer-tingbjerg", "Amira (demo)", "tingbjerg-fsb"),
    ("beboer-urbanplanen", "Mikkel (demo)", "urbanplanen-3b"),
    ("beboer-ny", "Nour (demo)", None),
]
# subject, issuer, kind, organisation short name / partner key / municipality
STAFF = [
    ("fsb-medarbejder", "dev-erhverv", ActorKind.HOUSING_ORGANISATION, "Medarbejder i fsb (demo)", "fsb"),
    ("3b-medarbejder", "dev-erhverv", ActorKind.HOUSING_ORGANISATION, "Medarbejder i 3B (demo)", "3B"),
    ("kommune-tmf", "dev-kommune", ActorKind.MUNICIPALITY, "Medarbejder i TMF (demo)", "101"),
    ("partner-bibliotek", "dev-erhverv", ActorKind.PARTNER, "Medarbejder på Tingbjerg Bibliotek (demo)", "bibliotek"),
    ("partner-ssp", "dev-erhverv", ActorKind.PARTNER, "Medarbejder i SSP København (demo)", "ssp"),
    ("lbf-tilsyn", "dev-lbf", ActorKind.FUND, "Tilsyn i Landsbyggefonden (demo)", None),
]

MEMBER_NAMES = [
    "Fatima A.",
    "Hans J.",
    "Yasmin K.",
    "Peter L.",
    "Aisha M.",
    "Bent N.",
    "Hodan O.",
    "Karin P.",
    "Mehmet R.",
    "Lone S.",
    "Ali T.",
    "Birgit V.",
    "Samira W.",
    "Jens Ø.",
    "Zainab Å.",
    "Ole B.",
]  # made up


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL).astimezone(UTC)


def is_empty(session: Session) -> bool:
    return session.execute(select(col(Municipality.id)).limit(1)).first() is None


Row = TypeVar("Row", bound=SQLModel)


def load(session: Session, *, today: date | None = None) -> None:
    """Add the demo data to an empty database, in the session's transaction (the caller commits)."""
    today = today or clock.today()
    rng = random.Random(SEED)

    def add(obj: Row) -> Row:
        session.add(obj)
        session.flush()
        return obj

    kbh = add(Municipality(name="Københavns Kommune", code="101"))

    # funding generations and focus areas
    generations: dict[str, FundingGeneration] = {}
    focus: dict[tuple[str, str], FocusArea] = {}
    for name, start, end, area_names in GENERATIONS:
        gen = generations[name] = add(FundingGeneration(name=name, start_year=start, end_year=end))
        for position, area_name in enumerate(area_names):
            focus[(name, area_name)] = add(FocusArea(name=area_name, generation_id=pk(gen), position=position))

    add(Board(name=CITY_BOARD, level=BoardLevel.CITY, municipality_id=pk(kbh)))
    boards = {
        key: add(Board(name=name, level=BoardLevel.DISTRICT, municipality_id=pk(kbh)))
        for key, name in DISTRICT_BOARDS.items()
    }
    areas = {
        slug: add(UrbanArea(name=name, slug=slug, municipality_id=pk(kbh), board_id=boards[board].id))
        for slug, name, board in URBAN_AREAS
    }
    orgs = {short: add(HousingOrganisation(name=name, short_name=short, cvr=cvr)) for short, name, cvr in ORGANISATIONS}
    estates = {
        key: add(
            HousingEstate(
                name=name,
                department_number=number,
                homes=homes,
                organisation_id=pk(orgs[org]),
                urban_area_id=pk(areas[area]),
            )
        )
        for key, name, number, homes, org, area in ESTATES
    }
    partners: dict[str, Partner] = {}
    for short, name in ADMINISTRATIONS:
        partners[short] = add(Partner(name=name, kind=PartnerKind.MUNICIPAL_ADMINISTRATION, municipality_id=kbh.id))
    for key, name, kind, cvr in OTHER_PARTNERS:
        municipal = (
            kind == PartnerKind.MUNICIPAL_ADMINISTRATION
            or key == "ssp"
            or key.startswith(("skole", "klub", "bibliotek"))
        )
        partners[key] = add(Partner(name=name, kind=kind, cvr=cvr, municipality_id=kbh.id if municipal else None))

    # other efforts per urban area
    efforts = [
        (
            "tingbjerg-husum",
            OtherEffortKind.DEVELOPMENT_PLAN,
            "Udviklingsplan for Tingbjerg",
            "Ny bebyggelse, nye veje og blandede boligformer frem mod 2030.",
        ),
        (
            "tingbjerg-husum",
            OtherEffortKind.LETTING_AGREEMENT,
            "Udlejningsaftale for Tingbjerg",
            "Kombineret udlejning og fleksibel udlejning i afdelingerne.",
        ),
        (
            "amager-oest",
            OtherEffortKind.LETTING_AGREEMENT,
            "Udlejningsaftale for Urbanplanen",
            "Kombineret udlejning mellem kommunen og boligorganisationerne.",
        ),
        (
            "amager-oest",
            OtherEffortKind.AREA_RENEWAL,
            "Områdefornyelse Amager Øst",
            "Byrum, stier og mødesteder omkring Urbanplanen.",
        ),
        (
            "noerrebro",
            OtherEffortKind.DEVELOPMENT_PLAN,
            "Udviklingsplan for Mjølnerparken",
            "Fysisk omdannelse og nye boligtyper.",
        ),
        (
            "noerrebro",
            OtherEffortKind.AREA_RENEWAL,
            "Områdefornyelse Mimersgadekvarteret",
            "Byrum og fællesskaber i Mimersgadekvarteret.",
        ),
        (
            "nordvest",
            OtherEffortKind.AREA_RENEWAL,
            "Områdefornyelse Nordvest",
            "Grønne forbindelser og mødesteder i Fuglekvarteret.",
        ),
        ("bispebjerg", OtherEffortKind.LETTING_AGREEMENT, "Udlejningsaftale for Bispeparken", "Fleksibel udlejning."),
        ("sydhavn", OtherEffortKind.AREA_RENEWAL, "Områdefornyelse Sydhavn", "Byrum ved Sjælør Boulevard."),
        ("valby", OtherEffortKind.LETTING_AGREEMENT, "Udlejningsaftale for Akacieparken", "Kombineret udlejning."),
    ]
    for area_slug, effort_kind, name, description in efforts:
        add(OtherEffort(urban_area_id=pk(areas[area_slug]), kind=effort_kind, name=name, description=description))

    generation = generations["2019-26"]
    gen_focus = {name: fa for (gname, name), fa in focus.items() if gname == generation.name}
    plans: dict[str, Plan] = {}
    groups: dict[str, FollowUpGroup] = {}
    activity_ids: dict[str, list[int]] = {}

    for spec in PLANS:
        area = areas[spec.area]
        plan = plans[spec.key] = add(
            Plan(
                name=spec.name,
                summary=spec.summary,
                status=spec.status,
                start_date=spec.start,
                end_date=spec.end,
                generation_id=pk(generation),
                urban_area_id=pk(area),
                board_id=area.board_id,
                lead_organisation_id=pk(orgs[spec.lead]),
            )
        )
        for org in spec.organisations:
            session.add(PlanOrganisation(plan_id=pk(plan), organisation_id=pk(orgs[org])))
        for estate in spec.estates:
            session.add(PlanEstate(plan_id=pk(plan), estate_id=pk(estates[estate])))
        session.flush()

        # financing per year: LBF 75 %, municipality 12.5 %, housing organisations 12.5 %
        for year in range(spec.start.year, spec.end.year + 1):
            split = [
                (FinancingParty.LANDSBYGGEFONDEN, Decimal("75")),
                (FinancingParty.MUNICIPALITY, Decimal("12.5")),
                (FinancingParty.HOUSING_ORGANISATION, Decimal("12.5")),
            ]
            problems = rules.financing_problems(split)
            if problems:
                raise ValueError(f"demo financing for {spec.name} {year}: {problems}")
            if spec.status == PlanStatus.PREQUALIFIED or year > today.year:
                used = Decimal("0")
            elif year < today.year:
                used = Decimal(rng.randint(88, 100)) / 100
            else:
                used = Decimal(today.timetuple().tm_yday) / Decimal(366) * Decimal("0.95")
            for party, share in split:
                budget = (Decimal(spec.yearly_budget) * share / 100).quantize(Decimal("1"))
                session.add(
                    Financing(
                        plan_id=pk(plan),
                        year=year,
                        party=party,
                        share_percent=share,
                        budget=budget,
                        spent=(budget * used).quantize(Decimal("1")),
                    )
                )

        # milestones
        for year in range(spec.start.year, spec.end.year + 1):
            for title in (
                "Årsrapport og regnskab sendt til Landsbyggefonden",
                "Midtvejsstatus drøftet i bydelsbestyrelsen",
            ):
                session.add(Milestone(plan_id=pk(plan), year=year, title=f"{title} ({year})", done=year < today.year))
        session.flush()

        if spec.status == PlanStatus.PREQUALIFIED:
            session.add(
                Agreement(
                    plan_id=pk(plan),
                    kind=AgreementKind.STRATEGIC,
                    version=1,
                    title=f"Udkast til strategisk samarbejdsaftale: {spec.name}",
                    body="Prækvalifikation formuleret af boligorganisationen og forvaltningerne.",
                )
            )
            session.flush()
            continue

        # agreements: strategic, one sub-agreement per focus area, emergency plan
        approved = _local(spec.start - timedelta(days=60), time(12, 0))
        add(
            Agreement(
                plan_id=pk(plan),
                kind=AgreementKind.STRATEGIC,
                version=1,
                title=f"Strategisk samarbejdsaftale: {spec.name}",
                body="Fælles mål for indsatsen og den overordnede organisering og styring.",
                approved_at=approved,
            )
        )
        if spec.key == "tingbjerg-2025":
            add(
                Agreement(
                    plan_id=pk(plan),
                    kind=AgreementKind.STRATEGIC,
                    version=2,
                    title=f"Strategisk samarbejdsaftale: {spec.name} (revision)",
                    body="Udkast til revision: styrket indsats for unge uden for uddannelse og job. "
                    "Kræver Landsbyggefondens godkendelse.",
                )
            )
        sub_agreements: dict[str, Agreement] = {}
        for name, fa in gen_focus.items():
            sub_agreements[name] = add(
                Agreement(
                    plan_id=pk(plan),
                    kind=AgreementKind.SUB_AGREEMENT,
                    focus_area_id=fa.id,
                    version=1,
                    title=f"Delaftale: {name}",
                    body=f"Handleplan for indsatsområdet {name}: aktiviteter, parter og ansvarsfordeling.",
                    approved_at=approved,
                )
            )
        add(
            Agreement(
                plan_id=pk(plan),
                kind=AgreementKind.EMERGENCY_PLAN,
                version=1,
                title=f"Beredskabsplan: {spec.name}",
                body="Hvordan kommune, boligorganisationer og politi håndterer akut uro og tryghedsproblemer. "
                "Ikke offentlig.",
                approved_at=approved,
            )
        )

        # goals, indicators and measurements
        for name, fa in gen_focus.items():
            goal = add(Goal(plan_id=pk(plan), focus_area_id=pk(fa), title=GOALS[name]))
            for ind_name, unit, source, baseline, target, direction in INDICATORS[name]:
                indicator = add(
                    Indicator(
                        goal_id=pk(goal),
                        name=ind_name,
                        unit=unit,
                        data_source=source,
                        baseline=float(baseline),
                        target=float(target),
                        direction=direction,
                    )
                )
                value = float(baseline)
                step = (float(target) - float(baseline)) / max(1, spec.end.year - spec.start.year + 1)
                for year in range(spec.start.year, min(spec.end.year, today.year - 1) + 1):
                    value = round(value + step * rng.uniform(0.4, 1.2), 1)
                    session.add(Measurement(indicator_id=pk(indicator), period=date(year, 12, 31), value=value))
        session.flush()

        # activities with partners and occurrences
        plan_ended = spec.end < today
        secretariat = add(
            Partner(
                name=f"Helhedsplanens sekretariat, {spec.name.removeprefix('Boligsocial helhedsplan ')}",
                kind=PartnerKind.HOUSING_ORGANISATION,
            )
        )
        local = LOCAL_PARTNERS[spec.area]
        activity_ids[spec.key] = []
        for key in spec.activities:
            a = ACTIVITIES[key]
            fa = gen_focus[a.focus]
            if not rules.focus_area_fits_plan(fa.generation_id, plan.generation_id):
                raise ValueError(f"demo activity {a.title}: focus area outside the plan's generation")
            status = (
                ActivityStatus.ENDED
                if plan_ended
                else (ActivityStatus.PLANNED if key == "sommerskole" else ActivityStatus.ACTIVE)
            )
            if not plan_ended and key == "frivilligcenter":
                status = ActivityStatus.PAUSED
            activity = add(
                Activity(
                    plan_id=pk(plan),
                    focus_area_id=pk(fa),
                    agreement_id=sub_agreements[a.focus].id,
                    title=a.title,
                    description=a.description,
                    target_group=a.target_group,
                    status=status,
                    visibility=a.visibility,
                    location=f"{a.location}, {areas[spec.area].name}",
                    contact=f"helhedsplan-{spec.key}@example.dk",
                    languages=list(a.languages),
                )
            )
            activity_ids[spec.key].append(pk(activity))

            # the plan's secretariat and local partners, bound now (the helper is defined in the loop)
            def partner_of(ref: str, secretariat: Partner = secretariat, local: dict[str, str] = local) -> Partner:
                if ref == "secretariat":
                    return secretariat
                return partners[local.get(ref, ref)]

            roles = {pk(partner_of(a.responsible)): PartnerRole.RESPONSIBLE}
            for ref, role in a.others:
                roles.setdefault(pk(partner_of(ref)), role)
            for partner_id, role in roles.items():
                session.add(ActivityPartner(activity_id=pk(activity), partner_id=partner_id, role=role))

            # occurrences: weekly, a few past ones with participant counts and the coming weeks
            if plan_ended:
                days = [spec.end - timedelta(days=7 * w) for w in (3, 2, 1)]
            elif status == ActivityStatus.PAUSED:
                days = []
            else:
                monday = today - timedelta(days=today.weekday())
                days = [monday + timedelta(days=a.weekday + 7 * w) for w in range(-3, 6)]
                if key == "sommerskole":
                    days = [date(today.year + 1, 7, 6) + timedelta(days=d) for d in range(5)]
            for day in days:
                starts = _local(day, a.start)
                past = day < today
                session.add(
                    Occurrence(
                        activity_id=pk(activity),
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=a.hours),
                        participant_count=rng.randint(6, 40) if past else None,
                        cancelled=not past and rng.random() < 0.04,
                    )
                )
        session.flush()

        # a follow-up group per running plan (an ended plan's group has handed over to its successor's)
        if plan_ended:
            continue
        group = groups[spec.key] = add(
            FollowUpGroup(
                plan_id=pk(plan),
                name=f"Følgegruppen for {spec.name}",
                description="Beboere fra afdelingsbestyrelserne følger helhedsplanens aktiviteter og giver input.",
            )
        )
        for estate in spec.estates:
            session.add(FollowUpGroupEstate(group_id=pk(group), estate_id=pk(estates[estate])))
        names = rng.sample(MEMBER_NAMES, 5)
        member_roles = ["formand", "næstformand", "medlem", "medlem", "beboerrepræsentant"]
        for member_name, member_role in zip(names, member_roles, strict=True):
            session.add(GroupMember(group_id=pk(group), display_name=member_name, role=member_role))
        for weeks, minutes in ((-10, True), (-3, True), (4, False), (12, False)):
            day = today + timedelta(weeks=weeks)
            session.add(
                Meeting(
                    group_id=pk(group),
                    starts_at=_local(day, time(19, 0)),
                    location="Beboerhuset",
                    agenda=(
                        "1. Nyt fra helhedsplanen\n2. Aktiviteter i næste kvartal\n3. Input fra beboerne\n4. Eventuelt"
                    ),
                    minutes="Følgegruppen drøftede aktiviteterne og beboernes input." if minutes else None,
                )
            )
        session.flush()

    # accounts: residents (with residencies) and the staff and partner demo accounts
    accounts: dict[str, Account] = {}
    for subject, display_name, home in RESIDENTS:
        accounts[subject] = add(
            Account(issuer="dev-borger", subject=subject, kind=ActorKind.RESIDENT, display_name=display_name)
        )
        if home:
            session.add(
                Residency(
                    account_id=pk(accounts[subject]),
                    estate_id=pk(estates[home]),
                    since=date(2019, 8, 1),
                    confirmed_by="STAFF",
                )
            )
    for subject, issuer, staff_kind, staff_name, org_ref in STAFF:
        account = Account(issuer=issuer, subject=subject, kind=staff_kind, display_name=staff_name)
        if staff_kind == ActorKind.HOUSING_ORGANISATION:
            assert org_ref is not None  # only the fund's account names no organisation
            account.housing_organisation_id = orgs[org_ref].id
        elif staff_kind == ActorKind.PARTNER:
            assert org_ref is not None
            account.partner_id = partners[org_ref].id
        elif staff_kind == ActorKind.MUNICIPALITY:
            account.municipality_id = kbh.id
        accounts[subject] = add(account)

    # resident inputs and answers
    inputs = [
        (
            "tingbjerg-2025",
            "beboer-tingbjerg",
            "Lektiecafé om lørdagen?",
            "Mange børn vil gerne have hjælp i weekenden. Kan lektiecaféen også holde åbent om lørdagen?",
            0,
            InputStatus.ANSWERED,
            True,
            "Tak for forslaget. Vi afprøver lørdagsåbent i biblioteket fra januar.",
        ),
        (
            "tingbjerg-2025",
            "beboer-tingbjerg",
            "Mere lys ved stien",
            "Stien mellem Ruten og skolen er mørk om aftenen. Kan den tages med på næste tryghedsvandring?",
            None,
            InputStatus.UNDER_CONSIDERATION,
            False,
            None,
        ),
        (
            "tingbjerg-2025",
            None,
            "Fællesspisning for ældre",
            "Indsendt på papir: ønske om fællesspisning for ældre beboere en gang om måneden.",
            None,
            InputStatus.RECEIVED,
            False,
            None,
        ),
        (
            "amagerplanen",
            "beboer-urbanplanen",
            "Byhaven skal have vand",
            "Der mangler en vandhane ved byhaven, så vi skal bære vand fra opgangen.",
            0,
            InputStatus.ANSWERED,
            True,
            "Ejendomskontoret sætter en vandhane op inden sæsonen starter.",
        ),
        (
            "amagerplanen",
            "beboer-urbanplanen",
            "Fritidsjob til 15-årige",
            "Min søn vil gerne have et fritidsjob. Hvor kan han henvende sig?",
            None,
            InputStatus.RECEIVED,
            False,
            None,
        ),
    ]
    for plan_key, author, title, body, activity_index, input_status, published, answer in inputs:
        concerns = None
        if activity_index is not None:
            concerns = activity_ids[plan_key][activity_index]
        item = add(
            ResidentInput(
                group_id=pk(groups[plan_key]),
                author_account_id=accounts[author].id if author else None,
                title=title,
                body=body,
                concerns_activity_id=concerns,
                status=input_status,
                channel=InputChannel.WEB if author else InputChannel.PAPER,
                published=published,
            )
        )
        if answer:
            session.add(InputAnswer(input_id=pk(item), body=answer, author_kind=ActorKind.HOUSING_ORGANISATION))
    session.flush()


def load_if_empty(engine: Engine | None = None, *, today: date | None = None) -> bool:
    """Load the demo data when the database holds none; True when it loaded."""
    if engine is None:
        from backend.db import get_sync_engine

        engine = get_sync_engine()
    with Session(engine) as session:
        if not is_empty(session):
            return False
        load(session, today=today)
        session.commit()
    return True
