"""Issuer configuration: the TOML file, environment overrides, and refusals of unsafe settings."""

from __future__ import annotations

import tomllib

import pytest

from auth.issuers import IssuerConfigError, load_issuers, parse_issuers
from backend.models import ActorKind
from backend.settings import ROOT

BASE = """
[issuers.corp]
url = "${CORP_URL:-https://login.example.org/corp/}"
client_id = "portal"
client_secret = "s3cret"
audience = "urn:helhedsplan:api"
allowed_kinds = ["HOUSING_ORGANISATION", "PARTNER"]
cvr_claim = "cvrNumberIdentifier"
"""


def parse(text: str, env: dict | None = None):
    return parse_issuers(tomllib.loads(text), env or {})


def test_the_development_file_has_the_four_issuers():
    registry = load_issuers(ROOT / "auth" / "issuers.dev.toml", env={"DEV_IDP_URL": "http://127.0.0.1:9999"})
    issuers = {i.id: i for i in registry}
    assert set(issuers) == {"dev-borger", "dev-erhverv", "dev-kommune", "dev-lbf"}
    assert issuers["dev-borger"].allowed_kinds == {ActorKind.RESIDENT}
    assert issuers["dev-erhverv"].allowed_kinds == {ActorKind.HOUSING_ORGANISATION, ActorKind.PARTNER}
    assert issuers["dev-kommune"].allowed_kinds == {ActorKind.MUNICIPALITY}
    assert issuers["dev-lbf"].allowed_kinds == {ActorKind.FUND}
    assert registry.by_url("http://127.0.0.1:9999/borger").id == "dev-borger"
    assert registry.by_url("http://127.0.0.1:9999/elsewhere") is None
    assert {i.url for i in issuers.values()} == {
        f"http://127.0.0.1:9999/{p}" for p in ("borger", "erhverv", "kommune", "lbf")
    }


def test_variables_defaults_and_overrides():
    [issuer] = parse(BASE).values()
    assert issuer.url == "https://login.example.org/corp"  # trailing slash dropped
    assert issuer.kind_claim == "actor_kind" and issuer.default_kind is None
    env = {
        "CORP_URL": "https://idp.internal/x",
        "ISSUER_CORP_CLIENT_SECRET": "from-env",
        "ISSUER_CORP_ALLOWED_KINDS": "PARTNER",
        "ISSUER_CORP_ALGORITHMS": "ES256",
    }
    [issuer] = parse(BASE, env).values()
    assert issuer.url == "https://idp.internal/x" and issuer.client_secret == "from-env"
    assert issuer.allowed_kinds == {ActorKind.PARTNER} and issuer.algorithms == {"ES256"}


def test_inline_toml_from_the_environment():
    registry = load_issuers(env={"ISSUERS_TOML": BASE})
    assert [i.id for i in registry] == ["corp"]


@pytest.mark.parametrize(
    "change, message",
    [
        (('allowed_kinds = ["HOUSING_ORGANISATION", "PARTNER"]', 'allowed_kinds = ["ROOT"]'), "unknown actor kind"),
        (('client_secret = "s3cret"', ""), "missing client_secret"),
        (('cvr_claim = "cvrNumberIdentifier"', ""), "need cvr_claim"),
        (('cvr_claim = "cvrNumberIdentifier"', 'cvr_claim = "c"\nalgorithms = ["HS256"]'), "algorithms"),
        (('cvr_claim = "cvrNumberIdentifier"', 'cvr_claim = "c"\nalgorithms = ["none"]'), "algorithms"),
        (('cvr_claim = "cvrNumberIdentifier"', 'cvr_claim = "c"\ndefault_kind = "FUND"'), "not in allowed_kinds"),
        (
            ('allowed_kinds = ["HOUSING_ORGANISATION", "PARTNER"]', 'allowed_kinds = ["MUNICIPALITY"]'),
            "municipality_code_claim",
        ),
        (('cvr_claim = "cvrNumberIdentifier"', 'cvr_claim = "c"\nkind_claim = ""'), "kind_claim or default_kind"),
    ],
)
def test_unsafe_or_incomplete_configuration_is_refused(change, message):
    with pytest.raises(IssuerConfigError, match=message):
        parse(BASE.replace(*change))


def test_development_secrets_are_refused_outside_development(monkeypatch):
    from backend.settings import get_settings

    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test-0123456789")
    monkeypatch.setenv("ISSUERS_FILE", "/etc/helhedsplan/issuers.toml")  # the development file is refused
    get_settings.cache_clear()
    try:
        with pytest.raises(IssuerConfigError, match="real client secret"):
            load_issuers(ROOT / "auth" / "issuers.dev.toml", env={})
        assert [i.id for i in load_issuers(env={"ISSUERS_TOML": BASE})] == ["corp"]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
