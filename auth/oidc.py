"""The relying party's side of the authorization code flow, with PKCE (S256), state and nonce.

Protocol messages are built and parsed with authlib's OAuth 2 building blocks; HTTP goes over
httpx; the ID token is validated with joserfc against the issuer's JWKS (auth.tokens).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from auth.errors import AuthenticationError
from auth.http import httpx
from auth.issuers import Issuer
from auth.jwks import HTTP_TIMEOUT, ProviderUnavailable, metadata
from auth.tokens import validate_id_token


class SignInFailed(AuthenticationError):
    """The sign-in could not be completed; the message is safe to show (no personal data)."""

    def __init__(self, message: str, *, status_code: int = 400):
        super().__init__(message, status_code=status_code, code="SIGN_IN_FAILED")


@dataclass(frozen=True)
class PendingLogin:
    issuer_id: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next: str

    def as_dict(self) -> dict:
        return self.__dict__.copy()

    @classmethod
    def from_dict(cls, data: dict) -> PendingLogin:
        return cls(**{k: str(data[k]) for k in cls.__dataclass_fields__})


def new_pending(issuer: Issuer, *, redirect_uri: str, next_path: str) -> PendingLogin:
    return PendingLogin(
        issuer_id=issuer.id,
        state=generate_token(32),
        nonce=generate_token(32),
        code_verifier=generate_token(64),
        redirect_uri=redirect_uri,
        next=next_path,
    )


async def authorization_url(issuer: Issuer, pending: PendingLogin, **extra: str) -> str:
    try:
        meta = await metadata(issuer)
    except ProviderUnavailable as exc:
        raise SignInFailed("log-in-udbyderen svarer ikke lige nu", status_code=503) from exc
    if "S256" not in meta.get("code_challenge_methods_supported", ["S256"]):
        raise SignInFailed("log-in-udbyderen understøtter ikke PKCE med S256", status_code=503)
    return prepare_grant_uri(
        meta["authorization_endpoint"],
        issuer.client_id,
        "code",
        redirect_uri=pending.redirect_uri,
        scope=issuer.scope,
        state=pending.state,
        nonce=pending.nonce,
        code_challenge=create_s256_code_challenge(pending.code_verifier),
        code_challenge_method="S256",
        resource=issuer.audience,
        **extra,
    )


def check_callback(issuer: Issuer, pending: PendingLogin, params) -> str:
    """The authorization code from the callback's query, after checking state and issuer."""
    if params.get("error"):
        if params.get("error") == "access_denied":
            raise SignInFailed("log-ind blev afbrudt")
        raise SignInFailed("log-in-udbyderen afviste log-ind")
    state = params.get("state") or ""
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise SignInFailed("log-ind kunne ikke bekræftes (state passer ikke); prøv igen")
    # RFC 9207: a provider that names itself must name the one we sent the user to.
    iss = params.get("iss")
    if iss is not None and iss.rstrip("/") != issuer.url:
        raise SignInFailed("svaret kom fra en anden log-in-udbyder")
    code = params.get("code")
    if not code:
        raise SignInFailed("svaret fra log-in-udbyderen manglede en kode")
    return code


async def exchange_code(issuer: Issuer, *, code: str, redirect_uri: str, code_verifier: str | None) -> dict:
    """The token response for an authorization code (client_secret_basic, PKCE verifier, resource)."""
    try:
        meta = await metadata(issuer)
    except ProviderUnavailable as exc:
        raise SignInFailed("log-in-udbyderen svarer ikke lige nu", status_code=503) from exc
    params = {"code": code, "redirect_uri": redirect_uri, "resource": issuer.audience}
    if code_verifier is not None:
        params["code_verifier"] = code_verifier
    body = prepare_token_request("authorization_code", **params)
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            response = await client.post(
                meta["token_endpoint"],
                content=body,
                auth=(issuer.client_id, issuer.client_secret),
                headers={"content-type": "application/x-www-form-urlencoded", "accept": "application/json"},
            )
    except httpx.HTTPError as exc:
        raise SignInFailed("log-in-udbyderen svarer ikke lige nu", status_code=503) from exc
    try:
        token = response.json()
    except ValueError:
        token = {}
    if response.status_code != 200 or not isinstance(token, dict) or "error" in token:
        error = token.get("error", "unknown") if isinstance(token, dict) else "unknown"
        raise SignInFailed(f"koden kunne ikke indløses ({error})")
    if str(token.get("token_type", "")).lower() != "bearer" or not token.get("id_token"):
        raise SignInFailed("log-in-udbyderen sendte ikke et ID-token")
    return token


async def complete(issuer: Issuer, pending: PendingLogin, params) -> dict:
    """Check the callback, redeem the code and return the ID token's verified claims."""
    code = check_callback(issuer, pending, params)
    token = await exchange_code(
        issuer, code=code, redirect_uri=pending.redirect_uri, code_verifier=pending.code_verifier
    )
    try:
        return await validate_id_token(token["id_token"], issuer=issuer, nonce=pending.nonce)
    except AuthenticationError as exc:
        raise SignInFailed(f"ID-tokenet blev afvist: {exc.message}") from None
