"""A person's e-mail address: given on Min side, confirmed by a link (double opt-in), turned off by the
one-click unsubscribe link or on Min side, removed.

The audit trail records that consent was given or withdrawn, never the address. The confirmation token
is kept only as its hash, expires, and works once. The unsubscribe link carries a keyed hash of the
account id (backend/mail/compose.py), so it works without signing in and stores nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import audit, clock, policy
from backend.actor import Actor, load_actor
from backend.i18n import translate
from backend.mail.compose import CONFIRM_HOURS, CONFIRM_KIND, CONFIRM_PATH, CONFIRM_SUBJECT, unsubscribe_account
from backend.models import Account, MailAddress, MailDigestItem, MailStatus, OutboxMail, max_length, pk
from backend.services.errors import FieldError, NotFound, ValidationFailed
from backend.services.validation import utc

ADDRESS_MAX = max_length(MailAddress, "address")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _invalid(code: str, da: str, en: str) -> ValidationFailed:
    # The message never repeats the address: errors are logged and shown, the address is personal.
    return ValidationFailed(FieldError("address", code, da, en))


def normalise_address(value: str) -> str:
    """The address as stored: trimmed, domain in lower case; refused with a clear error when it is not one."""
    value = (value or "").strip()
    if not value:
        raise _invalid("REQUIRED", "Skriv en e-mailadresse.", "Enter an e-mail address.")
    if len(value) > ADDRESS_MAX:
        raise _invalid(
            "TOO_LONG", f"E-mailadressen må højst være {ADDRESS_MAX} tegn.", f"At most {ADDRESS_MAX} characters."
        )
    try:
        parsed = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError):
        parsed = None
    domain = parsed.domain if parsed else ""
    if (
        parsed is None
        or not parsed.username
        or "." not in domain
        or any(c.isspace() or ord(c) < 32 for c in value)
        or value.count("@") != 1
    ):
        raise _invalid(
            "INVALID",
            "Det ligner ikke en e-mailadresse. Skriv den som navn@eksempel.dk.",
            "That does not look like an e-mail address. Write it as name@example.com.",
        )
    return f"{parsed.username}@{domain.lower()}"


async def _account(session: AsyncSession, actor: Actor | None) -> Account:
    if not policy.can_manage_own_mail(actor):
        raise NotFound(None, "Kontoen", "The account")
    account = await session.get(Account, actor.account_id)
    if account is None:
        raise NotFound(None, "Kontoen", "The account")
    return account


async def _drop_waiting(session: AsyncSession, account_id: int) -> None:
    """Mail not yet sent to the account is not sent (consent withdrawn, or the address changed)."""
    await session.execute(
        update(OutboxMail)
        .where(col(OutboxMail.account_id) == account_id, col(OutboxMail.status) == MailStatus.PENDING)
        .values(status=MailStatus.DROPPED, lines=[])
    )
    await session.execute(delete(MailDigestItem).where(col(MailDigestItem.account_id) == account_id))


async def own_address(session: AsyncSession, actor: Actor | None) -> MailAddress | None:
    if not policy.can_manage_own_mail(actor):
        return None
    return await session.get(MailAddress, actor.account_id)


async def give_address(*, session: AsyncSession, actor: Actor | None, address: str) -> bool:
    """Set (or change) the address; a confirmation mail goes to it, and nothing else until it is confirmed.
    Returns False when it is already the confirmed address (nothing to do)."""
    account = await _account(session, actor)
    address = normalise_address(address)
    row = await session.get(MailAddress, account.id)
    if row is not None and row.address == address and row.confirmed_at is not None:
        return False
    await _drop_waiting(session, pk(account))
    token = secrets.token_urlsafe(32)
    now = clock.now()
    if row is None:
        row = MailAddress(account_id=pk(account), address=address)
        session.add(row)
    was_confirmed = row.confirmed_at is not None
    row.address, row.confirmed_at, row.mail_on = address, None, True
    row.token_hash, row.token_expires_at = token_hash(token), now + timedelta(hours=CONFIRM_HOURS)
    session.add(
        OutboxMail(
            account_id=pk(account),
            kind=CONFIRM_KIND,
            language=account.language or "da",
            subject=translate(account.language, CONFIRM_SUBJECT),
            lines=[{"text": "", "link": CONFIRM_PATH + token}],
        )
    )
    await audit.record(
        session,
        actor=actor,
        action="mail.addressGiven",
        object_type="MailAddress",
        object_id=account.id,
        before={"confirmed": was_confirmed},
        after={"confirmed": False},  # never the address
    )
    return True


async def confirm(*, session: AsyncSession, token: str) -> bool:
    """The confirmation link: the address is confirmed (consent given) if the token is current; once."""
    if not token or len(token) > 100:
        return False
    row = (
        await session.execute(select(MailAddress).where(col(MailAddress.token_hash) == token_hash(token)))
    ).scalar_one_or_none()
    if row is None or row.token_expires_at is None or utc(row.token_expires_at) < clock.now():
        return False
    row.confirmed_at, row.mail_on, row.token_hash, row.token_expires_at = clock.now(), True, None, None
    await _record_consent(session, row.account_id, given=True, via="confirmation-link")
    return True


async def set_mail_on(*, session: AsyncSession, actor: Actor | None, on: bool) -> bool:
    """Turn mail on or off on Min side (the address stays). Returns whether anything changed."""
    account = await _account(session, actor)
    row = await session.get(MailAddress, account.id)
    if row is None or row.confirmed_at is None or row.mail_on == on:
        return False
    row.mail_on = on
    if not on:
        await _drop_waiting(session, pk(account))
    await _record_consent(session, row.account_id, given=on, via="my-page")
    return True


async def unsubscribe(*, session: AsyncSession, token: str) -> bool:
    """The one-click unsubscribe (RFC 8058): mail off for the account of the token, no sign-in. Returns
    False for a token we did not make; True otherwise (also when mail was off already or the address gone)."""
    account_id = unsubscribe_account(token)
    if account_id is None:
        return False
    row = await session.get(MailAddress, account_id)
    if row is not None and row.mail_on:
        row.mail_on = False
        await _drop_waiting(session, account_id)
        await _record_consent(session, account_id, given=False, via="unsubscribe-link")
    return True


async def remove_address(*, session: AsyncSession, actor: Actor | None) -> bool:
    """Forget the address (consent withdrawn); mail not yet sent is not sent."""
    account = await _account(session, actor)
    row = await session.get(MailAddress, account.id)
    if row is None:
        return False
    await _drop_waiting(session, pk(account))
    await session.delete(row)
    await audit.record(
        session,
        actor=actor,
        action="mail.consentWithdrawn",
        object_type="MailAddress",
        object_id=account.id,
        after={"address_removed": True, "via": "my-page"},
    )
    return True


async def _record_consent(session: AsyncSession, account_id: int, *, given: bool, via: str) -> None:
    account = await session.get(Account, account_id)
    actor = await load_actor(session, account) if account is not None else None
    await audit.record(
        session,
        actor=actor,
        action="mail.consentGiven" if given else "mail.consentWithdrawn",
        object_type="MailAddress",
        object_id=account_id,
        after={"mail_on": given, "via": via},
    )
