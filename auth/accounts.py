"""From verified claims to an Account: the issuer's mapping decides kind, organisation and name.

Residents' accounts keep only the issuer's pseudonymous subject and a display name: no CPR number,
no e-mail, nothing else from the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

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


async def identity_from_claims(session: AsyncSession, issuer: Issuer, claims: dict) -> Identity:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 300:
        raise ClaimsRefused("the token has no usable subject")
    kind = _kind(issuer, claims)
    name = (_claim(claims, issuer.display_name_claim) or "")[:200]
    ids: dict[str, int] = {}
    if kind in (ActorKind.HOUSING_ORGANISATION, ActorKind.PARTNER):
        cvr = _claim(claims, issuer.cvr_claim)
        if cvr is None:
            raise ClaimsRefused(f"issuer {issuer.id} sent no CVR number")
        model = HousingOrganisation if kind == ActorKind.HOUSING_ORGANISATION else Partner
        org_id = (await session.execute(select(model.id).where(model.cvr == cvr))).scalar_one_or_none()
        if org_id is None:
            raise ClaimsRefused("the organisation's CVR number is not known here")
        ids["housing_organisation_id" if kind == ActorKind.HOUSING_ORGANISATION else "partner_id"] = org_id
    elif kind == ActorKind.MUNICIPALITY:
        code = _claim(claims, issuer.municipality_code_claim)
        if code is None:
            raise ClaimsRefused(f"issuer {issuer.id} sent no municipality code")
        mun_id = (await session.execute(select(Municipality.id).where(Municipality.code == code))).scalar_one_or_none()
        if mun_id is None:
            raise ClaimsRefused("the municipality code is not known here")
        ids["municipality_id"] = mun_id
    if not name:
        name = {ActorKind.RESIDENT: "Beboer", ActorKind.FUND: "Landsbyggefonden"}.get(kind, "Medarbejder")
    return Identity(issuer_id=issuer.id, subject=subject, kind=kind, display_name=name, **ids)


def _apply(account: Account, identity: Identity) -> bool:
    changed = False
    for attr in ("kind", "display_name", "housing_organisation_id", "partner_id", "municipality_id"):
        value = getattr(identity, attr)
        if getattr(account, attr) != value:
            setattr(account, attr, value)
            changed = True
    return changed


async def account_for_identity(session: AsyncSession, identity: Identity) -> Account:
    """Find or create the account of (issuer id, subject) and bring it up to date with the claims.

    Commits only when something changed, so a known, unchanged account costs one SELECT.
    """
    query = select(Account).where(Account.issuer == identity.issuer_id, Account.subject == identity.subject)
    account = (await session.execute(query)).scalar_one_or_none()
    now = utcnow()
    if account is None:
        account = Account(issuer=identity.issuer_id, subject=identity.subject, kind=identity.kind,
                          display_name=identity.display_name, housing_organisation_id=identity.housing_organisation_id,
                          partner_id=identity.partner_id, municipality_id=identity.municipality_id,
                          created_at=now, last_seen_at=now)
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
    return await account_for_identity(session, await identity_from_claims(session, issuer, claims))
