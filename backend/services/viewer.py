"""A resident's own data: everything stored about them as JSON, erasing the account, the chosen language."""

from __future__ import annotations

import re

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from backend import audit, events, policy
from backend.actor import Actor
from backend.audit import _plain
from backend.db import rows_changed
from backend.models import (
    Account,
    ActivityFollow,
    AuditEvent,
    FollowUpGroup,
    HousingEstate,
    InputAnswer,
    InputReport,
    MailAddress,
    Notification,
    NotificationPreference,
    OutboxMail,
    Residency,
    ResidencyCodeAttempt,
    ResidentInput,
    WebSession,
    pk,
)
from backend.services.errors import FieldError, NotFound, ValidationFailed
from backend.services.residency import attempt_key

# The export is plain JSON: the values are what audit._plain makes of a column (str, int, bool, ...).
Json = dict[str, object]


def _row(obj: SQLModel, *fields: str) -> Json:
    return {f: _plain(getattr(obj, f)) for f in fields}


async def _own_account(
    session: AsyncSession, actor: Actor | None, allowed: bool, problem: FieldError | None = None
) -> Account:
    """The signed-in person's account: absent unless the policy `allowed` it; a `problem` with the input
    is raised before the account is read."""
    if not allowed or actor is None:
        raise NotFound(None, "Kontoen", "The account")
    if problem is not None:
        raise ValidationFailed(problem)
    account = await session.get(Account, actor.account_id)
    if account is None:
        raise NotFound(None, "Kontoen", "The account")
    return account


async def _record(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    account_id: int | None,
    *,
    before: audit.AuditData | None = None,
    after: audit.AuditData,
) -> None:
    """An audit event about the account (its id only, never what it holds)."""
    await audit.record(
        session, actor=actor, action=action, object_type="Account", object_id=account_id, before=before, after=after
    )


async def export_data(*, session: AsyncSession, actor: Actor | None) -> Json:
    """Everything the portal stores about the signed-in person (GDPR art. 15 and 20), as plain JSON."""
    account = await _own_account(session, actor, policy.can_export_own_data(actor))
    residencies = (
        await session.execute(
            select(Residency, col(HousingEstate.name))
            .join(HousingEstate, col(HousingEstate.id) == col(Residency.estate_id))
            .where(col(Residency.account_id) == account.id)
            .order_by(col(Residency.id))
        )
    ).all()
    inputs = list(
        (
            await session.execute(
                select(ResidentInput)
                .where(col(ResidentInput.author_account_id) == account.id)
                .order_by(col(ResidentInput.id))
            )
        ).scalars()
    )
    answers: dict[int, list[Json]] = {}
    if inputs:
        for a in (
            await session.execute(
                select(InputAnswer)
                .where(col(InputAnswer.input_id).in_([i.id for i in inputs]))
                .order_by(col(InputAnswer.id))
            )
        ).scalars():
            answers.setdefault(a.input_id, []).append(_row(a, "id", "body", "author_kind", "created_at"))
    group_names: dict[int, str] = {}
    if inputs:
        for g in (
            await session.execute(
                select(col(FollowUpGroup.id), col(FollowUpGroup.name)).where(
                    col(FollowUpGroup.id).in_({i.group_id for i in inputs})
                )
            )
        ).all():
            group_names[g.id] = g.name
    reports = (
        await session.execute(
            select(InputReport).where(col(InputReport.reporter_account_id) == account.id).order_by(col(InputReport.id))
        )
    ).scalars()
    sessions = (await session.execute(select(WebSession).where(col(WebSession.account_id) == account.id))).scalars()
    # Failed household code attempts of the last hour (kept for the guessing limit, then pruned).
    code_attempts = (
        await session.execute(
            select(col(ResidencyCodeAttempt.at))
            .where(col(ResidencyCodeAttempt.identity_key) == attempt_key(account.issuer, account.subject))
            .order_by(col(ResidencyCodeAttempt.at))
        )
    ).scalars()
    mail_address = await session.get(MailAddress, account.id)
    mails = (
        await session.execute(
            select(OutboxMail).where(col(OutboxMail.account_id) == account.id).order_by(col(OutboxMail.id))
        )
    ).scalars()
    events = (
        await session.execute(
            select(AuditEvent).where(col(AuditEvent.actor_account_id) == account.id).order_by(col(AuditEvent.id))
        )
    ).scalars()
    notifications = (
        await session.execute(
            select(Notification).where(col(Notification.account_id) == account.id).order_by(col(Notification.id))
        )
    ).scalars()
    follows = (
        await session.execute(
            select(ActivityFollow)
            .where(col(ActivityFollow.account_id) == account.id)
            .order_by(col(ActivityFollow.activity_id))
        )
    ).scalars()
    preferences = (
        await session.execute(
            select(NotificationPreference).where(col(NotificationPreference.account_id) == account.id)
        )
    ).scalars()
    data: Json = {
        "account": _row(
            account,
            "id",
            "issuer",
            "subject",
            "kind",
            "display_name",
            "housing_organisation_id",
            "partner_id",
            "municipality_id",
            "language",
            "created_at",
            "last_seen_at",
        ),
        "residencies": [
            {**_row(r, "id", "estate_id", "since", "until", "confirmed_by"), "estate_name": estate_name}
            for r, estate_name in residencies
        ],
        "inputs": [
            {
                **_row(
                    i,
                    "id",
                    "group_id",
                    "title",
                    "body",
                    "language",
                    "concerns_activity_id",
                    "concerns_focus_area_id",
                    "status",
                    "channel",
                    "published",
                    "hidden",
                    "withdrawn",
                    "created_at",
                    "updated_at",
                ),
                "group_name": group_names.get(i.group_id),
                "answers": answers.get(pk(i), []),
            }
            for i in inputs
        ],
        "reports": [_row(r, "id", "input_id", "reason", "created_at") for r in reports],
        "sessions": [_row(s, "created_at", "expires_at") for s in sessions],
        "household_code_attempts": [_plain(at) for at in code_attempts],
        "mail_address": _row(mail_address, "address", "confirmed_at", "mail_on", "created_at")
        if mail_address
        else None,
        "mails": [_row(m, "id", "kind", "subject", "lines", "status", "created_at", "sent_at") for m in mails],
        "audit_events": [_row(e, "id", "at", "action", "object_type", "object_id") for e in events],
        "notifications": [
            _row(n, "id", "kind", "subject_type", "subject_id", "params", "created_at", "read_at")
            for n in notifications
        ],
        "activity_follows": [_row(f, "activity_id", "created_at") for f in follows],
        "notification_preferences": [_row(p, "kind", "portal", "email") for p in preferences],
    }
    await _record(session, actor, "viewer.dataExport", account.id, after={"id": account.id})
    return data


UNCONFIRMED = FieldError(
    "confirm",
    "CONFIRMATION_REQUIRED",
    "Bekræft, at du vil slette din konto.",
    "Confirm that you want to erase your account.",
)


async def erase(*, session: AsyncSession, actor: Actor | None, confirm: bool) -> int:
    """Erase the resident's account: inputs stay with the group, anonymised; residencies and sessions go."""
    account = await _own_account(session, actor, policy.can_erase_own_account(actor), None if confirm else UNCONFIRMED)
    anonymised = await rows_changed(
        session,
        update(ResidentInput)
        .where(col(ResidentInput.author_account_id) == account.id)
        .values(author_account_id=None, content_hash=None),
    )
    await session.execute(
        update(InputReport).where(col(InputReport.reporter_account_id) == account.id).values(reporter_account_id=None)
    )
    residencies = await rows_changed(session, delete(Residency).where(col(Residency.account_id) == account.id))
    sessions = await rows_changed(session, delete(WebSession).where(col(WebSession.account_id) == account.id))
    # The e-mail address, the mail waiting or kept and the digest items go with the account (ON DELETE CASCADE).
    mail_address = await session.get(MailAddress, account.id) is not None
    notifications = await rows_changed(session, delete(Notification).where(col(Notification.account_id) == account.id))
    follows = await rows_changed(session, delete(ActivityFollow).where(col(ActivityFollow.account_id) == account.id))
    await session.execute(delete(NotificationPreference).where(col(NotificationPreference.account_id) == account.id))
    await events.publish(session, events.SESSION_ENDED, account_id=account.id)  # its open sockets close
    account_id = pk(account)
    await session.delete(account)
    await session.flush()
    removed = {
        "inputs_anonymised": anonymised,
        "residencies_removed": residencies,
        "sessions_removed": sessions,
        "mail_address_removed": mail_address,
        "notifications_removed": notifications,
        "follows_removed": follows,
    }
    await _record(session, actor, "viewer.erase", account_id, before={"id": account_id}, after=removed)
    return account_id


LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
NOT_A_LANGUAGE = FieldError(
    "language",
    "INVALID",
    "Sproget skal være en sprogkode som da eller ar.",
    "The language must be a language code such as da or ar.",
)


async def set_language(*, session: AsyncSession, actor: Actor | None, language: str) -> int:
    """Remember the portal language the signed-in person chose (the portal restores it at sign-in)."""
    invalid = None if LANGUAGE_CODE.fullmatch(language or "") else NOT_A_LANGUAGE
    account = await _own_account(session, actor, policy.can_choose_own_language(actor), invalid)
    if account.language != language:
        before = {"language": account.language}
        account.language = language
        await _record(session, actor, "viewer.setLanguage", account.id, before=before, after={"language": language})
    return pk(account)
