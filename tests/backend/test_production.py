"""ENVIRONMENT=production: refuses development secrets and providers, turns GraphiQL off and
introspection off for callers who are not signed in. Development keeps both on."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import col

from auth import sessions
from auth.issuers import IssuerConfigError, load_issuers
from backend.db import new_session
from backend.models import Account, ActorKind
from backend.settings import DEV_ISSUERS_FILE, DEV_SECRET, Settings, get_settings
from tests.servers import start_server, stop_server

REAL_SECRET = "a-real-secret-of-production-length-0123456789"
REAL_ISSUERS = """
[issuers.erhverv]
url = "https://login.example.dk/erhverv"
client_id = "helhedsplan"
client_secret = "a-real-client-secret"
audience = "urn:helhedsplan:api"
allowed_kinds = ["HOUSING_ORGANISATION", "PARTNER"]
kind_claim = "actor_kind"
cvr_claim = "cvr"
"""
INTROSPECTION = "{ __schema { queryType { name } } }"


def production(**values) -> Settings:
    return Settings(
        _env_file=None,
        **{
            "environment": "production",
            "secret_key": REAL_SECRET,
            "issuers_file": "/etc/helhedsplan/issuers.toml",
            **values,
        },
    )


def test_production_refuses_default_and_short_secrets_and_the_development_providers():
    for secret in (DEV_SECRET, "short"):
        with pytest.raises(ValidationError, match="SECRET_KEY"):
            production(secret_key=secret)
    with pytest.raises(ValidationError, match="development providers"):
        production(issuers_file=DEV_ISSUERS_FILE)
    with pytest.raises(ValidationError, match="ENVIRONMENT must be one of"):
        production(environment="prod")
    assert production().graphiql is False
    assert Settings(_env_file=None, environment="development").graphiql is True


def test_production_refuses_development_provider_urls(monkeypatch):
    monkeypatch.setattr("auth.issuers.get_settings", production)
    with pytest.raises(IssuerConfigError, match="not for production"):
        load_issuers(env={"ISSUERS_TOML": REAL_ISSUERS.replace("https://login.example.dk", "http://127.0.0.1:9000")})
    with pytest.raises(IssuerConfigError, match="https"):
        load_issuers(env={"ISSUERS_TOML": REAL_ISSUERS.replace("https://", "http://")})
    assert [i.id for i in load_issuers(env={"ISSUERS_TOML": REAL_ISSUERS})] == ["erhverv"]


def test_a_production_server_will_not_start_with_development_settings():
    for env in (
        {"ENVIRONMENT": "production"},  # default secret
        {"ENVIRONMENT": "production", "SECRET_KEY": REAL_SECRET},
    ):  # development providers
        with pytest.raises(RuntimeError, match="exited"):
            start_server(env=env)


@pytest.fixture(scope="module")
def production_server():
    process, url = start_server(
        env={
            "ENVIRONMENT": "production",
            "SECRET_KEY": REAL_SECRET,
            "ISSUERS_FILE": "/nonexistent",
            "ISSUERS_TOML": REAL_ISSUERS,
        }
    )
    try:
        yield url
    finally:
        stop_server(process)


async def staff_cookie() -> str:
    async with new_session() as s:
        account_id = (
            await s.execute(select(col(Account.id)).where(col(Account.kind) == ActorKind.HOUSING_ORGANISATION).limit(1))
        ).scalar_one()
        raw = await sessions.create(s, account_id=account_id, data={}, lifetime=timedelta(minutes=5))
    return f"{sessions.SESSION_COOKIE}={raw}"


async def test_production_turns_graphiql_off_and_introspection_off_for_anonymous(production_server):
    async with httpx.AsyncClient(base_url=production_server, timeout=15) as client:
        ide = await client.get("/graphql", headers={"accept": "text/html"})
        assert "graphiql" not in ide.text.lower()
        anonymous = (await client.post("/graphql", json={"query": INTROSPECTION})).json()
        assert anonymous["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
        assert anonymous.get("data") is None
        typename = (await client.post("/graphql", json={"query": "{ __typename }"})).json()
        assert typename == {"data": {"__typename": "Query"}}
        staff = (
            await client.post("/graphql", json={"query": INTROSPECTION}, headers={"Cookie": await staff_cookie()})
        ).json()
        assert staff == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_development_keeps_graphiql_and_introspection(client):
    assert get_settings().graphiql
    ide = await client.get("/graphql", headers={"accept": "text/html"})
    assert ide.status_code == 200 and 'id="graphiql"' in ide.text
    anonymous = (await client.post("/graphql", json={"query": INTROSPECTION})).json()
    assert anonymous == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
