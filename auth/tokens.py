"""Validation of the JWTs the providers issue: access tokens (bearer) and ID tokens (browser sign-in).

Checked: the algorithm (asymmetric allow-list, also per issuer), the signature against the issuer's
JWKS, `iss`, `aud`, `exp`, `nbf` and `iat`; for access tokens also `typ` (RFC 9068 "at+jwt").
"""

from __future__ import annotations

import json
import time

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwt import ClaimsOption, JWTClaimsRegistry
from joserfc.util import urlsafe_b64decode

from auth.errors import AuthenticationError
from auth.issuers import ALLOWED_ALGORITHMS, Issuer, get_issuers
from auth.jwks import ProviderUnavailable, key_for

LEEWAY = 30  # seconds of clock skew between provider and portal
MAX_TOKEN_LENGTH = 16 * 1024


class InvalidToken(AuthenticationError):
    pass


def _unverified_parts(token: str) -> tuple[dict, dict]:
    """Header and payload, before any trust: used only to pick the issuer and key."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise InvalidToken("the token is not a compact JWS (header.payload.signature)")
    header_b64, payload_b64, _ = token.split(".")
    try:
        header = json.loads(urlsafe_b64decode(header_b64.encode("ascii")))
        payload = json.loads(urlsafe_b64decode(payload_b64.encode("ascii")))
    except (ValueError, UnicodeError):
        raise InvalidToken("the token's header or payload is not base64url-encoded JSON") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise InvalidToken("the token's header and payload must be JSON objects")
    return header, payload


async def _verify(token: str, issuer: Issuer, header: dict) -> dict:
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS or alg not in issuer.algorithms:
        raise InvalidToken(f"algorithm {alg!r} is not accepted")
    if "crit" in header or "jku" in header or "jwk" in header or "x5u" in header:
        raise InvalidToken("the token's header names keys or extensions we do not accept")
    try:
        keyset = await key_for(issuer, header.get("kid"))
    except ProviderUnavailable as exc:
        raise InvalidToken("the issuer's keys could not be fetched", status_code=503) from exc
    if keyset is None:
        raise InvalidToken("the token is signed with a key the issuer does not publish")
    try:
        decoded = jwt.decode(token, keyset, algorithms=[alg])
    except JoseError:
        raise InvalidToken("the token's signature is invalid") from None
    except (ValueError, TypeError):
        raise InvalidToken("the token could not be decoded") from None
    return decoded.claims


def _check_claims(claims: dict, *, issuer: Issuer, audience: str, nonce: str | None = None) -> None:
    options: dict[str, ClaimsOption] = {
        "iss": {"essential": True, "value": issuer.url},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "aud": {"essential": True, "value": audience},
    }
    if nonce is not None:
        options["nonce"] = {"essential": True, "value": nonce}
    registry = JWTClaimsRegistry(now=int(time.time()), leeway=LEEWAY, **options)
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise InvalidToken(_claim_message(exc)) from None


_CLAIM_MESSAGES = {
    "exp": "the token has expired",
    "nbf": "the token is not yet valid",
    "iat": "the token was issued in the future",
    "aud": "the token is meant for another audience",
    "iss": "the token's issuer does not match",
    "nonce": "the ID token's nonce does not match this sign-in",
}


def _claim_message(exc: JoseError) -> str:
    claim = getattr(exc, "claim", "")
    if type(exc).__name__ == "MissingClaimError":
        return f"the token lacks required claims ({claim})"
    return _CLAIM_MESSAGES.get(claim, f"the token's claim {claim!r} is invalid")


async def validate_access_token(token: str) -> tuple[Issuer, dict]:
    """The issuer and the verified claims of a bearer access token, or InvalidToken."""
    header, payload = _unverified_parts(token)
    claimed_issuer = payload.get("iss")
    issuer = get_issuers().by_url(claimed_issuer) if isinstance(claimed_issuer, str) else None
    if issuer is None:
        raise InvalidToken("the token's issuer is not trusted here")
    typ = str(header.get("typ", "")).lower()
    if typ not in ("at+jwt", "application/at+jwt"):
        raise InvalidToken("the token is not a JWT access token (typ at+jwt)")
    claims = await _verify(token, issuer, header)
    _check_claims(claims, issuer=issuer, audience=issuer.audience)
    return issuer, claims


async def validate_id_token(token: str, *, issuer: Issuer, nonce: str) -> dict:
    """The verified claims of an ID token from the sign-in at `issuer` (audience: our client id)."""
    header, payload = _unverified_parts(token)
    if payload.get("iss") != issuer.url:
        raise InvalidToken("the ID token comes from another issuer")
    claims = await _verify(token, issuer, header)
    _check_claims(claims, issuer=issuer, audience=issuer.client_id, nonce=nonce)
    azp = claims.get("azp")
    if azp is not None and azp != issuer.client_id:
        raise InvalidToken("the ID token was issued to another client")
    return claims
