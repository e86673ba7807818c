"""The trusted OpenID Providers, from a TOML file (settings.issuers_file) and the environment.

Each issuer has an id (stored in Account.issuer), its URL, our client at it, the audience of the
access tokens it issues for the API, the actor kinds it may assert, and how its claims map to an
actor. A provider configured for residents can never make anyone staff: a kind outside
`allowed_kinds` is refused, whatever the token says.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from backend.models import ActorKind
from backend.settings import get_settings

# Asymmetric algorithms only: never "none", never HS* (a public key must not work as a shared secret).
ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256", "PS256"})

DEV_IDP_DEFAULT_URL = "http://127.0.0.1:9000"  # auth/dev-idp; DEV_IDP_URL moves it

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class IssuerConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Issuer:
    id: str
    url: str
    client_id: str
    client_secret: str
    audience: str
    allowed_kinds: frozenset[ActorKind]
    kind_claim: str | None = "actor_kind"
    default_kind: ActorKind | None = None
    display_name_claim: str = "name"
    cvr_claim: str | None = None
    municipality_code_claim: str | None = None
    scope: str = "openid profile helhedsplan api"
    algorithms: frozenset[str] = field(default=ALLOWED_ALGORITHMS)
    label: str = ""

    @property
    def discovery_url(self) -> str:
        return self.url.rstrip("/") + "/.well-known/openid-configuration"


def _expand(value: object, env: Mapping[str, str]) -> object:
    if isinstance(value, str):
        return _VAR.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)
    if isinstance(value, list):
        return [_expand(v, env) for v in value]
    return value


def _env_key(issuer_id: str, key: str) -> str:
    return f"ISSUER_{re.sub(r'[^A-Za-z0-9]', '_', issuer_id).upper()}_{key.upper()}"


def _kind(value: str, where: str) -> ActorKind:
    try:
        return ActorKind(value.strip().upper())
    except ValueError:
        raise IssuerConfigError(f"{where}: unknown actor kind {value!r}") from None


def parse_issuers(data: Mapping, env: Mapping[str, str]) -> dict[str, Issuer]:
    tables = data.get("issuers")
    if not isinstance(tables, Mapping) or not tables:
        raise IssuerConfigError("no [issuers.<id>] tables")
    issuers: dict[str, Issuer] = {}
    for issuer_id, raw in tables.items():
        where = f"issuer {issuer_id!r}"
        if not isinstance(raw, Mapping):
            raise IssuerConfigError(f"{where}: must be a table")
        values = {k: _expand(v, env) for k, v in raw.items()}
        for key in (
            "url",
            "client_id",
            "client_secret",
            "audience",
            "allowed_kinds",
            "kind_claim",
            "default_kind",
            "display_name_claim",
            "cvr_claim",
            "municipality_code_claim",
            "scope",
            "algorithms",
            "label",
        ):
            override = env.get(_env_key(issuer_id, key))
            if override is not None:
                values[key] = (
                    [s.strip() for s in override.split(",") if s.strip()]
                    if key in ("allowed_kinds", "algorithms")
                    else override
                )
        missing = [k for k in ("url", "client_id", "client_secret", "audience", "allowed_kinds") if not values.get(k)]
        if missing:
            raise IssuerConfigError(f"{where}: missing {', '.join(missing)}")
        allowed = frozenset(_kind(k, where) for k in values["allowed_kinds"])
        default_kind = _kind(values["default_kind"], where) if values.get("default_kind") else None
        if default_kind is not None and default_kind not in allowed:
            raise IssuerConfigError(f"{where}: default_kind {default_kind.value} is not in allowed_kinds")
        values.setdefault("kind_claim", "actor_kind")  # "" turns the claim off (default_kind only)
        if not values["kind_claim"] and default_kind is None:
            raise IssuerConfigError(f"{where}: needs kind_claim or default_kind")
        if ActorKind.MUNICIPALITY in allowed and not values.get("municipality_code_claim"):
            raise IssuerConfigError(f"{where}: MUNICIPALITY needs municipality_code_claim")
        if allowed & {ActorKind.HOUSING_ORGANISATION, ActorKind.PARTNER} and not values.get("cvr_claim"):
            raise IssuerConfigError(f"{where}: HOUSING_ORGANISATION and PARTNER need cvr_claim")
        algorithms = frozenset(values.get("algorithms") or ALLOWED_ALGORITHMS)
        if not algorithms <= ALLOWED_ALGORITHMS:
            raise IssuerConfigError(f"{where}: algorithms must be among {sorted(ALLOWED_ALGORITHMS)}")
        issuers[issuer_id] = Issuer(
            id=issuer_id,
            url=str(values["url"]).rstrip("/"),
            client_id=str(values["client_id"]),
            client_secret=str(values["client_secret"]),
            audience=str(values["audience"]),
            allowed_kinds=allowed,
            kind_claim=values.get("kind_claim") or None,
            default_kind=default_kind,
            display_name_claim=values.get("display_name_claim") or "name",
            cvr_claim=values.get("cvr_claim") or None,
            municipality_code_claim=values.get("municipality_code_claim") or None,
            scope=values.get("scope") or Issuer.scope,
            algorithms=algorithms,
            label=values.get("label") or issuer_id,
        )
    return issuers


class IssuerRegistry:
    def __init__(self, issuers: Mapping[str, Issuer]):
        self._by_id = dict(issuers)
        self._by_url = {i.url: i for i in issuers.values()}

    def __iter__(self):
        return iter(self._by_id.values())

    def by_id(self, issuer_id: str) -> Issuer | None:
        return self._by_id.get(issuer_id)

    def by_url(self, url: str) -> Issuer | None:
        return self._by_url.get(url.rstrip("/")) if isinstance(url, str) else None


def load_issuers(path: Path | None = None, env: Mapping[str, str] | None = None) -> IssuerRegistry:
    """ISSUERS_TOML (inline TOML) wins over the file; ISSUER_<ID>_<KEY> overrides single values."""
    env = os.environ if env is None else env
    settings = get_settings()
    inline = env.get("ISSUERS_TOML")
    if inline:
        data = tomllib.loads(inline)
    else:
        path = Path(path or settings.issuers_file)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IssuerConfigError(f"issuers file not found: {path}") from None
    issuers = parse_issuers(data, env)
    if not settings.is_development:
        dev_idp = env.get("DEV_IDP_URL", DEV_IDP_DEFAULT_URL).rstrip("/")
        for issuer in issuers.values():
            if "not-for-production" in issuer.client_secret:
                raise IssuerConfigError(f"issuer {issuer.id!r}: set a real client secret outside development")
            if issuer.url == dev_idp or issuer.url.startswith(dev_idp + "/") or issuer.id.startswith("dev-"):
                raise IssuerConfigError(f"issuer {issuer.id!r}: the development provider is not for production")
            if not issuer.url.startswith("https://"):
                raise IssuerConfigError(f"issuer {issuer.id!r}: a provider's URL must be https in production")
    return IssuerRegistry(issuers)


@lru_cache
def get_issuers() -> IssuerRegistry:
    return load_issuers()


def reset_issuers() -> None:
    """Forget the configuration (and cached provider metadata and keys); tests point it elsewhere."""
    get_issuers.cache_clear()
    from auth import jwks

    jwks.clear_cache()
