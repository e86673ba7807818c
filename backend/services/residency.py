"""Residency: the link between a resident's account and the estate they live in.

Two ways in: staff of the estate's housing organisation confirm it, or the resident redeems a
one-time household code that the organisation handed out (only an HMAC of the code is stored; a
code works once and until it expires). Wrong guesses are limited per account (MAX_FAILED_ATTEMPTS
an hour, counted in the database so the limit holds across processes). A residency ends, e.g. on
moving out, by staff or by the resident. Until linked, a resident reads public things only
(backend/actor.py scopes by residency).

Like every service: keyword-only, writes through the caller's session inside its transaction, with
an audit event that holds ids only (never the code, the household label or a name).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import audit, bounds, events, policy
from backend.actor import Actor, residency_ended
from backend.db import rows_changed
from backend.models import (
    Account,
    ActorKind,
    AuditEvent,
    HousingEstate,
    Residency,
    ResidencyCode,
    ResidencyCodeAttempt,
    max_length,
    pk,
)
from backend.services.errors import FieldError, NotFound, ValidationFailed
from backend.services.validation import Checker, get_or_404, now, referenced, today
from backend.settings import get_settings

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 12  # about 60 bits: not guessable by trying
CODE_VALID_DAYS = 60
MAX_CODE_VALID_DAYS = 365
HOUSEHOLD_MAX = max_length(ResidencyCode, "household")
# Failed redemptions (wrong, used or expired code) per account within the window; then refused.
MAX_FAILED_ATTEMPTS = 10
ATTEMPT_WINDOW = timedelta(hours=1)
REFUSED_ACTION = "residency.redeemCodeRefused"
_NOT_CODE = re.compile(r"[\s\-]")
NOT_LOGGED = set(audit.PERSONAL_FIELDS) | {"code_hash", "household"}

ESTATE_DA, ESTATE_EN = "Afdelingen", "The estate"
RESIDENCY_DA, RESIDENCY_EN = "Tilknytningen", "The residency"
ACCOUNT_DA, ACCOUNT_EN = "Beboeren", "The resident"


def normalise_code(code: str) -> str:
    return _NOT_CODE.sub("", code or "").upper()


def code_hash(code: str) -> str:
    """A keyed hash, so the stored hashes of short codes cannot be tried offline."""
    key = get_settings().secret_key.encode("utf-8")
    return hmac.new(key, b"residency-code:" + normalise_code(code).encode("utf-8"), hashlib.sha256).hexdigest()


def attempt_key(issuer: str, subject: str) -> str:
    """Whose household code attempts these are: the identity (not the account row, which erasing
    removes), as a keyed hash, so the table names nobody."""
    key = get_settings().secret_key.encode("utf-8")
    return hmac.new(key, f"code-attempts:{issuer}\0{subject}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


async def _has_active(session: AsyncSession, account_id: int, estate_id: int, day: date) -> bool:
    """A residency of the account in the estate that has not ended by `day` (current or starting later)."""
    row = await session.execute(
        select(col(Residency.id))
        .where(
            col(Residency.account_id) == account_id,
            col(Residency.estate_id) == estate_id,
            or_(col(Residency.until).is_(None), col(Residency.until) > day),
        )
        .limit(1)
    )
    return row.first() is not None


async def _managed_estate(session: AsyncSession, actor: Actor | None, estate_id: int | None) -> HousingEstate:
    estate = await get_or_404(session, HousingEstate, estate_id, "estateId", ESTATE_DA, ESTATE_EN)
    if not policy.can_manage_residency(actor, estate.organisation_id):
        raise NotFound("estateId", ESTATE_DA, ESTATE_EN)
    return estate


def _record(residency: Residency) -> audit.AuditData:
    return audit.snapshot(residency, personal=NOT_LOGGED)


async def _audit(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    residency: Residency,
    before: audit.AuditData | None = None,
    **ids: int | None,
) -> None:
    """Record a residency's change in the audit log: its record after (and before), and `ids` it concerned;
    and tell every process that the resident's scope changed (their bearer tokens' remembered actors go)."""
    after = dict(_record(residency), **ids)
    await audit.record(session, actor=actor, action=action, obj=residency, before=before, after=after)
    await events.publish(session, events.ACCOUNT_CHANGED, account_id=residency.account_id)


async def confirm(
    *,
    session: AsyncSession,
    actor: Actor | None,
    account_id: int | None,
    estate_id: int | None,
    since: date | None = None,
) -> Residency:
    """Staff of the estate's housing organisation confirm that a resident lives there."""
    estate = await _managed_estate(session, actor, estate_id)
    account = await session.get(Account, account_id) if isinstance(account_id, int) else None
    if account is None or account.kind != ActorKind.RESIDENT:
        raise NotFound("accountId", ACCOUNT_DA, ACCOUNT_EN)
    check = Checker()
    since = check.day("since", since or today(), low=bounds.RESIDENCY_SINCE_MIN, high=_latest_end())
    since = check.done(since)
    if await _has_active(session, pk(account), pk(estate), since):
        raise ValidationFailed(
            FieldError(
                "accountId",
                "DUPLICATE",
                "Beboeren er allerede tilknyttet afdelingen.",
                "The resident is already linked to this estate.",
            )
        )
    residency = Residency(account_id=pk(account), estate_id=pk(estate), since=since, confirmed_by="STAFF")
    session.add(residency)
    await session.flush()
    await _audit(session, actor, "residency.confirm", residency)
    return residency


async def create_code(
    *,
    session: AsyncSession,
    actor: Actor | None,
    estate_id: int | None,
    household: str | None,
    valid_days: int = CODE_VALID_DAYS,
) -> tuple[ResidencyCode, str]:
    """A one-time code for one household of the estate; the code itself is returned once, never stored."""
    estate = await _managed_estate(session, actor, estate_id)
    check = Checker()
    household = check.text(
        "household", household, max_len=HOUSEHOLD_MAX, label_da="Husstanden", label_en="The household", single_line=True
    )
    if not isinstance(valid_days, int) or not 1 <= valid_days <= MAX_CODE_VALID_DAYS:
        check.add(
            "validDays",
            "OUT_OF_RANGE",
            f"Koden kan gælde 1 til {MAX_CODE_VALID_DAYS} dage.",
            f"A code can be valid for 1 to {MAX_CODE_VALID_DAYS} days.",
        )
    household = check.done(household)
    code = new_code()
    row = ResidencyCode(
        estate_id=pk(estate),
        code_hash=code_hash(code),
        household=household,
        expires_at=now() + timedelta(days=valid_days),
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session, actor=actor, action="residencyCode.create", obj=row, after=audit.snapshot(row, personal=NOT_LOGGED)
    )
    return row, code


def _latest_end() -> date:
    """A residency starts or ends at most a year ahead (and never after the last stored date)."""
    return min(today() + timedelta(days=366), bounds.DATE_MAX)


def _invalid_code() -> ValidationFailed:
    return ValidationFailed(
        FieldError(
            "code",
            "INVALID",
            "Koden er ugyldig, allerede brugt eller udløbet.",
            "The code is invalid, already used or expired.",
        )
    )


def _too_many_attempts() -> ValidationFailed:
    return ValidationFailed(
        FieldError(
            "code",
            "TOO_MANY_ATTEMPTS",
            "For mange forkerte forsøg. Prøv igen om en time.",
            "Too many wrong attempts. Try again in an hour.",
        )
    )


async def _count_attempt(session: AsyncSession, actor: Actor, moment: datetime) -> int:
    """Count this redemption as failed before the code is looked up; the id of its attempt row.

    It runs in its own short transaction, committed before the redemption starts, so the attempt stays
    counted when the redemption fails and its transaction rolls back; a successful redemption deletes
    its attempt row again. (On SQLite the caller's transaction must not have written yet.) At the limit
    it raises TOO_MANY_ATTEMPTS and counts nothing.
    """
    refused = False
    async with AsyncSession(session.bind, expire_on_commit=False) as own, own.begin():
        # One account's attempts are counted one at a time (row lock on PostgreSQL, write lock on
        # SQLite), so parallel requests cannot pass the limit together.
        await own.execute(update(Account).where(col(Account.id) == actor.account_id).values(last_seen_at=moment))
        issuer, subject = (
            await own.execute(
                select(col(Account.issuer), col(Account.subject)).where(col(Account.id) == actor.account_id)
            )
        ).one()
        key = attempt_key(issuer, subject)
        since = moment - ATTEMPT_WINDOW
        # Everyone's old attempts go: the rows outlive erased accounts, so no one else would remove them.
        await own.execute(delete(ResidencyCodeAttempt).where(col(ResidencyCodeAttempt.at) <= since))
        failed = (
            await own.execute(
                select(func.count())
                .select_from(ResidencyCodeAttempt)
                .where(col(ResidencyCodeAttempt.identity_key) == key)
            )
        ).scalar_one()
        if failed >= MAX_FAILED_ATTEMPTS:
            refused = True
            # Once per account and window: a script hammering away cannot flood the audit log.
            logged = await own.execute(
                select(col(AuditEvent.id))
                .where(
                    col(AuditEvent.actor_account_id) == actor.account_id,
                    col(AuditEvent.action) == REFUSED_ACTION,
                    col(AuditEvent.at) > since,
                )
                .limit(1)
            )
            if logged.first() is None:
                await audit.record(
                    own,
                    actor=actor,
                    action=REFUSED_ACTION,
                    object_type="Account",
                    object_id=actor.account_id,
                    after={"failed_attempts": failed},
                    reason="TOO_MANY_ATTEMPTS",
                )
        else:
            attempt = ResidencyCodeAttempt(identity_key=key, at=moment)
            own.add(attempt)
            await own.flush()
    if refused:
        raise _too_many_attempts()
    return pk(attempt)


async def redeem_code(*, session: AsyncSession, actor: Actor | None, code: str | None) -> Residency:
    """A signed-in resident links themselves to the code's estate; the code is used up.

    Every redemption that does not succeed counts against MAX_FAILED_ATTEMPTS per ATTEMPT_WINDOW.
    """
    if actor is None or not policy.can_redeem_residency_code(actor):
        raise ValidationFailed(
            FieldError(
                None,
                "NOT_ALLOWED",
                "Kun beboere kan indløse en husstandskode.",
                "Only residents can redeem a household code.",
            )
        )
    normalised = normalise_code(code or "")
    if not normalised:
        raise ValidationFailed(FieldError("code", "REQUIRED", "Skriv koden.", "The code is required."))
    moment = now()
    attempt_id = await _count_attempt(session, actor, moment)
    if len(normalised) > 64:
        raise _invalid_code()
    row = (
        await session.execute(select(ResidencyCode).where(col(ResidencyCode.code_hash) == code_hash(normalised)))
    ).scalar_one_or_none()
    if row is None or row.used_at is not None or _aware(row.expires_at) <= moment:
        raise _invalid_code()
    if await _has_active(session, actor.account_id, row.estate_id, today()):
        raise ValidationFailed(
            FieldError(
                "code",
                "DUPLICATE",
                "Du er allerede tilknyttet denne afdeling.",
                "You are already linked to this estate.",
            )
        )
    # Used once: the conditional update decides between two simultaneous redemptions.
    used = await rows_changed(
        session,
        update(ResidencyCode)
        .where(col(ResidencyCode.id) == row.id, col(ResidencyCode.used_at).is_(None))
        .values(used_at=moment),
    )
    if used != 1:
        raise _invalid_code()
    residency = Residency(account_id=actor.account_id, estate_id=row.estate_id, since=today(), confirmed_by="CODE")
    session.add(residency)
    # Success: this attempt was no wrong guess (bookkeeping, not domain data: not audited).
    await session.execute(delete(ResidencyCodeAttempt).where(col(ResidencyCodeAttempt.id) == attempt_id))
    await session.flush()
    await _audit(session, actor, "residency.redeemCode", residency, code_id=row.id)
    return residency


async def end(
    *, session: AsyncSession, actor: Actor | None, residency_id: int | None, until: date | None = None
) -> Residency:
    """End a residency (moving out): staff of the estate's organisation, or the resident."""
    residency = await get_or_404(session, Residency, residency_id, "residencyId", RESIDENCY_DA, RESIDENCY_EN)
    estate = await referenced(session, HousingEstate, residency.estate_id)
    if not policy.can_end_residency(
        actor, account_id=residency.account_id, estate_organisation_id=estate.organisation_id
    ):
        raise NotFound("residencyId", RESIDENCY_DA, RESIDENCY_EN)
    until = until or today()
    if residency_ended(residency.until, today()):
        raise ValidationFailed(
            FieldError(
                "residencyId",
                "INVALID_TRANSITION",
                "Tilknytningen er allerede afsluttet.",
                "The residency has already ended.",
            )
        )
    if until < residency.since:
        raise ValidationFailed(
            FieldError(
                "until",
                "PERIOD_INVALID",
                "Slutdatoen ligger før startdatoen.",
                "The end date is before the start date.",
            )
        )
    check = Checker()
    check.day("until", until, low=residency.since, high=_latest_end())
    check.done()
    before = _record(residency)
    residency.until = until
    await session.flush()
    await _audit(session, actor, "residency.end", residency, before)
    return residency


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
