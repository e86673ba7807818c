"""Settings from the environment (and `.env`), refusing development secrets outside development."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "development-only-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = "development"  # development | test | production
    database_url: str = f"sqlite:///{ROOT / 'var' / 'helhedsplan.db'}"
    secret_key: str = DEV_SECRET
    base_url: str = "http://127.0.0.1:8000"
    port: int = 8000
    load_demo_data: bool = True
    # TOML file with the trusted OpenID Providers; see auth/issuers.py.
    issuers_file: Path = ROOT / "auth" / "issuers.dev.toml"
    log_sql: bool = False
    # The GraphQL execution engine's shortcuts (schema/execution.py, fast_fields.py, prefetch.py);
    # false runs plain strawberry and graphql-core, e.g. to tell an upgrade's breakage from ours.
    fast_execution: bool = True

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> "Settings":
        if self.environment not in ("development", "test") and self.secret_key == DEV_SECRET:
            raise ValueError("SECRET_KEY must be set to a real secret outside development and test")
        return self

    @property
    def is_development(self) -> bool:
        return self.environment in ("development", "test")

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
