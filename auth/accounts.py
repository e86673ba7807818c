"""From verified claims to an Account: the issuer's mapping decides kind, organisation and name.

Residents' accounts keep only the issuer's pseudonymous subject and a display name: no CPR number,
no e-mail, nothing else from the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.errors import AuthenticationError
from auth.issuers import Issuer
from backend.models import Account, ActorKind, HousingOrganisation, Municipality, Partner, utcnow

LAST_SEEN_GRANULARITY = timedelta(hours=1)  # so a busy API client does not write on every request


class ClaimsRefused(AuthenticationError):
    pass


@dataclass(frozen=True)
class Identity:
    issuer_id: str
    subject: str
    kind: ActorKind
    display_name: str
    housing_organisation_id: int | None = None
    partner_id: int | None = None
    municipality_id: int | None = None


def _claim(claims: dict, name: str | None) -> str | None:
    if not name:
        return None
    value = claims.get(name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _kind(issuer: Issuer, claims: dict) -> ActorKind:
    raw = _claim(claims, issuer.kind_claim)
    if raw is None:
        if issuer.default_kind is None:
            raise ClaimsRefused(f"issuer {issuer.id} sent no actor kind")
        return issuer.default_kind
    try:
        kind = ActorKind(raw.upper())
    except ValueError:
        raise ClaimsRefused(f"unknown actor kind from issuer {issuer.id}") from None
    if kind not in issuer.allowed_kinds:
        raise ClaimsRefused(f"issuer {issuer.id} may not assert the kind {kind.value}")
    return kind


@dataclass(frozen=True)
class _Lookup:
    """The organisation or municipality a claim names, to be looked up by its number."""

    column: Any  # e.g. Municipality.code: a model attribute, which sqlmodel types as its value (str)
    value: str
    field: str  # the Identity field its id goes into
    unknown: str  # the refusal when no row has the number


def _parse(issuer: Issuer, claims: dict) -> tuple[str, ActorKind, str, _Lookup | None]:
    """Everything the claims say before the database is asked: subject, kind, name, organisation."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 300:
        raise ClaimsRefused("the token has no usable subject")
    kind = _kind(issuer, claims)
    name = (_claim(claims, issuer.display_name_claim) or "")[:200]
    lookup = None
    if kind in (ActorKind.HOUSING_ORGANISATION, ActorKind.PARTNER):
        cvr = _claim(claims, issuer.cvr_claim)
        if cvr is None:
            raise ClaimsRefused(f"issuer {issuer.id} sent no CVR number")
        if kind == ActorKind.HOUSING_ORGANISATION:
            lookup = _Lookup(
                HousingOrganisation.cvr,
                cvr,
                "housing_organisation_id",
                "the organisation's CVR number is not known here",
            )
        else:
            lookup = _Lookup(Partner.cvr, cvr, "partner_id", "the organisation's CVR number is not known here")
    elif kind == ActorKind.MUNICIPALITY:
        code = _claim(claims, issuer.municipality_code_claim)
        if code is None:
            raise ClaimsRefused(f"issuer {issuer.id} sent no municipality code")
        lookup = _Lookup(Municipality.code, code, "municipality_id", "the municipality code is not known here")
    if not name:
        name = {ActorKind.RESIDENT: "Beboer", ActorKind.FUND: "Landsbyggefonden"}.get(kind, "Medarbejder")
    return subject, kind, name, lookup


def _identity(
    issuer: Issuer, subject: str, kind: ActorKind, name: str, lookup: _Lookup | None, org_id: int | None
) -> Identity:
    ids = {lookup.field: org_id} if lookup is not None else {}
    return Identity(issuer_id=issuer.id, subject=subject, kind=kind, display_name=name, **ids)


def _claimed(identity: Identity) -> dict[str, Any]:
    """The account's columns that the claims decide, as the identity has them."""
    attrs = ("kind", "display_name", "housing_organisation_id", "partner_id", "municipality_id")
    return {attr: getattr(identity, attr) for attr in attrs}


def _apply(account: Account, identity: Identity) -> bool:
    changed = False
    for attr, value in _claimed(identity).items():
        if getattr(account, attr) != value:
            setattr(account, attr, value)
            changed = True
    return changed


async def account_for_identity(session: AsyncSession, identity: Identity) -> Account:
    """Find or create the account of (issuer id, subject) and bring it up to date with the claims.

    Commits only when something changed, so a known, unchanged account costs one SELECT.
    """
    query = select(Account).where(col(Account.issuer) == identity.issuer_id, col(Account.subject) == identity.subject)
    account = (await session.execute(query)).scalar_one_or_none()
    return await _bring_up_to_date(session, identity, account, query)


async def _bring_up_to_date(session: AsyncSession, identity: Identity, account: Account | None, query) -> Account:
    now = utcnow()
    if account is None:
        claimed = _claimed(identity)
        account = Account(
            issuer=identity.issuer_id, subject=identity.subject, created_at=now, last_seen_at=now, **claimed
        )
        session.add(account)
        try:
            await session.commit()
        except IntegrityError:
            # Another request created it at the same moment.
            await session.rollback()
            account = (await session.execute(query)).scalar_one()
        return account
    last_seen = account.last_seen_at
    if last_seen is not None and last_seen.tzinfo is None:
        last_seen = last_seen.replace(tzinfo=now.tzinfo)
    stale = last_seen is None or now - last_seen > LAST_SEEN_GRANULARITY
    if _apply(account, identity) or stale:
        account.last_seen_at = now
        await session.commit()
    return account


async def account_for_claims(session: AsyncSession, issuer: Issuer, claims: dict) -> Account:
    """The account of verified claims; staff and partners' organisation (or municipality) and their
    account come in one statement (every signed-in API request passes here)."""
    subject, kind, name, lookup = _parse(issuer, claims)
    if lookup is None:
        return await account_for_identity(session, _identity(issuer, subject, kind, name, None, None))
    model = lookup.column.class_
    own = and_(col(Account.issuer) == issuer.id, col(Account.subject) == subject)
    row = (
        await session.execute(select(model.id, Account).outerjoin(Account, own).where(lookup.column == lookup.value))
    ).one_or_none()
    if row is None:
        raise ClaimsRefused(lookup.unknown)
    identity = _identity(issuer, subject, kind, name, lookup, row[0])
    return await _bring_up_to_date(session, identity, row[1], select(Account).where(own))
