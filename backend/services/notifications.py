"""Notifications: who hears of what, written in the transaction of the change that causes it.

The services call the `*_changed`/`*_created` functions below right after their own audited write, so
a notification (and its e-mail in the outbox, backend/mail) exists if and only if the change does.
Who hears of what:

- residents: their input answered, published, hidden or given another status; an activity they
  follow changed, an occurrence of it moved or cancelled; a meeting of a follow-up group of an estate
  they live in now planned or moved;
- staff of a plan: new input to its follow-up groups (by mail, each or as a daily digest);
- partners: staff moved or cancelled an occurrence of their activity (not what they did themselves);
- Landsbyggefonden: a new version of a strategic agreement awaits its approval.

The actor who caused a change is never told of it. A row holds the kind, the object it is about and
the public names its sentence is made of (a group's name, an activity's title): never what a person
wrote. The sentence is rendered in the reader's language when it is read (`sentence`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import audit, changes, clock, events, i18n, mail, policy
from backend.actor import Actor, residency_current
from backend.i18n import N_, translate
from backend.ids import global_id
from backend.models import (
    Account,
    Activity,
    ActivityFollow,
    ActivityPartner,
    ActorKind,
    Agreement,
    AgreementKind,
    EmailFrequency,
    FollowUpGroup,
    FollowUpGroupEstate,
    Meeting,
    Notification,
    NotificationKind,
    NotificationPreference,
    Occurrence,
    Plan,
    PlanOrganisation,
    Residency,
    ResidentInput,
    UrbanArea,
    pk,
)
from backend.services.errors import FieldError, NotFound, ValidationFailed
from backend.services.validation import get_or_404, utc

K = NotificationKind

# The sentence of each kind, in Danish (the message id; backend/translations has the other languages).
SENTENCES: dict[NotificationKind, str] = {
    K.INPUT_ANSWERED: N_("Dit input til %(group)s er besvaret."),
    K.INPUT_PUBLISHED: N_("Dit input til %(group)s er offentliggjort sammen med svaret."),
    K.INPUT_HIDDEN: N_("Dit input til %(group)s er skjult af følgegruppen."),
    K.INPUT_STATUS_CHANGED: N_("Dit input til %(group)s har fået en ny status."),
    K.ACTIVITY_CHANGED: N_("Aktiviteten %(activity)s er ændret."),
    K.OCCURRENCE_MOVED: N_("En dato for aktiviteten %(activity)s er flyttet."),
    K.OCCURRENCE_CANCELLED: N_("En dato for aktiviteten %(activity)s er aflyst."),
    K.MEETING_CREATED: N_("Der er planlagt et nyt møde i %(group)s."),
    K.MEETING_MOVED: N_("Et møde i %(group)s er flyttet."),
    K.INPUT_RECEIVED: N_("Der er kommet nyt input til %(group)s."),
    K.AGREEMENT_AWAITS_APPROVAL: N_(
        "En ny version af den strategiske aftale for %(plan)s venter på jeres godkendelse."
    ),
}
MAIL_SUBJECT = N_("Nyt fra Helhedsplan-portalen")

# Who can receive each kind: the preferences page offers these kinds to these actors only.
KINDS_FOR: dict[ActorKind, tuple[NotificationKind, ...]] = {
    ActorKind.RESIDENT: (
        K.INPUT_ANSWERED,
        K.INPUT_PUBLISHED,
        K.INPUT_HIDDEN,
        K.INPUT_STATUS_CHANGED,
        K.ACTIVITY_CHANGED,
        K.OCCURRENCE_MOVED,
        K.OCCURRENCE_CANCELLED,
        K.MEETING_CREATED,
        K.MEETING_MOVED,
    ),
    ActorKind.HOUSING_ORGANISATION: (K.INPUT_RECEIVED,),
    ActorKind.MUNICIPALITY: (K.INPUT_RECEIVED,),
    ActorKind.PARTNER: (K.OCCURRENCE_MOVED, K.OCCURRENCE_CANCELLED),
    ActorKind.FUND: (K.AGREEMENT_AWAITS_APPROVAL,),
}
# Staff may take their mail as one daily digest instead of one mail per notification.
DIGEST_KINDS = frozenset({ActorKind.HOUSING_ORGANISATION, ActorKind.MUNICIPALITY})
MARK_READ_MAX = 100  # ids in one notificationsMarkRead
EVENT_RECIPIENTS_MAX = 200  # (notification, account) id pairs in one live event: well below NOTIFY's 8000 bytes


def sentence(kind: NotificationKind | str, language: str | None, params: dict[str, object]) -> str:
    """The notification's sentence in the language; a name missing from `params` reads as empty."""
    names = {"group": "", "activity": "", "plan": ""} | {k: v for k, v in params.items() if isinstance(v, str)}
    if i18n.language(language).direction == "rtl":
        # A Danish name inside a right-to-left sentence keeps its own direction (first strong isolate).
        names = {k: f"\u2068{v}\u2069" for k, v in names.items()}
    return translate(language, SENTENCES[NotificationKind(kind)], **names)


def link(params: dict[str, object]) -> str:
    """The portal path a notification leads to (stored with it when it was written)."""
    path = params.get("link")
    return path if isinstance(path, str) and path.startswith("/") else "/min-side/notifikationer"


# ---------------------------------------------------------------- writing
@dataclass(frozen=True)
class Shared:
    """Recipients as a SELECT built once (module level) with bind parameters, and this change's values
    for them: `notify` then builds its own statement once too (see `_PLAN_STAFF`)."""

    statement: Select[int] | Select[int | None]
    params: dict[str, Any]


# Who hears of a change: account ids, or a SELECT of them (a subquery of the statement that reads their
# preferences and addresses, so that finding the recipients costs no statement of its own).
Recipients = Iterable[int] | Select[int] | Select[int | None] | Shared


async def notify(
    session: AsyncSession,
    *,
    actor: Actor | None,
    kind: NotificationKind,
    subject: tuple[str, int],
    recipients: Recipients,
    names: dict[str, str],
    link_path: str,
) -> int:
    """Tell each recipient of one change, as their preferences for `kind` say: a row for the portal, a
    mail (each or in the daily digest) through backend.mail. Never the actor themself. However many
    the recipients, this costs one statement for the recipients (their preferences and addresses) and
    their portal notifications (on SQLite two: a SELECT, then an INSERT), at most two of mail
    (backend.mail.queue_notification_mails) and one live event (sent at the commit on PostgreSQL).
    Returns how many portal notifications were written."""
    values: dict[str, Any] = {"kind": kind, "actor_id": actor.account_id if actor is not None else None}
    if isinstance(recipients, Shared):
        wanted: Select[int] | Select[int | None] | None = recipients.statement
        values |= recipients.params
    elif isinstance(recipients, Select):
        wanted = recipients
    else:
        ids = set(recipients)
        if not ids:
            return 0
        wanted, values["ids"] = None, sorted(ids)
    params: dict[str, object] = {**names, "link": link_path}
    subject_type, subject_id = subject
    stored = {
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "params": params,
        "created_at": clock.now(),
    }
    postgresql = (await session.connection()).dialect.name == "postgresql"
    shape = (wanted, actor is not None, tuple(stored) if postgresql else None)
    # A SELECT of recipients built for this call alone would only fill the cache.
    statement = _statement_once(*shape) if wanted is None or isinstance(recipients, Shared) else _statement(*shape)
    found: Sequence[Any]
    if postgresql:
        values |= {f"n_{name}": value for name, value in stored.items()}
        found = (await session.execute(statement, values, execution_options=changes.WRITES)).all()
    else:
        found = (await session.execute(statement, values)).all()
    portal: list[int] = []
    mails: list[mail.NotificationMail] = []
    for account_id, account_kind, language, wants_portal, email, accepts_mail, *_ in found:
        if account_id is None:
            continue  # a stored account has an id (sqlmodel types it optional)
        if wants_portal is None or wants_portal:
            portal.append(account_id)
        email = EmailFrequency(email) if email is not None else EmailFrequency.EACH
        if email != EmailFrequency.NEVER and accepts_mail:
            mails.append(
                mail.NotificationMail(
                    account_id=account_id,
                    language=language,
                    subject=translate(language, MAIL_SUBJECT),
                    sentence=sentence(kind, language, params),
                    digest=email == EmailFrequency.DAILY and ActorKind(account_kind) in DIGEST_KINDS,
                )
            )
    await mail.queue_notification_mails(session, kind=kind.value, link_path=link_path, mails=mails)
    rows: Sequence[Any]
    if postgresql:
        rows = [(found_row[-1], found_row[0]) for found_row in found]
    elif portal:
        rows = (
            await session.execute(
                insert(Notification).returning(col(Notification.id), col(Notification.account_id)),
                [{"account_id": account_id, **stored} for account_id in portal],
            )
        ).all()
    else:
        return 0
    written = [(n, a) for n, a in rows if n is not None]  # stored ids are never NULL (sqlmodel types them optional)
    # A meeting reaches every resident of the group: PostgreSQL's NOTIFY takes at most 8000 bytes, so
    # the recipients are told in events of EVENT_RECIPIENTS_MAX each, all published in one statement.
    chunks = [written[i : i + EVENT_RECIPIENTS_MAX] for i in range(0, len(written), EVENT_RECIPIENTS_MAX)]
    await events.publish_many(
        session,
        events.NOTIFICATION_RECEIVED,
        [{"notification_ids": [n for n, _ in c], "account_ids": [a for _, a in c]} for c in chunks],
    )
    return len(written)


# The recipients as `notify` selects them: account_id, account_kind, language, portal, email, accepts_mail.
Found = Select[Any, Any, Any, Any, Any, bool]


def _statement(
    wanted: Select[int] | Select[int | None] | None, excluding_actor: bool, stored: tuple[str, ...] | None
) -> Found | Select[Any]:
    """`notify`'s statement with parameters kind, actor_id (when `excluding_actor`), ids (when `wanted` is
    None: a list of account ids) and `wanted`'s own; on PostgreSQL (`stored` the notification's column
    names, parameters n_<name>) `_with_portal_rows`."""
    preference = and_(
        col(NotificationPreference.account_id) == col(Account.id),
        col(NotificationPreference.kind) == bindparam("kind"),
    )
    account_id = col(Account.id)
    statement: Found = (
        select(
            account_id.label("account_id"),
            col(Account.kind).label("account_kind"),
            col(Account.language).label("language"),
            col(NotificationPreference.portal).label("portal"),
            col(NotificationPreference.email).label("email"),
            mail.accepts_mail(account_id).label("accepts_mail"),
        )
        .outerjoin(NotificationPreference, preference)
        .where(account_id.in_(wanted) if wanted is not None else account_id.in_(bindparam("ids", expanding=True)))
        .order_by(account_id)
    )
    if excluding_actor:
        statement = statement.where(account_id != bindparam("actor_id"))
    return statement if stored is None else _with_portal_rows(statement, stored)


_statement_once = functools.lru_cache(maxsize=64)(_statement)


def _with_portal_rows(recipients: Found, stored: tuple[str, ...]) -> Select[Any]:
    """PostgreSQL: the recipients with, last, the id of the portal notification written for each who wants
    one (NULL for the others), in one statement (a SELECT that writes: run it with changes.WRITES)."""
    found = recipients.cte("recipients")
    table = Notification.__table__  # type: ignore[attr-defined]  # sqlmodel sets it on table models
    values = [bindparam(f"n_{name}", type_=table.c[name].type) for name in stored]
    written = (
        insert(table)
        .from_select(
            ["account_id", *stored],
            select(found.c.account_id, *values).where(or_(found.c.portal.is_(None), found.c.portal)),
        )
        .returning(table.c.id.label("notification_id"), table.c.account_id)
        .cte("written")
    )
    statement = (
        select(found, written.c.notification_id)
        .outerjoin(written, written.c.account_id == found.c.account_id)
        .order_by(found.c.account_id)
    )
    return statement


# ---------------------------------------------------------------- who: recipients as SQL
def _group_residents(group_id: int) -> Select[int]:
    """Residents who live now in an estate of the group (the residency rule of backend/actor.py)."""
    return (
        select(col(Residency.account_id))
        .join(FollowUpGroupEstate, col(FollowUpGroupEstate.estate_id) == col(Residency.estate_id))
        .where(col(FollowUpGroupEstate.group_id) == group_id, residency_current(clock.today()))
    )


def _plan_staff() -> Select[int | None]:
    """Staff of the plan (policy.is_plan_staff): its housing organisations' and its municipality's; the
    plan as parameter plan_id."""
    plan_id: BindParameter[int] = bindparam("plan_id")
    municipality = (
        select(col(UrbanArea.municipality_id))
        .join(Plan, col(Plan.urban_area_id) == col(UrbanArea.id))
        .where(col(Plan.id) == plan_id)
    )
    organisations = select(col(PlanOrganisation.organisation_id)).where(col(PlanOrganisation.plan_id) == plan_id)
    return select(col(Account.id)).where(
        or_(
            and_(
                col(Account.kind) == ActorKind.HOUSING_ORGANISATION,
                col(Account.housing_organisation_id).in_(organisations.scalar_subquery()),
            ),
            and_(
                col(Account.kind) == ActorKind.MUNICIPALITY,
                col(Account.municipality_id) == municipality.scalar_subquery(),
            ),
        )
    )


# Built once: a new input reaches them at every submission.
_PLAN_STAFF = _plan_staff()


async def _followers(session: AsyncSession, activity: Activity) -> Select[int] | list[int]:
    """Residents who follow the activity, while the public may see it (a follower is no insider)."""
    plan = await session.get(Plan, activity.plan_id)
    if plan is None or not policy.activity_is_public(activity.visibility, plan.status):
        return []
    return select(col(ActivityFollow.account_id)).where(col(ActivityFollow.activity_id) == activity.id)


def _activity_partners(actor: Actor | None, activity_id: int) -> Select[int | None]:
    """Staff of the activity's partners, except the actor's own organisation (it knows what it did)."""
    own_partner = actor.partner_id if actor is not None and actor.kind == ActorKind.PARTNER else None
    partners = select(col(ActivityPartner.partner_id)).where(col(ActivityPartner.activity_id) == activity_id)
    statement = select(col(Account.id)).where(
        col(Account.kind) == ActorKind.PARTNER, col(Account.partner_id).in_(partners.scalar_subquery())
    )
    if own_partner is not None:
        statement = statement.where(col(Account.partner_id) != own_partner)
    return statement


# ---------------------------------------------------------------- what: called by the services
INPUT_KINDS = {
    "answered": K.INPUT_ANSWERED,
    "published": K.INPUT_PUBLISHED,
    "hidden": K.INPUT_HIDDEN,
    "status": K.INPUT_STATUS_CHANGED,
}


async def input_handled(session: AsyncSession, actor: Actor | None, row: ResidentInput, what: str) -> None:
    """Tell the author that the group answered, published, hid or moved their input (see INPUT_KINDS)."""
    if row.author_account_id is None:
        return  # registered on paper, or its author erased their account
    group = await session.get(FollowUpGroup, row.group_id)
    await notify(
        session,
        actor=actor,
        kind=INPUT_KINDS[what],
        subject=("ResidentInput", pk(row)),
        recipients=[row.author_account_id],
        names={"group": group.name if group else ""},
        link_path=f"/min-side#input-{global_id('ResidentInput', pk(row))}",  # her input in her list
    )


async def input_received(
    session: AsyncSession, actor: Actor | None, *, input_id: int, plan_id: int, group_name: str
) -> None:
    await notify(
        session,
        actor=actor,
        kind=K.INPUT_RECEIVED,
        subject=("ResidentInput", input_id),
        recipients=Shared(_PLAN_STAFF, {"plan_id": plan_id}),
        names={"group": group_name},
        link_path=f"/medarbejder/indbakke/{global_id('ResidentInput', input_id)}",
    )


async def activity_changed(session: AsyncSession, actor: Actor | None, activity: Activity) -> None:
    await notify(
        session,
        actor=actor,
        kind=K.ACTIVITY_CHANGED,
        subject=("Activity", pk(activity)),
        recipients=await _followers(session, activity),
        names={"activity": activity.title},
        link_path=f"/aktiviteter/{global_id('Activity', pk(activity))}",
    )


async def occurrence_changed(
    session: AsyncSession, actor: Actor | None, occurrence: Occurrence, activity: Activity, *, cancelled: bool
) -> None:
    """An occurrence moved or cancelled: the activity's followers, and its partners when staff did it."""
    kind = K.OCCURRENCE_CANCELLED if cancelled else K.OCCURRENCE_MOVED
    subject, names = ("Occurrence", pk(occurrence)), {"activity": activity.title}
    activity_id = global_id("Activity", pk(activity))
    await notify(
        session,
        actor=actor,
        kind=kind,
        subject=subject,
        recipients=await _followers(session, activity),
        names=names,
        link_path=f"/aktiviteter/{activity_id}",
    )
    await notify(
        session,
        actor=actor,
        kind=kind,
        subject=subject,
        recipients=_activity_partners(actor, pk(activity)),
        names=names,
        link_path=f"/partner/aktiviteter/{activity_id}",
    )


async def meeting_changed(
    session: AsyncSession, actor: Actor | None, meeting: Meeting, group: FollowUpGroup, *, created: bool
) -> None:
    await notify(
        session,
        actor=actor,
        kind=K.MEETING_CREATED if created else K.MEETING_MOVED,
        subject=("Meeting", pk(meeting)),
        recipients=_group_residents(pk(group)),
        names={"group": group.name},
        link_path=f"/foelgegrupper/{global_id('FollowUpGroup', pk(group))}",
    )


async def agreement_awaits_approval(session: AsyncSession, actor: Actor | None, row: Agreement, plan: Plan) -> None:
    """A new version of a strategic agreement: Landsbyggefonden approves those (policy.can_approve_agreement)."""
    if row.kind != AgreementKind.STRATEGIC:
        return
    await notify(
        session,
        actor=actor,
        kind=K.AGREEMENT_AWAITS_APPROVAL,
        subject=("Agreement", pk(row)),
        recipients=select(col(Account.id)).where(col(Account.kind) == ActorKind.FUND),
        names={"plan": plan.name},
        link_path="/medarbejder/beslutninger",
    )


# ---------------------------------------------------------------- the reader's own writes
async def _ids(session: AsyncSession, statement: Select[int | None] | Select[int]) -> list[int]:
    """The ids a statement selects (stored ids are never NULL; sqlmodel types them optional)."""
    return [i for i in (await session.execute(statement)).scalars() if i is not None]


def unread_statement(account_id: int) -> Select[int]:
    """How many of the account's notifications are unread (the portal's header asks on every page)."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(col(Notification.account_id) == account_id, col(Notification.read_at).is_(None))
    )


async def unread_count(session: AsyncSession, account_id: int) -> int:
    count: int = (await session.execute(unread_statement(account_id))).scalar_one()
    return count


async def mark_read(
    *, session: AsyncSession, actor: Actor | None, ids: list[int] | None = None, all_unread: bool = False
) -> list[int]:
    """Mark the actor's own notifications read (the given ones, or all); others' ids count as absent.
    Returns the ids of those that were unread until now, newest first."""
    if not policy.can_read_own_notifications(actor):
        raise NotFound(None, "Notifikationen", "The notification")
    ids = ids or []
    if not all_unread and not ids:
        raise ValidationFailed(
            FieldError("ids", "REQUIRED", "Vælg mindst én notifikation.", "Choose at least one notification.")
        )
    if len(ids) > MARK_READ_MAX:
        raise ValidationFailed(
            FieldError(
                "ids",
                "TOO_LONG",
                f"Højst {MARK_READ_MAX} notifikationer ad gangen.",
                f"At most {MARK_READ_MAX} notifications at a time.",
            )
        )
    ids = list(dict.fromkeys(ids))
    own = col(Notification.account_id) == actor.account_id
    if ids and not all_unread:
        found = set(await _ids(session, select(col(Notification.id)).where(own, col(Notification.id).in_(ids))))
        for i, notification_id in enumerate(ids):
            if notification_id not in found:
                raise NotFound(f"ids[{i}]", "Notifikationen", "The notification")
    unread = [own, col(Notification.read_at).is_(None)]
    if not all_unread:
        unread.append(col(Notification.id).in_(ids))
    result = await session.execute(
        update(Notification).where(*unread).values(read_at=clock.now()).returning(col(Notification.id))
    )
    marked = sorted((i for i in result.scalars() if i is not None), reverse=True)
    await audit.record(
        session,
        actor=actor,
        action="notification.markRead",
        object_type="Notification",
        object_id=ids[0] if len(ids) == 1 and not all_unread else None,
        after={"marked": len(marked), "all": all_unread},
    )
    return marked


async def _followable(session: AsyncSession, actor: Actor | None, activity_id: int | None) -> Activity:
    activity = await get_or_404(session, Activity, activity_id, "activityId", "Aktiviteten", "The activity")
    plan = await session.get(Plan, activity.plan_id)
    if plan is None or not policy.can_follow_activity(actor, activity.visibility, plan.status):
        raise NotFound("activityId", "Aktiviteten", "The activity")
    return activity


async def follow(*, session: AsyncSession, actor: Actor | None, activity_id: int | None, on: bool = True) -> Activity:
    """A resident follows (or stops following) a public activity; doing it twice changes nothing."""
    activity = await _followable(session, actor, activity_id)
    assert actor is not None  # _followable lets only residents through
    key = (actor.account_id, pk(activity))
    existing = await session.get(ActivityFollow, key)
    if on and existing is None:
        session.add(ActivityFollow(account_id=actor.account_id, activity_id=pk(activity)))
    elif not on and existing is not None:
        await session.delete(existing)
    else:
        return activity
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="activity.follow" if on else "activity.unfollow",
        object_type="Activity",
        object_id=pk(activity),
        plan_id=activity.plan_id,
        after={"activity_id": pk(activity), "following": on},
    )
    return activity


async def following(session: AsyncSession, account_id: int, activity_ids: list[int]) -> set[int]:
    """Which of these activities the account follows."""
    return set(
        await _ids(
            session,
            select(col(ActivityFollow.activity_id)).where(
                col(ActivityFollow.account_id) == account_id, col(ActivityFollow.activity_id).in_(activity_ids)
            ),
        )
    )


Choice = tuple[NotificationKind, bool, EmailFrequency]  # (kind, in the portal, by e-mail)


def stored_preferences_statement(account_id: int) -> Select[NotificationKind, bool, EmailFrequency]:
    return select(
        col(NotificationPreference.kind), col(NotificationPreference.portal), col(NotificationPreference.email)
    ).where(col(NotificationPreference.account_id) == account_id)


def preferences(actor_kind: ActorKind, stored: Iterable[Sequence[Any]]) -> list[Choice]:
    """(kind, portal, email) for every kind the actor can receive: the stored rows
    (stored_preferences_statement), the defaults where none is stored."""
    found = {NotificationKind(kind): (bool(portal), EmailFrequency(email)) for kind, portal, email in stored}
    return [(kind, *found.get(kind, (True, EmailFrequency.EACH))) for kind in KINDS_FOR.get(ActorKind(actor_kind), ())]


async def set_preferences(*, session: AsyncSession, actor: Actor | None, choices: list[Choice]) -> None:
    """Store how the actor wants to hear of each kind; kinds it cannot receive, or a digest for others
    than staff, are refused."""
    if not policy.can_read_own_notifications(actor):
        raise NotFound(None, "Kontoen", "The account")
    allowed = KINDS_FOR.get(actor.kind, ())
    if len(choices) > len(NotificationKind):
        raise ValidationFailed(
            FieldError(
                "preferences",
                "TOO_LONG",
                f"Højst {len(NotificationKind)} valg, ét for hver slags.",
                f"At most {len(NotificationKind)} choices, one per kind.",
            )
        )
    errors = []
    seen: set[NotificationKind] = set()
    for i, (kind, _portal, email) in enumerate(choices):
        if kind not in allowed:
            errors.append(
                FieldError(
                    f"preferences[{i}].kind",
                    "NOT_ALLOWED",
                    "Du kan ikke få denne slags notifikation.",
                    "You cannot receive this kind of notification.",
                )
            )
        elif kind in seen:
            errors.append(
                FieldError(
                    f"preferences[{i}].kind",
                    "DUPLICATE",
                    "Den slags notifikation er nævnt to gange.",
                    "The kind of notification is listed twice.",
                )
            )
        elif email == EmailFrequency.DAILY and actor.kind not in DIGEST_KINDS:
            errors.append(
                FieldError(
                    f"preferences[{i}].email",
                    "NOT_ALLOWED",
                    "Kun medarbejdere kan få en daglig samlet e-mail.",
                    "Only staff can receive a daily digest.",
                )
            )
        seen.add(kind)
    if errors:
        raise ValidationFailed(errors)
    before, after = {}, {}
    for kind, portal, email in choices:
        row = await session.get(NotificationPreference, (actor.account_id, kind))
        if row is None:
            row = NotificationPreference(account_id=actor.account_id, kind=kind)
            session.add(row)
        else:
            before[kind.value] = {"portal": row.portal, "email": EmailFrequency(row.email).value}
        row.portal, row.email = portal, email
        after[kind.value] = {"portal": portal, "email": email.value}
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="notification.setPreferences",
        object_type="Account",
        object_id=actor.account_id,
        before=before or None,
        after=after,
    )


def moved(before_starts_at: datetime, before_location: str | None, row: Meeting | Occurrence) -> bool:
    """Whether a meeting or occurrence now takes place at another time or place."""
    return utc(before_starts_at) != utc(row.starts_at) or before_location != row.location
