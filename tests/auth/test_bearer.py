"""Bearer access tokens at /graphql: real tokens work, every forged or misused token is refused (401)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import select

from auth import jwks
from auth.issuers import get_issuers
from auth.tokens import validate_access_token
from backend.db import new_session
from backend.models import Account

VIEWER = "{ viewer { kind displayName } }"


async def post(client, token: str | None, *, header: str | None = None):
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Authorization"] = header
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await client.post("/graphql", json={"query": VIEWER}, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assert_refused(response, fragment: str = ""):
    assert response.status_code == 401, (response.status_code, response.text[:300])
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert fragment in error["message"], error["message"]
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


# ---------------------------------------------------------------- real tokens
@pytest.mark.parametrize(
    "account, kind",
    [
        ("beboer-tingbjerg", "RESIDENT"),
        ("fsb-medarbejder", "HOUSING_ORGANISATION"),
        ("kommune-tmf", "MUNICIPALITY"),
        ("partner-ssp", "PARTNER"),
        ("lbf-tilsyn", "FUND"),
    ],
)
async def test_real_access_token_signs_in_as_the_account(client, token_for, account, kind):
    response = await post(client, await token_for(account))
    assert response.status_code == 200, response.text[:300]
    assert response.json()["data"]["viewer"]["kind"] == kind


async def test_without_a_token_the_viewer_is_anonymous(client):
    response = await post(client, None)
    assert response.status_code == 200
    assert response.json()["data"]["viewer"] is None


async def test_token_carries_the_api_audience_and_asymmetric_algorithm(idp, token_for):
    token = await token_for("fsb-medarbejder")
    issuer, claims = await validate_access_token(token)
    assert issuer.id == "dev-erhverv"
    assert claims["aud"] == "urn:helhedsplan:api" and claims["sub"] == "fsb-medarbejder"
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "ES256" and header["typ"] == "at+jwt"


async def test_staff_account_is_created_with_organisation_from_cvr(client, idp):
    token = idp.sign("dev-erhverv", idp.claims("dev-erhverv", "3b-medarbejder", sub="3b-ny-kollega", name="Ny kollega"))
    response = await post(client, token)
    assert response.json()["data"]["viewer"] == {"kind": "HOUSING_ORGANISATION", "displayName": "Ny kollega"}
    async with new_session() as session:
        account = (await session.execute(select(Account).where(Account.subject == "3b-ny-kollega"))).scalar_one()
        assert account.issuer == "dev-erhverv" and account.housing_organisation_id is not None


async def test_resident_account_keeps_only_subject_and_name(client, idp):
    claims = idp.claims(
        "dev-borger",
        "beboer-x",
        sub="beboer-privat",
        name="Privat Person",
        cpr="0101901234",
        email="privat@example.org",
    )
    response = await post(client, idp.sign("dev-borger", claims))
    assert response.json()["data"]["viewer"]["kind"] == "RESIDENT"
    async with new_session() as session:
        account = (await session.execute(select(Account).where(Account.subject == "beboer-privat"))).scalar_one()
        stored = json.dumps(account.model_dump(), default=str)
    assert "0101901234" not in stored and "privat@example.org" not in stored
    assert account.display_name == "Privat Person"


# ---------------------------------------------------------------- attacks
async def test_expired_token(client, idp):
    now = int(time.time())
    token = idp.sign("dev-erhverv", idp.claims("dev-erhverv", "fsb-medarbejder", iat=now - 7200, exp=now - 3600))
    assert_refused(await post(client, token), "expired")


async def test_token_not_yet_valid(client, idp):
    token = idp.sign("dev-erhverv", idp.claims("dev-erhverv", "fsb-medarbejder", nbf=int(time.time()) + 3600))
    assert_refused(await post(client, token), "not yet valid")


async def test_wrong_audience(client, idp):
    token = idp.sign("dev-erhverv", idp.claims("dev-erhverv", "fsb-medarbejder", aud="urn:another:api"))
    assert_refused(await post(client, token), "audience")


async def test_missing_audience(client, idp):
    claims = idp.claims("dev-erhverv", "fsb-medarbejder")
    del claims["aud"]
    assert_refused(await post(client, idp.sign("dev-erhverv", claims)), "aud")


async def test_wrong_issuer(client, idp):
    # Signed with the residents' provider's key, claiming to come from the business provider.
    claims = idp.claims("dev-erhverv", "fsb-medarbejder")
    token = idp.sign("dev-borger", claims)
    assert_refused(await post(client, token))


async def test_unknown_issuer(client, idp):
    claims = idp.claims("dev-erhverv", "fsb-medarbejder", iss="https://idp.evil.example")
    assert_refused(await post(client, idp.sign("dev-erhverv", claims)), "not trusted")


async def test_signature_from_another_key(client, idp):
    claims = idp.claims("dev-erhverv", "fsb-medarbejder")
    other = ECKey.generate_key("P-256")
    # Same key id as the real key: the signature check must fail.
    assert_refused(await post(client, idp.sign("dev-erhverv", claims, key=other)), "signature")
    # A key id the provider does not publish.
    assert_refused(
        await post(client, idp.sign("dev-erhverv", claims, key=other, header={"kid": "attacker"})),
        "key the issuer does not publish",
    )


async def test_alg_none(client, idp):
    claims = idp.claims("dev-erhverv", "fsb-medarbejder")
    for alg in ("none", "None", "NONE"):
        token = f"{b64(json.dumps({'alg': alg, 'typ': 'at+jwt'}).encode())}.{b64(json.dumps(claims).encode())}."
        assert_refused(await post(client, token), "algorithm")


async def test_hs256_signed_with_the_public_key(client, idp):
    claims = idp.claims("dev-borger", "beboer-tingbjerg")
    public = RSAKey.import_key(idp.keys["dev-borger"])
    secrets = [
        public.as_pem(private=False),
        json.dumps(public.as_dict(private=False)).encode(),
    ]
    for secret in secrets:
        for alg, digest in (("HS256", hashlib.sha256), ("HS512", hashlib.sha512)):
            head = {"alg": alg, "typ": "at+jwt", "kid": idp.keys["dev-borger"]["kid"]}
            signing_input = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(claims).encode())}"
            signature = hmac.new(secret, signing_input.encode(), digest).digest()
            assert_refused(await post(client, f"{signing_input}.{b64(signature)}"), "algorithm")


async def test_tampered_payload(client, idp, token_for):
    token = await token_for("partner-ssp")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "fsb-medarbejder"
    claims["actor_kind"] = "HOUSING_ORGANISATION"
    claims["nemlogin.cvr"] = "10000001"
    forged = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"
    assert_refused(await post(client, forged), "signature")


async def test_kind_not_allowed_for_the_issuer(client, idp):
    # A correctly signed token of the residents' provider that claims municipality staff.
    claims = idp.claims(
        "dev-borger",
        "beboer-tingbjerg",
        sub="beboer-som-vil-vaere-kommune",
        actor_kind="MUNICIPALITY",
        municipality_code="101",
    )
    assert_refused(await post(client, idp.sign("dev-borger", claims)), "may not assert the kind MUNICIPALITY")
    # Nor may the business provider make anyone the fund.
    claims = idp.claims("dev-erhverv", "fsb-medarbejder", sub="erhverv-som-lbf", actor_kind="FUND")
    assert_refused(await post(client, idp.sign("dev-erhverv", claims)), "may not assert the kind FUND")
    async with new_session() as session:
        rows = await session.execute(
            select(Account).where(Account.subject.in_(["beboer-som-vil-vaere-kommune", "erhverv-som-lbf"]))
        )
        assert rows.first() is None


async def test_unknown_organisation_is_refused(client, idp):
    claims = idp.claims("dev-erhverv", "fsb-medarbejder", sub="ukendt-cvr", **{"nemlogin.cvr": "99999999"})
    assert_refused(await post(client, idp.sign("dev-erhverv", claims)), "CVR")


async def test_id_token_is_not_an_access_token(client, idp):
    from auth import devlogin

    tokens = await devlogin.obtain_tokens("fsb-medarbejder", redirect_base="http://testserver")
    assert_refused(await post(client, tokens["id_token"]))


async def test_malformed_headers_and_tokens(client):
    assert_refused(await post(client, None, header="Basic Zm9vOmJhcg=="), "Bearer")
    assert_refused(await post(client, None, header="Bearer"), "Bearer")
    assert_refused(await post(client, "not-a-jwt"), "compact")
    assert_refused(await post(client, "a.b.c"), "base64url")


async def test_unknown_kid_refetches_the_keys_once(idp, token_for, monkeypatch):
    token = await token_for("kommune-tmf")
    issuer = get_issuers().by_id("dev-kommune")
    fetched = []
    original = jwks._fetch_keys

    async def counting(i):
        fetched.append(i.id)
        return await original(i)

    monkeypatch.setattr(jwks, "_fetch_keys", counting)
    # The cached key set is old and lacks the token's key (as after a key rotation at the provider).
    jwks._keys[issuer.id] = jwks._Entry(jwks.KeySet([]), time.monotonic() - jwks.REFETCH_INTERVAL - 1)
    _, claims = await validate_access_token(token)
    assert claims["sub"] == "kommune-tmf" and fetched == ["dev-kommune"]
    # A made-up kid right after does not make us fetch again.
    claims = idp.claims("dev-kommune", "kommune-tmf")
    forged = idp.sign("dev-kommune", claims, header={"kid": "made-up"}, key=RSAKey.generate_key(2048))
    with pytest.raises(Exception, match="does not publish"):
        await validate_access_token(forged)
    assert fetched == ["dev-kommune"]
