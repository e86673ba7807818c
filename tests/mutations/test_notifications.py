"""Notifications through the API: who hears of what (and who must not), reading them, marking them read,
following activities and choosing how to hear of each kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import col

from backend.models import ActivityFollow, AuditEvent, Notification, Plan, PlanStatus, Residency
from schema.ids import decode
from tests.mutations.helpers import gid, gql, payload_of
from tests.services.world import World, build_world, call, scalar

INBOX = """query($unread: Boolean!) { viewer { unreadNotificationCount
  notifications(first: 50, unreadOnly: $unread) { totalCount nodes { id kind createdAt readAt text
    subject { __typename id } } } } }"""


async def inbox(w: World, who: str, *, unread: bool = False) -> dict:
    data = await gql(INBOX, {"unread": unread}, actor=w.actor(who))
    return data["viewer"]


async def kinds(w: World, who: str) -> list[str]:
    return [n["kind"] for n in (await inbox(w, who))["notifications"]["nodes"]]


async def everyone_else(w: World, *told: str) -> dict[str, list[str]]:
    """The notifications of every signed-in actor of the world not in `told` (all should be empty)."""
    out = {}
    for who in w.accounts:
        if who not in told:
            out[who] = await kinds(w, who)
    return out


def nobody(result: dict[str, list[str]]) -> bool:
    return all(not v for v in result.values())


async def mutate(w: World, who: str, document: str, input: dict) -> dict:
    payload = payload_of(await gql(document, {"input": input}, actor=w.actor(who)))
    assert payload["errors"] == [], payload
    return payload


def op(name: str, selection: str, input_type: str = "") -> str:
    """A mutation document with its payload's object and typed errors (code and field)."""
    input_type = input_type or f"{name[0].upper()}{name[1:]}Input"
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} errors {{ code field }} }} }}"


SUBMIT = op("residentInputSubmit", "residentInput { id }")
ANSWER = op("residentInputAnswer", "residentInput { id }")
PUBLISH = op("residentInputPublish", "residentInput { id }")
HIDE = op("residentInputHide", "residentInput { id }")
STATUS = op("residentInputSetStatus", "residentInput { id }")
FOLLOW = op("activityFollow", "activity { id followed }")
UNFOLLOW = op("activityUnfollow", "activity { id followed }", "ActivityFollowInput")
MOVE = op("occurrenceMove", "occurrence { id }")
CANCEL = op("occurrenceCancel", "occurrence { id }")
UPDATE = op("activityUpdate", "activity { id }")
MEETING = op("meetingCreate", "meeting { id }")
MEETING_UPDATE = op("meetingUpdate", "meeting { id }")
AGREEMENT = op("agreementVersionCreate", "agreement { id }")
MARK = op("notificationsMarkRead", "notifications { id readAt }")
PREFERENCES = op("notificationPreferencesSet", "preferences { kind portal email }")


async def submitted(w: World, title: str = "Bænke", who: str = "resident", group: int | None = None) -> str:
    payload = await mutate(
        w, who, SUBMIT, {"groupId": gid("FollowUpGroup", group or w.group_id), "title": title, "body": "Flere bænke."}
    )
    return payload["residentInput"]["id"]


# ---------------------------------------------------------------- residents: their input
async def test_the_author_hears_that_their_input_was_answered_in_their_language():
    w = await build_world()
    input_id = await submitted(w)
    await mutate(w, "housing", ANSWER, {"inputId": input_id, "body": "Vi sætter bænke op."})
    me = await inbox(w, "resident")
    (note,) = me["notifications"]["nodes"]
    assert note["kind"] == "INPUT_ANSWERED" and note["readAt"] is None and me["unreadNotificationCount"] == 1
    assert note["subject"] == {"__typename": "ResidentInput", "id": input_id}
    assert note["text"] == f"Dit input til Følgegruppe {w.tag} er besvaret."
    assert "Vi sætter" not in note["text"] and "Bænke" not in note["text"]  # never what anyone wrote
    # The staff who answered, the other plan's people, partners and the fund hear nothing of it.
    assert nobody(await everyone_else(w, "resident", "housing", "municipality"))
    # The resident's chosen language is the language of the sentence.
    from backend.db import new_session
    from backend.models import Account

    async with new_session() as s:
        account = await s.get(Account, w.accounts["resident"])
        assert account is not None
        account.language = "en"
        await s.commit()
    (note,) = (await inbox(w, "resident"))["notifications"]["nodes"]
    assert note["text"] == f"Your input to Følgegruppe {w.tag} has been answered."
    # The portal asks for the page's language; an unknown one is a clear error.
    asked = "query($l: String) { viewer { notifications(first: 1) { nodes { text(language: $l) } } } }"
    (note,) = (await gql(asked, {"l": "da"}, actor=w.actor("resident")))["viewer"]["notifications"]["nodes"]
    assert note["text"] == f"Dit input til Følgegruppe {w.tag} er besvaret."
    from schema.api import execute

    refused = await execute(asked, {"l": "xx"}, actor=w.actor("resident"))
    assert refused.errors and "Unknown language" in refused.errors[0].message


async def test_the_author_hears_of_publishing_hiding_and_a_new_status_but_not_of_a_status_kept():
    w = await build_world()
    input_id = await submitted(w)
    await mutate(w, "housing", STATUS, {"inputId": input_id, "status": "UNDER_CONSIDERATION"})
    await mutate(w, "housing", STATUS, {"inputId": input_id, "status": "UNDER_CONSIDERATION"})  # no change
    await mutate(w, "housing", ANSWER, {"inputId": input_id, "body": "Svar."})
    await mutate(w, "municipality", PUBLISH, {"inputId": input_id})
    await mutate(w, "housing", HIDE, {"inputId": input_id, "reason": "Fejl"})
    assert await kinds(w, "resident") == ["INPUT_HIDDEN", "INPUT_PUBLISHED", "INPUT_ANSWERED", "INPUT_STATUS_CHANGED"]
    assert await kinds(w, "other_resident") == []


async def test_input_registered_on_paper_notifies_no_resident():
    w = await build_world()
    register = """mutation($input: ResidentInputRegisterInput!) { residentInputRegister(input: $input) {
      residentInput { id } errors { code } } }"""
    payload = await mutate(
        w,
        "housing",
        register,
        {"groupId": gid("FollowUpGroup", w.group_id), "title": "Brev", "body": "På papir", "channel": "PAPER"},
    )
    await mutate(w, "housing", ANSWER, {"inputId": payload["residentInput"]["id"], "body": "Svar."})
    assert await kinds(w, "resident") == [] and await kinds(w, "other_resident") == []
    # The municipality (staff of the plan, not the actor) heard of the new input; the registering staff did not.
    assert await kinds(w, "municipality") == ["INPUT_RECEIVED"] and await kinds(w, "housing") == []


# ---------------------------------------------------------------- staff of the plan
async def test_staff_of_the_plan_hear_of_new_input_in_their_groups_only():
    w = await build_world()
    input_id = await submitted(w)
    for who in ("housing", "municipality"):  # both are staff of the plan
        (note,) = (await inbox(w, who))["notifications"]["nodes"]
        assert note["kind"] == "INPUT_RECEIVED" and note["subject"]["id"] == input_id
        assert note["text"] == f"Der er kommet nyt input til Følgegruppe {w.tag}."
    assert await kinds(w, "other_housing") == []  # staff of the other plan
    await submitted(w, "Deres", who="other_resident", group=w.other_group_id)
    assert await kinds(w, "other_housing") == ["INPUT_RECEIVED"]
    assert await kinds(w, "housing") == ["INPUT_RECEIVED"]
    assert await kinds(w, "resident") == [] and await kinds(w, "partner") == [] and await kinds(w, "fund") == []


# ---------------------------------------------------------------- followers and partners
async def test_a_follower_hears_of_changes_moves_and_cancellations_and_an_unfollower_does_not():
    w = await build_world()
    activity = gid("Activity", w.activity_id)
    followed = await mutate(w, "resident", FOLLOW, {"activityId": activity})
    assert followed["activity"] == {"id": activity, "followed": True}
    await mutate(w, "resident", FOLLOW, {"activityId": activity})  # twice: still one follow
    await mutate(w, "other_resident", FOLLOW, {"activityId": activity})
    await mutate(w, "other_resident", UNFOLLOW, {"activityId": activity})
    assert (
        await scalar(
            select(func.count()).select_from(ActivityFollow).where(col(ActivityFollow.activity_id) == w.activity_id)
        )
        == 1
    )

    await mutate(w, "housing", UPDATE, {"activityId": activity, "description": "Nu også om lørdagen"})
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=9)
    occurrence = gid("Occurrence", w.future_occurrence_id)
    await mutate(
        w,
        "housing",
        MOVE,
        {"occurrenceId": occurrence, "startsAt": start.isoformat(), "endsAt": (start + timedelta(hours=2)).isoformat()},
    )
    await mutate(w, "housing", CANCEL, {"occurrenceId": occurrence})
    notes = (await inbox(w, "resident"))["notifications"]["nodes"]
    assert [n["kind"] for n in notes] == ["OCCURRENCE_CANCELLED", "OCCURRENCE_MOVED", "ACTIVITY_CHANGED"]
    assert notes[0]["subject"] == {"__typename": "Occurrence", "id": occurrence}
    assert notes[0]["text"] == f"En dato for aktiviteten Lektiecafé {w.tag} er aflyst."
    assert notes[2]["subject"] == {"__typename": "Activity", "id": activity}
    assert await kinds(w, "other_resident") == []  # unfollowed before the changes
    # The activity's partner heard of the moved and the cancelled date (staff did it), not of the other partner.
    assert await kinds(w, "partner") == ["OCCURRENCE_CANCELLED", "OCCURRENCE_MOVED"]
    assert await kinds(w, "other_partner") == [] and await kinds(w, "housing") == []


async def test_a_partner_is_not_told_of_what_it_did_itself():
    w = await build_world()
    await mutate(w, "resident", FOLLOW, {"activityId": gid("Activity", w.activity_id)})
    await mutate(w, "partner", CANCEL, {"occurrenceId": gid("Occurrence", w.future_occurrence_id)})
    assert await kinds(w, "partner") == []
    assert await kinds(w, "resident") == ["OCCURRENCE_CANCELLED"]


async def test_only_residents_follow_and_only_activities_the_public_may_see():
    w = await build_world()
    activity = gid("Activity", w.activity_id)
    for who in ("partner", "housing", "fund"):
        payload = payload_of(await gql(FOLLOW, {"input": {"activityId": activity}}, actor=w.actor(who)))
        assert payload["activity"] is None and payload["errors"][0]["code"] == "NOT_FOUND"
    draft = await build_world(plan_status=PlanStatus.IN_DIALOGUE)
    payload = payload_of(
        await gql(FOLLOW, {"input": {"activityId": gid("Activity", draft.activity_id)}}, actor=draft.actor("resident"))
    )
    assert payload["errors"][0] == {"code": "NOT_FOUND", "field": "activityId"}
    anonymous = payload_of(await gql(FOLLOW, {"input": {"activityId": activity}}))
    assert anonymous["errors"][0]["code"] == "NOT_FOUND"
    # Anonymous readers of the activity see followed false, from the shared public answer.
    data = await gql("query($id: ID!) { node(id: $id) { ... on Activity { followed } } }", {"id": activity})
    assert data["node"] == {"followed": False}


# ---------------------------------------------------------------- meetings of the resident's group
async def test_residents_of_the_group_hear_of_a_new_and_a_moved_meeting():
    w = await build_world()
    group = gid("FollowUpGroup", w.group_id)
    start = datetime(2026, 12, 10, 17, tzinfo=UTC)
    payload = await mutate(
        w, "housing", MEETING, {"groupId": group, "startsAt": start.isoformat(), "location": "Salen"}
    )
    meeting = payload["meeting"]["id"]
    await mutate(w, "housing", MEETING_UPDATE, {"meetingId": meeting, "minutes": "Referat"})  # not moved
    await mutate(w, "housing", MEETING_UPDATE, {"meetingId": meeting, "location": "Klubben"})  # moved
    notes = (await inbox(w, "resident"))["notifications"]["nodes"]
    assert [n["kind"] for n in notes] == ["MEETING_MOVED", "MEETING_CREATED"]
    assert notes[1]["subject"] == {"__typename": "Meeting", "id": meeting}
    assert notes[1]["text"] == f"Der er planlagt et nyt møde i Følgegruppe {w.tag}."
    # Another area's resident, and a resident who moved out, hear nothing.
    assert await kinds(w, "other_resident") == []
    from backend.db import new_session

    async with new_session() as s:
        residency = (
            await s.execute(select(Residency).where(col(Residency.account_id) == w.accounts["resident"]))
        ).scalar_one()
        residency.until = datetime.now(UTC).date()
        await s.commit()
    await mutate(w, "housing", MEETING, {"groupId": group, "startsAt": (start + timedelta(days=7)).isoformat()})
    assert len(await kinds(w, "resident")) == 2


# ---------------------------------------------------------------- Landsbyggefonden
async def test_the_fund_hears_that_a_strategic_agreement_awaits_its_approval():
    w = await build_world()
    await mutate(w, "housing", AGREEMENT, {"planId": gid("Plan", w.plan_id), "kind": "STRATEGIC", "title": "Ny aftale"})
    notes = [n for n in (await inbox(w, "fund"))["notifications"]["nodes"] if n["subject"]["__typename"] == "Agreement"]
    assert notes and notes[0]["kind"] == "AGREEMENT_AWAITS_APPROVAL"
    assert (
        notes[0]["text"]
        == f"En ny version af den strategiske aftale for Helhedsplan {w.tag} B{w.tag} venter på jeres godkendelse."
    )
    # An emergency plan is no matter for the fund; the municipality and the author hear nothing.
    before = len(await kinds(w, "fund"))
    await mutate(
        w, "housing", AGREEMENT, {"planId": gid("Plan", w.plan_id), "kind": "EMERGENCY_PLAN", "title": "Beredskab"}
    )
    assert len(await kinds(w, "fund")) == before
    assert await kinds(w, "municipality") == [] and await kinds(w, "housing") == []


# ---------------------------------------------------------------- visibility and reading
async def test_a_notification_is_its_recipients_only_and_its_subject_follows_the_readers_rights():
    w = await build_world()
    input_id = await submitted(w)
    await mutate(w, "housing", ANSWER, {"inputId": input_id, "body": "Svar."})
    (note,) = (await inbox(w, "resident"))["notifications"]["nodes"]
    query = "query($id: ID!) { node(id: $id) { ... on Notification { id kind } } }"
    assert (await gql(query, {"id": note["id"]}, actor=w.actor("resident")))["node"]["kind"] == "INPUT_ANSWERED"
    for who in ("anonymous", "other_resident", "housing", "municipality", "fund"):
        assert (await gql(query, {"id": note["id"]}, actor=w.actor(who)))["node"] is None, who
    # Another actor cannot mark it read: it looks absent.
    refused = payload_of(await gql(MARK, {"input": {"ids": [note["id"]]}}, actor=w.actor("other_resident")))
    assert refused["errors"] == [{"code": "NOT_FOUND", "field": "ids[0]"}]
    # The subject is read with the reader's rights of now: the plan's draft status hides the input.
    async with __import__("backend.db", fromlist=["new_session"]).new_session() as s:
        plan = await s.get(Plan, w.plan_id)
        assert plan is not None
        plan.status = PlanStatus.IN_DIALOGUE
        await s.commit()
    staff_note = (await inbox(w, "municipality"))["notifications"]["nodes"][0]
    assert staff_note["subject"] is not None  # staff still see the input of their draft plan
    (note,) = (await inbox(w, "resident"))["notifications"]["nodes"]
    assert note["subject"] is None and note["kind"] == "INPUT_ANSWERED"  # a draft plan's input: not for residents


async def test_mark_read_one_then_all_with_typed_errors_and_an_audit_event():
    w = await build_world()
    for title in ("A", "B", "C"):
        input_id = await submitted(w, title)
        await mutate(w, "housing", ANSWER, {"inputId": input_id, "body": "Svar."})
    me = await inbox(w, "resident")
    assert me["unreadNotificationCount"] == 3
    first = me["notifications"]["nodes"][0]["id"]
    audits = await scalar(
        select(func.count()).select_from(AuditEvent).where(col(AuditEvent.action) == "notification.markRead")
    )
    payload = await mutate(w, "resident", MARK, {"ids": [first]})
    assert [n["id"] for n in payload["notifications"]] == [first] and payload["notifications"][0]["readAt"]
    assert (await inbox(w, "resident"))["unreadNotificationCount"] == 2
    again = await mutate(w, "resident", MARK, {"ids": [first]})
    assert again["notifications"] == []  # already read: nothing marked now
    unread = await inbox(w, "resident", unread=True)
    assert unread["notifications"]["totalCount"] == 2 and first not in [
        n["id"] for n in unread["notifications"]["nodes"]
    ]
    empty = payload_of(await gql(MARK, {"input": {}}, actor=w.actor("resident")))
    assert empty["errors"] == [{"code": "REQUIRED", "field": "ids"}]
    bad = payload_of(await gql(MARK, {"input": {"ids": ["nonsense"]}}, actor=w.actor("resident")))
    assert bad["errors"] == [{"code": "NOT_FOUND", "field": "ids[0]"}]
    too_many = payload_of(await gql(MARK, {"input": {"ids": [first] * 101}}, actor=w.actor("resident")))
    assert too_many["errors"] == [{"code": "TOO_LONG", "field": "ids"}]
    payload = await mutate(w, "resident", MARK, {"all": True})
    assert len(payload["notifications"]) == 2 and first not in [n["id"] for n in payload["notifications"]]
    assert (await inbox(w, "resident"))["unreadNotificationCount"] == 0
    read = (await inbox(w, "resident"))["notifications"]["nodes"]
    assert all(n["readAt"] for n in read) and len(read) == 3
    after = await scalar(
        select(func.count()).select_from(AuditEvent).where(col(AuditEvent.action) == "notification.markRead")
    )
    assert after == audits + 3  # the refused ones wrote nothing
    assert (
        await scalar(
            select(func.count()).select_from(Notification).where(col(Notification.account_id) == w.accounts["resident"])
        )
        == 3
    )


async def test_preferences_turn_the_portal_notification_off_and_are_checked_per_actor():
    w = await build_world()
    mine = await gql("{ viewer { notificationPreferences { kind portal email } } }", actor=w.actor("resident"))
    kinds_offered = [p["kind"] for p in mine["viewer"]["notificationPreferences"]]
    assert "INPUT_ANSWERED" in kinds_offered and "INPUT_RECEIVED" not in kinds_offered
    assert all(p["portal"] and p["email"] == "EACH" for p in mine["viewer"]["notificationPreferences"])
    payload = await mutate(
        w, "resident", PREFERENCES, {"preferences": [{"kind": "INPUT_ANSWERED", "portal": False, "email": "NEVER"}]}
    )
    assert {"kind": "INPUT_ANSWERED", "portal": False, "email": "NEVER"} in payload["preferences"]
    input_id = await submitted(w)
    await mutate(w, "housing", ANSWER, {"inputId": input_id, "body": "Svar."})
    assert await kinds(w, "resident") == []
    # A digest is for staff; a kind the actor cannot receive is refused; nothing is stored then.
    refused = payload_of(
        await gql(
            PREFERENCES,
            {
                "input": {
                    "preferences": [
                        {"kind": "MEETING_CREATED", "portal": True, "email": "DAILY"},
                        {"kind": "INPUT_RECEIVED", "portal": True, "email": "EACH"},
                    ]
                }
            },
            actor=w.actor("resident"),
        )
    )
    assert refused["preferences"] is None
    assert refused["errors"] == [
        {"code": "NOT_ALLOWED", "field": "preferences[0].email"},
        {"code": "NOT_ALLOWED", "field": "preferences[1].kind"},
    ]
    staff = await mutate(
        w, "housing", PREFERENCES, {"preferences": [{"kind": "INPUT_RECEIVED", "portal": True, "email": "DAILY"}]}
    )
    assert staff["preferences"] == [{"kind": "INPUT_RECEIVED", "portal": True, "email": "DAILY"}]


async def test_erasure_deletes_notifications_follows_and_preferences_and_the_export_has_them():
    w = await build_world()
    await mutate(w, "resident", FOLLOW, {"activityId": gid("Activity", w.activity_id)})
    await mutate(
        w, "resident", PREFERENCES, {"preferences": [{"kind": "MEETING_MOVED", "portal": False, "email": "EACH"}]}
    )
    input_id = await submitted(w)
    await mutate(w, "housing", ANSWER, {"inputId": input_id, "body": "Svar."})
    export = "mutation { viewerDataExport(input: {}) { data errors { code } } }"
    data = (await gql(export, actor=w.actor("resident")))["viewerDataExport"]["data"]
    (note,) = data["notifications"]
    assert note["kind"] == "INPUT_ANSWERED" and note["subject_type"] == "ResidentInput"
    assert note["subject_id"] == decode(input_id, "ResidentInput")[1]
    assert data["activity_follows"] == [
        {"activity_id": w.activity_id, "created_at": data["activity_follows"][0]["created_at"]}
    ]
    assert {"kind": "MEETING_MOVED", "portal": False, "email": "EACH"} in data["notification_preferences"]
    erase = "mutation { viewerErase(input: {confirm: true}) { erased errors { code } } }"
    assert (await gql(erase, actor=w.actor("resident")))["viewerErase"]["erased"] is True
    for model in (Notification, ActivityFollow):
        assert (
            await scalar(select(func.count()).select_from(model).where(col(model.account_id) == w.accounts["resident"]))
            == 0
        )


async def test_the_service_writes_no_notification_when_the_change_is_rolled_back():
    from backend.services import inputs

    w = await build_world()
    input_id = decode(await submitted(w), "ResidentInput")[1]
    from backend.db import new_session

    async with new_session() as s:
        await inputs.answer(session=s, actor=w.actor("housing"), input_id=input_id, body="Svar")
        await s.rollback()
    assert await kinds(w, "resident") == []
    await call(inputs.answer, actor=w.actor("housing"), input_id=input_id, body="Svar")
    assert await kinds(w, "resident") == ["INPUT_ANSWERED"]


# ---------------------------------------------------------------- by e-mail, through backend.mail
async def _confirmed_address(account_id: int) -> None:
    from backend import clock
    from backend.db import new_session
    from backend.models import MailAddress

    async with new_session() as s:
        s.add(MailAddress(account_id=account_id, address=f"a{account_id}@example.org", confirmed_at=clock.now()))
        await s.commit()


async def test_mail_is_queued_in_the_recipients_language_as_each_or_digest_as_they_chose():
    from backend.db import new_session
    from backend.models import Account, MailDigestItem, OutboxMail

    w = await build_world()
    for who in ("resident", "housing", "municipality"):
        await _confirmed_address(w.accounts[who])
    async with new_session() as s:
        account = await s.get(Account, w.accounts["resident"])
        assert account is not None
        account.language = "en"
        await s.commit()
    await mutate(
        w, "housing", PREFERENCES, {"preferences": [{"kind": "INPUT_RECEIVED", "portal": True, "email": "DAILY"}]}
    )
    await mutate(
        w, "municipality", PREFERENCES, {"preferences": [{"kind": "INPUT_RECEIVED", "portal": False, "email": "EACH"}]}
    )
    input_id = await submitted(w, "Legeplads")
    await mutate(w, "housing", ANSWER, {"inputId": input_id, "body": "Den kommer til foråret."})

    async def outbox(who: str) -> list[OutboxMail]:
        async with new_session() as s:
            rows = await s.execute(select(OutboxMail).where(col(OutboxMail.account_id) == w.accounts[who]))
            return list(rows.scalars())

    (mail,) = await outbox("resident")
    assert mail.kind == "INPUT_ANSWERED" and mail.subject == "News from the Helhedsplan portal"
    # The link leads to the input itself on Min side.
    assert mail.lines == [
        {"text": f"Your input to Følgegruppe {w.tag} has been answered.", "link": f"/min-side#input-{input_id}"}
    ]
    assert "Legeplads" not in str(mail.lines) and "foråret" not in str(mail.lines)
    # Staff: the housing organisation's chose the digest, the municipality's single mails and no portal row.
    assert await outbox("housing") == []
    async with new_session() as s:
        (item,) = (
            await s.execute(select(MailDigestItem).where(col(MailDigestItem.account_id) == w.accounts["housing"]))
        ).scalars()
    assert item.kind == "INPUT_RECEIVED" and item.link == f"/medarbejder/indbakke/{input_id}"
    (staff_mail,) = await outbox("municipality")
    assert staff_mail.lines[0]["text"] == f"Der er kommet nyt input til Følgegruppe {w.tag}."
    assert await kinds(w, "municipality") == [] and await kinds(w, "housing") == ["INPUT_RECEIVED"]
    # E-mail off: nothing queued, the portal notification still written.
    await mutate(
        w, "resident", PREFERENCES, {"preferences": [{"kind": "INPUT_HIDDEN", "portal": True, "email": "NEVER"}]}
    )
    await mutate(w, "housing", HIDE, {"inputId": input_id, "reason": "Test"})
    assert len(await outbox("resident")) == 1 and (await kinds(w, "resident"))[0] == "INPUT_HIDDEN"
