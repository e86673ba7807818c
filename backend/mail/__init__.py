"""E-mail to people who asked for it: addresses with double opt-in, an outbox, a sender (backend/mail/).

`queue_notification_mail` is what the notifications call: it runs in the caller's transaction, so the
mail is queued if and only if the event is stored.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend.models import Account, MailAddress, MailDigestItem, OutboxMail

__all__ = ["queue_notification_mail"]


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
    """Queue a mail about a notification for the account, in the caller's transaction.

    Queues nothing and returns False unless the account has a confirmed address with mail on. Otherwise
    adds an outbox row (or, with `digest`, an item for the account's daily digest) and returns True.
    `subject` and `sentence` are already in the recipient's language (backend.i18n.translate with the
    account's language) and say only what the recipient would see signed in: never what someone wrote,
    never other people's names. `link_path` is a path in the portal ("/min-side/..."), not a full URL.
    """
    if not link_path.startswith("/") or link_path.startswith("//"):
        raise ValueError("link_path must be a path in the portal, such as /min-side/input/1")
    language = (
        await session.execute(
            select(col(Account.language))
            .join(MailAddress, col(MailAddress.account_id) == col(Account.id))
            .where(
                col(Account.id) == account_id,
                col(MailAddress.confirmed_at).is_not(None),
                col(MailAddress.mail_on),
            )
        )
    ).one_or_none()
    if language is None:
        return False
    line = {"text": sentence[:1000], "link": link_path[:500]}
    if digest:
        session.add(MailDigestItem(account_id=account_id, kind=kind[:50], text=line["text"], link=line["link"]))
    else:
        session.add(
            OutboxMail(
                account_id=account_id,
                kind=kind[:50],
                language=language[0] or "da",
                subject=subject[:300],
                lines=[line],
            )
        )
    return True
