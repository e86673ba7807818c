"""The domain's enums as GraphQL enums (values UPPERCASE, each with a description)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types.enum import has_enum_definition

from backend import models as m


def _enum(cls: type[Enum], description: str, values: dict[str, str]) -> None:
    """Make `cls` a GraphQL enum, every value described (the module's names are the models' enums)."""
    strawberry.enum(cls, description=description)
    missing = {member.name for member in cls} - set(values)
    if missing:
        raise ValueError(f"{cls.__name__}: describe {sorted(missing)}")
    if not has_enum_definition(cls):  # strawberry.enum has just given it one
        raise TypeError(f"{cls.__name__} is not a strawberry enum")
    for value in cls.__strawberry_definition__.values:
        value.description = values[value.name]


BoardLevel = m.BoardLevel
_enum(
    BoardLevel,
    "The level a board works at.",
    {
        "CITY": "Den Boligsociale Bestyrelse: the whole city.",
        "DISTRICT": "A bydelsbestyrelse: the urban areas of one district.",
    },
)
PlanStatus = m.PlanStatus
_enum(
    PlanStatus,
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
AgreementKind = m.AgreementKind
_enum(
    AgreementKind,
    "The kind of a plan document.",
    {
        "STRATEGIC": "Strategisk samarbejdsaftale: common goals, organisation and steering.",
        "SUB_AGREEMENT": "Delaftale: the action plan of one focus area.",
        "EMERGENCY_PLAN": "Beredskabsplan: handling acute unrest (not public).",
    },
)
IndicatorDirection = m.IndicatorDirection
_enum(
    IndicatorDirection,
    "Which way an indicator should move.",
    {
        "INCREASE": "Higher is better.",
        "DECREASE": "Lower is better.",
        "KEEP": "The level should be kept.",
    },
)
FinancingParty = m.FinancingParty
_enum(
    FinancingParty,
    "Who pays a share of a plan.",
    {
        "LANDSBYGGEFONDEN": "Landsbyggefonden (at most 75 %).",
        "MUNICIPALITY": "The municipality.",
        "HOUSING_ORGANISATION": "The housing organisations.",
        "OTHER": "Another party, e.g. a foundation.",
    },
)
ActivityStatus = m.ActivityStatus
_enum(
    ActivityStatus,
    "Where an activity is in its life.",
    {
        "PLANNED": "Planned, not started.",
        "ACTIVE": "Running.",
        "PAUSED": "Paused for now.",
        "ENDED": "Ended.",
    },
)
Visibility = m.Visibility
_enum(
    Visibility,
    "Who may see an activity.",
    {
        "PUBLIC": "Everyone, also without sign-in.",
        "INTERNAL": "The plan's staff and the activity's partners only.",
    },
)
PartnerRole = m.PartnerRole
_enum(
    PartnerRole,
    "A partner's role in an activity.",
    {
        "RESPONSIBLE": "Responsible for carrying out the activity.",
        "CO_RESPONSIBLE": "Shares the responsibility.",
        "CONTRIBUTING": "Contributes to the activity.",
    },
)
PartnerKind = m.PartnerKind
_enum(
    PartnerKind,
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
InputStatus = m.InputStatus
_enum(
    InputStatus,
    "Where a resident input is in its handling.",
    {
        "RECEIVED": "Received, not yet looked at.",
        "UNDER_CONSIDERATION": "Being considered by the follow-up group.",
        "ANSWERED": "Answered.",
        "CLOSED": "Closed.",
    },
)
InputChannel = m.InputChannel
_enum(
    InputChannel,
    "How a resident input arrived.",
    {
        "WEB": "Through the portal.",
        "PAPER": "On paper, registered by staff.",
        "PHONE": "By phone, registered by staff.",
        "IN_PERSON": "In person, registered by staff.",
    },
)
OtherEffortKind = m.OtherEffortKind
_enum(
    OtherEffortKind,
    "The kind of another effort in an urban area.",
    {
        "LETTING_AGREEMENT": "Udlejningsaftale: a letting agreement.",
        "DEVELOPMENT_PLAN": "Udviklingsplan: a development plan.",
        "AREA_RENEWAL": "Områdefornyelse: area renewal.",
    },
)
DecisionOutcome = m.DecisionOutcome
_enum(
    DecisionOutcome,
    "What a decision on a plan or a document version was.",
    {
        "APPROVED": "Approved.",
        "SENT_BACK": "Sent back to the housing organisations with a note.",
    },
)
ActorKind = m.ActorKind
_enum(
    ActorKind,
    "What kind of actor someone signed in is.",
    {
        "RESIDENT": "A resident (beboer).",
        "HOUSING_ORGANISATION": "Staff of a housing organisation.",
        "MUNICIPALITY": "Staff of the municipality.",
        "PARTNER": "Staff of a partner organisation.",
        "FUND": "Landsbyggefonden.",
    },
)
