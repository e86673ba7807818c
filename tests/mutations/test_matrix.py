"""Every mutation as every kind of actor: allowed calls work and are audited; forbidden calls change
nothing and answer exactly as for an absent object (NOT_FOUND in the payload's errors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col

from backend.services import inputs
from tests.mutations.helpers import a_meeting, a_sub_agreement, an_input, audit_count, gid, gql, payload_of
from tests.services.world import ACTOR_KINDS, World, build_world, call

STAFF = {"housing", "municipality"}
SIGNED_IN = set(ACTOR_KINDS) - {"anonymous"}


@dataclass
class Case:
    name: str
    document: str
    variables: Callable[[World, dict], dict]
    allowed: set[str]
    setup: Callable[[World], Awaitable[dict]] | None = None
    obj: str | None = None  # the payload's object field (None: only errors)
    refused: dict[str, str] | None = None  # actor kind -> a code other than NOT_FOUND (e.g. the wrong party)


def doc(mutation: str, input_type: str, selection: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {selection} "
        f"errors {{ field code message messageEn }} }} }}"
    )


async def an_answered_input(w: World) -> dict:
    row = await call(inputs.submit, actor=w.actor("resident"), group_id=w.group_id, title="Titel", body="Tekst")
    await call(inputs.answer, actor=w.actor("housing"), input_id=row.id, body="Svar")
    return {"input": row.id}


async def a_plan_in_dialogue(w: World) -> dict:
    from sqlalchemy import update

    from backend.db import new_session
    from backend.models import Plan, PlanStatus

    async with new_session() as s:
        await s.execute(update(Plan).where(col(Plan.id) == w.plan_id).values(status=PlanStatus.IN_DIALOGUE))
        await s.commit()
    return {}


SOON = datetime.now(UTC) + timedelta(days=3)


async def an_occurrence(w: World) -> dict:
    from backend.services import activities

    row = await call(
        activities.add_occurrence,
        actor=w.actor("housing"),
        activity_id=w.activity_id,
        starts_at=SOON,
        ends_at=SOON + timedelta(hours=1),
    )
    return {"occurrence": row.id}


PARTNER_SIDE = {"housing", "partner"}
RESIDENTS = {"resident", "other_resident"}


async def both_residents_follow(w: World) -> dict:
    from backend.services import notifications

    for who in RESIDENTS:
        await call(notifications.follow, actor=w.actor(who), activity_id=w.activity_id)
    return {}


async def a_notification(w: World) -> dict:
    """The resident's notification that their input was answered."""
    from sqlalchemy import select

    from backend.models import Notification
    from tests.services.world import scalar

    await an_answered_input(w)
    own = col(Notification.account_id) == w.accounts["resident"]
    return {"notification": await scalar(select(col(Notification.id)).where(own))}


CASES = [
    Case(
        "residentInputSubmit",
        doc("residentInputSubmit", "ResidentInputSubmitInput", "residentInput { id status }"),
        lambda w, x: {"groupId": gid("FollowUpGroup", w.group_id), "title": "Bænke", "body": "Flere bænke"},
        {"resident"},
        obj="residentInput",
    ),
    Case(
        "residentInputEdit",
        doc("residentInputEdit", "ResidentInputEditInput", "residentInput { id body }"),
        lambda w, x: {"inputId": gid("ResidentInput", x["input"]), "body": "Ændret"},
        {"resident"},
        an_input,
        "residentInput",
    ),
    Case(
        "residentInputWithdraw",
        doc("residentInputWithdraw", "ResidentInputWithdrawInput", "residentInput { id withdrawn }"),
        lambda w, x: {"inputId": gid("ResidentInput", x["input"])},
        {"resident"},
        an_input,
        "residentInput",
    ),
    Case(
        "residentInputSetStatus",
        doc("residentInputSetStatus", "ResidentInputSetStatusInput", "residentInput { id status }"),
        lambda w, x: {"inputId": gid("ResidentInput", x["input"]), "status": "UNDER_CONSIDERATION"},
        STAFF,
        an_input,
        "residentInput",
    ),
    Case(
        "residentInputAnswer",
        doc("residentInputAnswer", "ResidentInputAnswerInput", "residentInput { id status answers { body } }"),
        lambda w, x: {"inputId": gid("ResidentInput", x["input"]), "body": "Tak"},
        STAFF,
        an_input,
        "residentInput",
    ),
    Case(
        "residentInputPublish",
        doc("residentInputPublish", "ResidentInputPublishInput", "residentInput { id published }"),
        lambda w, x: {"inputId": gid("ResidentInput", x["input"])},
        STAFF,
        an_answered_input,
        "residentInput",
    ),
    Case(
        "residentInputHide",
        doc("residentInputHide", "ResidentInputHideInput", "residentInput { id hidden }"),
        lambda w, x: {"inputId": gid("ResidentInput", x["input"]), "reason": "Spam"},
        STAFF,
        an_input,
        "residentInput",
    ),
    Case(
        "residentInputReport",
        doc("residentInputReport", "ResidentInputReportInput", "residentInput { id }"),
        lambda w, x: {"inputId": gid("ResidentInput", x["input"]), "reason": "Grimt sprog"},
        {"resident"} | STAFF,
        an_input,
        "residentInput",
    ),
    Case(
        "residentInputRegister",
        doc("residentInputRegister", "ResidentInputRegisterInput", "residentInput { id channel }"),
        lambda w, x: {
            "groupId": gid("FollowUpGroup", w.group_id),
            "title": "Papir",
            "body": "Fra postkassen",
            "channel": "PAPER",
        },
        STAFF,
        obj="residentInput",
    ),
    Case(
        "activityUpdate",
        doc("activityUpdate", "ActivityUpdateInput", "activity { id status description }"),
        lambda w, x: {"activityId": gid("Activity", w.activity_id), "status": "ACTIVE", "description": "Ny"},
        PARTNER_SIDE,
        obj="activity",
    ),
    Case(
        "activityCreate",
        doc("activityCreate", "ActivityCreateInput", "activity { id partners { role } }"),
        lambda w, x: {
            "planId": gid("Plan", w.plan_id),
            "focusAreaId": gid("FocusArea", w.focus_area_id),
            "title": "Bydelsmødre",
            "partners": [{"partnerId": gid("Partner", w.partner_id), "role": "RESPONSIBLE"}],
        },
        {"housing"},
        obj="activity",
    ),
    Case(
        "occurrenceAdd",
        doc("occurrenceAdd", "OccurrenceAddInput", "occurrence { id startsAt }"),
        lambda w, x: {
            "activityId": gid("Activity", w.activity_id),
            "startsAt": SOON.isoformat(),
            "endsAt": (SOON + timedelta(hours=2)).isoformat(),
        },
        PARTNER_SIDE,
        obj="occurrence",
    ),
    Case(
        "occurrenceMove",
        doc("occurrenceMove", "OccurrenceMoveInput", "occurrence { id startsAt }"),
        lambda w, x: {
            "occurrenceId": gid("Occurrence", w.future_occurrence_id),
            "startsAt": SOON.isoformat(),
            "endsAt": (SOON + timedelta(hours=1)).isoformat(),
        },
        PARTNER_SIDE,
        obj="occurrence",
    ),
    Case(
        "occurrenceCancel",
        doc("occurrenceCancel", "OccurrenceCancelInput", "occurrence { id cancelled }"),
        lambda w, x: {"occurrenceId": gid("Occurrence", w.future_occurrence_id)},
        PARTNER_SIDE,
        obj="occurrence",
    ),
    Case(
        "occurrenceDelete",
        doc("occurrenceDelete", "OccurrenceDeleteInput", "activity { id }"),
        lambda w, x: {"occurrenceId": gid("Occurrence", x["occurrence"])},
        PARTNER_SIDE,
        an_occurrence,
        obj="activity",
    ),
    Case(
        "occurrenceSetParticipantCount",
        doc(
            "occurrenceSetParticipantCount", "OccurrenceSetParticipantCountInput", "occurrence { id participantCount }"
        ),
        lambda w, x: {"occurrenceId": gid("Occurrence", w.past_occurrence_id), "participantCount": 11},
        PARTNER_SIDE,
        obj="occurrence",
    ),
    Case(
        "progressNoteAdd",
        doc("progressNoteAdd", "ProgressNoteAddInput", "progressNote { id text }"),
        lambda w, x: {"activityId": gid("Activity", w.activity_id), "text": "Godt i gang"},
        PARTNER_SIDE,
        obj="progressNote",
    ),
    Case(
        "planCreate",
        doc("planCreate", "PlanCreateInput", "plan { id status }"),
        lambda w, x: {
            "name": f"Ny plan {w.tag}",
            "startDate": "2026-01-01",
            "endDate": "2029-12-31",
            "generationId": gid("FundingGeneration", w.generation_id),
            "urbanAreaId": gid("UrbanArea", w.urban_area_id),
        },
        {"housing", "other_housing"},
        obj="plan",
    ),
    Case(
        "planUpdate",
        doc("planUpdate", "PlanUpdateInput", "plan { id summary }"),
        lambda w, x: {"planId": gid("Plan", w.plan_id), "summary": "Nyt resumé"},
        {"housing"},
        obj="plan",
    ),
    Case(
        "planStatusChange",
        doc("planStatusChange", "PlanStatusChangeInput", "plan { id status }"),
        lambda w, x: {"planId": gid("Plan", w.plan_id), "status": "ENDED"},
        {"housing"},
        obj="plan",
        refused={"municipality": "FORBIDDEN_TRANSITION", "fund": "FORBIDDEN_TRANSITION"},
    ),
    Case(
        "agreementVersionCreate",
        doc("agreementVersionCreate", "AgreementVersionCreateInput", "agreement { id version }"),
        lambda w, x: {"planId": gid("Plan", w.plan_id), "kind": "STRATEGIC", "title": "Strategisk aftale"},
        {"housing"},
        obj="agreement",
    ),
    Case(
        "agreementApprove",
        doc("agreementApprove", "AgreementApproveInput", "agreement { id approvedAt }"),
        lambda w, x: {"agreementId": gid("Agreement", x["agreement"])},
        {"municipality"},
        a_sub_agreement,
        "agreement",
    ),
    Case(
        "planSendBack",
        doc("planSendBack", "PlanSendBackInput", "decision { outcome toStatus note }"),
        lambda w, x: {"planId": gid("Plan", w.plan_id), "note": "Budgettet mangler", "decisionDate": "2026-01-15"},
        {"municipality"},
        a_plan_in_dialogue,
        "decision",
        refused={"housing": "NOTHING_TO_DECIDE", "fund": "NOTHING_TO_DECIDE"},
    ),
    Case(
        "agreementSendBack",
        doc("agreementSendBack", "AgreementSendBackInput", "decision { outcome note }"),
        lambda w, x: {"agreementId": gid("Agreement", x["agreement"]), "note": "Uklar ansvarsfordeling"},
        {"municipality"},
        a_sub_agreement,
        "decision",
    ),
    Case(
        "goalCreate",
        doc("goalCreate", "GoalCreateInput", "goal { id title }"),
        lambda w, x: {"planId": gid("Plan", w.plan_id), "title": "Mere tryghed"},
        {"housing"},
        obj="goal",
    ),
    Case(
        "goalUpdate",
        doc("goalUpdate", "GoalUpdateInput", "goal { id title version }"),
        lambda w, x: {"goalId": gid("Goal", w.goal_id), "title": "Mere tryghed for alle"},
        {"housing"},
        obj="goal",
    ),
    Case(
        "indicatorUpdate",
        doc("indicatorUpdate", "IndicatorUpdateInput", "indicator { id target version }"),
        lambda w, x: {"indicatorId": gid("Indicator", w.indicator_id), "target": 80},
        {"housing"},
        obj="indicator",
    ),
    Case(
        "indicatorCreate",
        doc("indicatorCreate", "IndicatorCreateInput", "indicator { id unit }"),
        lambda w, x: {
            "goalId": gid("Goal", w.goal_id),
            "name": "Tryghed",
            "unit": "point",
            "baseline": 60,
            "target": 70,
        },
        {"housing"},
        obj="indicator",
    ),
    Case(
        "measurementRecord",
        doc("measurementRecord", "MeasurementRecordInput", "measurement { id value }"),
        lambda w, x: {"indicatorId": gid("Indicator", w.indicator_id), "period": "2025-12-31", "value": 53.5},
        {"housing"},
        obj="measurement",
    ),
    Case(
        "financingSet",
        doc("financingSet", "FinancingSetInput", "financing { id party sharePercent }"),
        lambda w, x: {
            "planId": gid("Plan", w.plan_id),
            "year": 2026,
            "lines": [
                {"party": "LANDSBYGGEFONDEN", "sharePercent": "75", "budget": "750000"},
                {"party": "MUNICIPALITY", "sharePercent": "12.5", "budget": "125000"},
                {"party": "HOUSING_ORGANISATION", "sharePercent": "12.5", "budget": "125000"},
            ],
        },
        {"housing"},
        obj="financing",
    ),
    Case(
        "milestoneCreate",
        doc("milestoneCreate", "MilestoneCreateInput", "milestone { id title }"),
        lambda w, x: {"planId": gid("Plan", w.plan_id), "year": 2026, "title": "Midtvejsevaluering"},
        {"housing"},
        obj="milestone",
    ),
    Case(
        "followUpGroupCreate",
        doc("followUpGroupCreate", "FollowUpGroupCreateInput", "followUpGroup { id name }"),
        lambda w, x: {
            "planId": gid("Plan", w.plan_id),
            "name": "Ny følgegruppe",
            "estateIds": [gid("HousingEstate", w.estate_id)],
        },
        {"housing"},
        obj="followUpGroup",
    ),
    Case(
        "followUpGroupUpdate",
        doc("followUpGroupUpdate", "FollowUpGroupUpdateInput", "followUpGroup { id name version }"),
        lambda w, x: {"groupId": gid("FollowUpGroup", w.group_id), "description": "Mødes hver måned"},
        {"housing"},
        obj="followUpGroup",
    ),
    Case(
        "groupMemberAdd",
        doc("groupMemberAdd", "GroupMemberAddInput", "followUpGroup { id members { role } }"),
        lambda w, x: {"groupId": gid("FollowUpGroup", w.group_id), "displayName": "Aisha", "role": "formand"},
        {"housing"},
        obj="followUpGroup",
    ),
    Case(
        "meetingCreate",
        doc("meetingCreate", "MeetingCreateInput", "meeting { id startsAt }"),
        lambda w, x: {
            "groupId": gid("FollowUpGroup", w.group_id),
            "startsAt": "2026-05-01T17:00:00+00:00",
            "agenda": "1. Velkomst",
        },
        {"housing"},
        obj="meeting",
    ),
    Case(
        "meetingUpdate",
        doc("meetingUpdate", "MeetingUpdateInput", "meeting { id minutes }"),
        lambda w, x: {"meetingId": gid("Meeting", x["meeting"]), "minutes": "Referat"},
        {"housing"},
        a_meeting,
        "meeting",
    ),
    Case(
        "viewerDataExport",
        doc("viewerDataExport", "ViewerDataExportInput", "data"),
        lambda w, x: {},
        SIGNED_IN,
        obj="data",
    ),
    Case(
        "viewerSetLanguage",
        doc("viewerSetLanguage", "ViewerSetLanguageInput", "language"),
        lambda w, x: {"language": "ar"},
        SIGNED_IN,
        obj="language",
    ),
    Case(
        "activityFollow",
        doc("activityFollow", "ActivityFollowInput", "activity { id followed }"),
        lambda w, x: {"activityId": gid("Activity", w.activity_id)},
        RESIDENTS,
        obj="activity",
    ),
    Case(
        "activityUnfollow",
        doc("activityUnfollow", "ActivityFollowInput", "activity { id followed }"),
        lambda w, x: {"activityId": gid("Activity", w.activity_id)},
        RESIDENTS,
        both_residents_follow,
        "activity",
    ),
    Case(
        "notificationsMarkRead",
        doc("notificationsMarkRead", "NotificationsMarkReadInput", "notifications { id readAt }"),
        # One id for the list `ids` (GraphQL takes a single value for a list), so that the checks below find it.
        lambda w, x: {"ids": gid("Notification", x["notification"])},
        {"resident"},
        a_notification,
        "notifications",
    ),
    Case(
        "notificationPreferencesSet",
        doc("notificationPreferencesSet", "NotificationPreferencesSetInput", "preferences { kind portal email }"),
        lambda w, x: {"preferences": []},
        SIGNED_IN,
        obj="preferences",
    ),
    Case(
        "viewerErase",
        doc("viewerErase", "ViewerEraseInput", "erased"),
        lambda w, x: {"confirm": True},
        {"resident", "other_resident"},
        obj="erased",
    ),
]


def test_every_mutation_of_the_schema_is_covered():
    from schema.api import schema

    names = {f.name for f in schema.get_type_by_name("Mutation").fields}
    from strawberry.utils.str_converters import to_camel_case

    declared = {to_camel_case(n) for n in names}
    covered = {c.name for c in CASES}
    own = declared - {n for n in declared if n.startswith("residency")}  # residencies are tested with sign-in
    assert own <= covered, sorted(own - covered)


@pytest.mark.parametrize("kind", ACTOR_KINDS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_mutation_as_actor(case: Case, kind: str):
    w = await build_world()
    extra = await case.setup(w) if case.setup else {}
    variables = {"input": case.variables(w, extra)}
    before = await audit_count()
    payload = payload_of(await gql(case.document, variables, actor=w.actor(kind)))
    after = await audit_count()
    if kind in case.allowed:
        assert payload["errors"] == [], payload
        assert payload[case.obj] not in (None, [], False), payload
        assert after > before, "an allowed write records an audit event"
    else:
        expected = (case.refused or {}).get(kind, "NOT_FOUND")
        assert [e["code"] for e in payload["errors"]] == [expected], payload
        assert all(e["message"] and e["messageEn"] for e in payload["errors"])
        if case.obj:
            assert payload[case.obj] is None
        assert after == before, "a refused write changes nothing"


def _primary_id(variables: dict) -> str | None:
    return next((k for k, v in variables.items() if k.endswith(("Id", "ids")) and isinstance(v, str)), None)


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in CASES
        if c.setup
        or _primary_id(c.variables(World(tag="x"), {"input": 1, "agreement": 1, "meeting": 1, "notification": 1}))
    ],
    ids=lambda c: c.name,
)
async def test_forbidden_answers_exactly_like_absent(case: Case):
    from schema.ids import decode, encode

    w = await build_world()
    extra = await case.setup(w) if case.setup else {}
    variables = case.variables(w, extra)
    key = _primary_id(variables)
    type_name, _pk = decode(variables[key])
    absent = {**variables, key: encode(type_name, 10**9)}
    outsider = next(k for k in ("anonymous", "other_housing", "other_partner") if k not in case.allowed)
    forbidden = payload_of(await gql(case.document, {"input": variables}, actor=w.actor(outsider)))
    missing = payload_of(await gql(case.document, {"input": absent}, actor=w.actor(outsider)))
    assert forbidden == missing
    malformed = payload_of(
        await gql(case.document, {"input": {**variables, key: "not-an-id"}}, actor=w.actor(outsider))
    )
    assert malformed == missing
