"""E-mail to people who asked for it: addresses with double opt-in, an outbox, a sender (backend/mail/).

The notifications queue their mail here, in the caller's transaction, so a mail is queued if and only
if its event is stored: `accepts_mail` is the rule for who gets mail (the notifications read it in the
statement that finds their recipients), `queue_notification_mails` writes the mails of one event for
all its recipients in at most two statements, and `queue_notification_mail` does both for one account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.models import Account, MailAddress, MailDigestItem, MailStatus, OutboxMail

__all__ = ["NotificationMail", "accepts_mail", "queue_notification_mail", "queue_notification_mails"]


def accepts_mail(account_id: SQLColumnExpression[int | None]) -> ColumnElement[bool]:
    """Whether the account (a column of the caller's SELECT) has a confirmed address with mail on."""
    return exists().where(
        col(MailAddress.account_id) == account_id,
        col(MailAddress.confirmed_at).is_not(None),
        col(MailAddress.mail_on),
    )


@dataclass(frozen=True)
class NotificationMail:
    """One recipient's mail about a notification: `subject` and `sentence` already in the recipient's
    `language` (backend.i18n.translate), saying only what the recipient would see signed in: never what
    someone wrote, never other people's names. `digest`: in the account's daily digest instead."""

    account_id: int
    language: str | None
    subject: str
    sentence: str
    digest: bool = False


def _check_link(link_path: str) -> None:
    if not link_path.startswith("/") or link_path.startswith("//"):
        raise ValueError("link_path must be a path in the portal, such as /min-side/input/1")


async def queue_notification_mails(
    session: AsyncSession, *, kind: str, link_path: str, mails: Sequence[NotificationMail]
) -> None:
    """Queue the mails of one notification, in the caller's transaction: one INSERT of outbox rows and
    one of digest items, however many recipients. The caller has chosen accounts that `accepts_mail`.
    `link_path` is a path in the portal ("/min-side/..."), not a full URL."""
    _check_link(link_path)
    kind, link = kind[:50], link_path[:500]
    outbox = [
        OutboxMail(
            account_id=m.account_id,
            kind=kind,
            language=m.language or "da",
            subject=m.subject[:300],
            lines=[{"text": m.sentence[:1000], "link": link}],
        ).model_dump(exclude={"id"})  # the model's defaults (status, times) in a plain row
        for m in mails
        if not m.digest
    ]
    digest = [
        MailDigestItem(account_id=m.account_id, kind=kind, text=m.sentence[:1000], link=link).model_dump(exclude={"id"})
        for m in mails
        if m.digest
    ]
    # RETURNING makes SQLAlchemy write the rows as one multi-row INSERT ("insertmanyvalues") on both
    # databases, not a statement per row.
    for model, rows in ((OutboxMail, outbox), (MailDigestItem, digest)):
        if rows:
            await session.execute(insert(model).returning(col(model.id)), rows)


async def queue_notification_mail(
    session: AsyncSession,
    *,
    account_id: int,
    kind: str,
    subject: str,
    sentence: str,
    link_path: str,
    digest: bool = False,
) -> bool:
    """Queue a mail about a notification for one account, in the caller's transaction.

    Queues nothing and returns False unless the account `accepts_mail`. Otherwise adds an outbox row (or,
    with `digest`, an item for the account's daily digest) and returns True. See NotificationMail for
    what `subject` and `sentence` may say, queue_notification_mails for `link_path`.
    """
    _check_link(link_path)
    language = (
        await session.execute(
            select(col(Account.language)).where(col(Account.id) == account_id, accepts_mail(col(Account.id)))
        )
    ).one_or_none()
    if language is None:
        return False
    mail = NotificationMail(account_id, language[0], subject, sentence, digest)
    await queue_notification_mails(session, kind=kind, link_path=link_path, mails=[mail])
    return True


async def outbox_backlog(session: AsyncSession) -> dict[MailStatus, int]:
    """How many outbox mails are waiting (PENDING) and how many failed for good, for the metrics."""
    counted = await session.execute(
        select(col(OutboxMail.status), func.count())
        .where(col(OutboxMail.status).in_([MailStatus.PENDING, MailStatus.FAILED]))
        .group_by(col(OutboxMail.status))
    )
    found = {MailStatus(status): int(count) for status, count in counted.all()}
    return {status: found.get(status, 0) for status in (MailStatus.PENDING, MailStatus.FAILED)}
