"""The domain's enums as GraphQL enums (values UPPERCASE, each with a description)."""

from __future__ import annotations

import strawberry

from backend import models as m


def _enum(cls, description: str, values: dict[str, str]):
    strawberry.enum(cls, description=description)
    missing = {member.name for member in cls} - set(values)
    if missing:
        raise ValueError(f"{cls.__name__}: describe {sorted(missing)}")
    for value in cls.__strawberry_definition__.values:
        value.description = values[value.name]
    return cls


BoardLevel = _enum(
    m.BoardLevel,
    "The level a board works at.",
    {
        "CITY": "Den Boligsociale Bestyrelse: the whole city.",
        "DISTRICT": "A bydelsbestyrelse: the urban areas of one district.",
    },
)
PlanStatus = _enum(
    m.PlanStatus,
    "Where a plan is in its life, from prequalification to its end.",
    {
        "PREQUALIFIED": "Prequalified with the municipality (not public).",
        "IN_DIALOGUE": "In dialogue with Landsbyggefonden (not public).",
        "APPROVED_BY_CITY_COUNCIL": "Approved by the City Council (Borgerrepræsentationen).",
        "APPROVED_BY_LBF": "Approved by Landsbyggefonden.",
        "ACTIVE": "Running.",
        "ENDED": "Ended.",
    },
)
AgreementKind = _enum(
    m.AgreementKind,
    "The kind of a plan document.",
    {
        "STRATEGIC": "Strategisk samarbejdsaftale: common goals, organisation and steering.",
        "SUB_AGREEMENT": "Delaftale: the action plan of one focus area.",
        "EMERGENCY_PLAN": "Beredskabsplan: handling acute unrest (not public).",
    },
)
IndicatorDirection = _enum(
    m.IndicatorDirection,
    "Which way an indicator should move.",
    {
        "INCREASE": "Higher is better.",
        "DECREASE": "Lower is better.",
        "KEEP": "The level should be kept.",
    },
)
FinancingParty = _enum(
    m.FinancingParty,
    "Who pays a share of a plan.",
    {
        "LANDSBYGGEFONDEN": "Landsbyggefonden (at most 75 %).",
        "MUNICIPALITY": "The municipality.",
        "HOUSING_ORGANISATION": "The housing organisations.",
        "OTHER": "Another party, e.g. a foundation.",
    },
)
ActivityStatus = _enum(
    m.ActivityStatus,
    "Where an activity is in its life.",
    {
        "PLANNED": "Planned, not started.",
        "ACTIVE": "Running.",
        "PAUSED": "Paused for now.",
        "ENDED": "Ended.",
    },
)
Visibility = _enum(
    m.Visibility,
    "Who may see an activity.",
    {
        "PUBLIC": "Everyone, also without sign-in.",
        "INTERNAL": "The plan's staff and the activity's partners only.",
    },
)
PartnerRole = _enum(
    m.PartnerRole,
    "A partner's role in an activity.",
    {
        "RESPONSIBLE": "Responsible for carrying out the activity.",
        "CO_RESPONSIBLE": "Shares the responsibility.",
        "CONTRIBUTING": "Contributes to the activity.",
    },
)
PartnerKind = _enum(
    m.PartnerKind,
    "What kind of organisation a partner is.",
    {
        "MUNICIPAL_ADMINISTRATION": "A municipal administration (forvaltning).",
        "HOUSING_ORGANISATION": "A housing organisation.",
        "POLICE": "The police.",
        "SCHOOL": "A school.",
        "ASSOCIATION": "An association (forening).",
        "FOUNDATION": "A foundation (fond).",
        "OTHER": "Another kind of organisation (library, club, ...).",
    },
)
InputStatus = _enum(
    m.InputStatus,
    "Where a resident input is in its handling.",
    {
        "RECEIVED": "Received, not yet looked at.",
        "UNDER_CONSIDERATION": "Being considered by the follow-up group.",
        "ANSWERED": "Answered.",
        "CLOSED": "Closed.",
    },
)
InputChannel = _enum(
    m.InputChannel,
    "How a resident input arrived.",
    {
        "WEB": "Through the portal.",
        "PAPER": "On paper, registered by staff.",
        "PHONE": "By phone, registered by staff.",
        "IN_PERSON": "In person, registered by staff.",
    },
)
OtherEffortKind = _enum(
    m.OtherEffortKind,
    "The kind of another effort in an urban area.",
    {
        "LETTING_AGREEMENT": "Udlejningsaftale: a letting agreement.",
        "DEVELOPMENT_PLAN": "Udviklingsplan: a development plan.",
        "AREA_RENEWAL": "Områdefornyelse: area renewal.",
    },
)
DecisionOutcome = _enum(
    m.DecisionOutcome,
    "What a decision on a plan or a document version was.",
    {
        "APPROVED": "Approved.",
        "SENT_BACK": "Sent back to the housing organisations with a note.",
    },
)
ActorKind = _enum(
    m.ActorKind,
    "What kind of actor someone signed in is.",
    {
        "RESIDENT": "A resident (beboer).",
        "HOUSING_ORGANISATION": "Staff of a housing organisation.",
        "MUNICIPALITY": "Staff of the municipality.",
        "PARTNER": "Staff of a partner organisation.",
        "FUND": "Landsbyggefonden.",
    },
)
