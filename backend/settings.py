"""Settings from the environment (and `.env`).

ENVIRONMENT=production refuses to start with development parts: the default or a short SECRET_KEY,
the development providers (auth/issuers.dev.toml here; their URLs and secrets in auth/issuers.py);
it also turns GraphiQL off and introspection off for callers who are not signed in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "development-only-secret-change-me"
DEV_ISSUERS_FILE = ROOT / "auth" / "issuers.dev.toml"
ENVIRONMENTS = ("development", "test", "production")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = "development"  # development | test | production
    database_url: str = f"sqlite:///{ROOT / 'var' / 'helhedsplan.db'}"
    secret_key: str = DEV_SECRET
    base_url: str = "http://127.0.0.1:8000"
    port: int = 8000
    load_demo_data: bool = True
    # TOML file with the trusted OpenID Providers; see auth/issuers.py.
    issuers_file: Path = DEV_ISSUERS_FILE
    log_sql: bool = False
    # Where the accessibility statement sends feedback (a role address; ACCESSIBILITY_CONTACT).
    accessibility_contact: str = "tilgaengelighed@helhedsplan-portalen.dk"
    # Logs: "json" (one object per line) or "text"; unset: JSON in production, text in development.
    log_format: Literal["json", "text"] | None = None
    log_level: str = "INFO"
    # /metrics answers on loopback without a token; elsewhere only with `Authorization: Bearer <this>`.
    metrics_token: str = ""
    # Addresses of reverse proxies whose X-Forwarded-For is believed (JSON list); none by default,
    # so a client's own header can never choose whose budget it spends (backend/budget.py).
    trusted_proxies: list[str] = []
    # The GraphQL execution engine's shortcuts (schema/execution.py, fast_fields.py, prefetch.py);
    # false runs plain strawberry and graphql-core, e.g. to tell an upgrade's breakage from ours.
    fast_execution: bool = True
    # How long a worker remembers a bearer token's actor (auth/actor_cache.py; 0 turns it off), and for
    # how many tokens at most.
    token_actor_seconds: float = Field(default=30.0, ge=0, le=300)
    token_actor_entries: int = Field(default=10_000, ge=1)

    # E-mail (backend/mail): the SMTP server the sender hands mail to (smtp:// or smtps://, user and
    # password in the URL if needed; `make run` starts a development server on loopback that keeps each
    # message under var/mail/), the From address, the hour (Copenhagen time) of the daily digests.
    smtp_url: str = "smtp://127.0.0.1:8025"
    mail_from: str = "Helhedsplan-portalen <noreply@helhedsplan-portalen.dk>"
    mail_digest_hour: int = Field(default=7, ge=0, le=23)
    # Whether this server process runs the sender (off: another process sends, or no mail at all).
    mail_sender: bool = True
    # Where the development mail server keeps messages and /udvikling/post reads them (development only).
    dev_mail_dir: Path = ROOT / "var" / "mail"

    @model_validator(mode="after")
    def _refuse_development_parts_in_production(self) -> Settings:
        if self.environment not in ENVIRONMENTS:
            raise ValueError(f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}, not {self.environment!r}")
        if self.is_development:
            return self
        if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
            raise ValueError("SECRET_KEY must be set to a real secret (at least 32 characters) in production")
        if self.issuers_file.resolve() == DEV_ISSUERS_FILE.resolve():
            raise ValueError(
                "ISSUERS_FILE points at the development providers (auth/issuers.dev.toml); "
                "configure the real ones in production"
            )
        return self

    @property
    def graphiql(self) -> bool:
        """GraphiQL at /graphql, and introspection for callers who are not signed in: development only."""
        return self.is_development

    @property
    def is_development(self) -> bool:
        return self.environment in ("development", "test")

    @property
    def logs_as_json(self) -> bool:
        return self.log_format == "json" if self.log_format else not self.is_development

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def async_database_url(self) -> str:
        """The same database for the async engine (aiosqlite / psycopg async)."""
        url = self.database_url
        if url.startswith("sqlite:///") or url.startswith("sqlite+pysqlite:///"):
            return "sqlite+aiosqlite:///" + url.split(":///", 1)[1]
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    @property
    def sync_database_url(self) -> str:
        """The same database for synchronous tools (alembic, demo data loading)."""
        url = self.database_url
        if url.startswith("sqlite+aiosqlite:///"):
            return "sqlite:///" + url.split(":///", 1)[1]
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
