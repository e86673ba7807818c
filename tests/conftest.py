"""Fixtures for the whole suite: one fresh, migrated database with the demo data per test run.

By default a temporary SQLite file; when DATABASE_URL points at PostgreSQL, a fresh database
`hp_test_<random>` on that server, dropped at the end. The environment is set before any test module
imports the application, so every engine the code builds points at the test database.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
_state: dict = {}


def _create_postgres_database(url: str) -> str:
    base = make_url(url)
    name = f"hp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _state["pg_admin_url"] = base.set(drivername="postgresql+psycopg")
    _state["pg_name"] = name
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database() -> None:
    admin = create_engine(_state["pg_admin_url"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{_state["pg_name"]}" WITH (FORCE)'))
    admin.dispose()


def migrate(url: str | None = None) -> None:
    """Bring a database to the newest migration (the settings' database unless a URL is given)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"), attributes={"configure_logger": False})
    if url:
        config.attributes["url"] = url
    command.upgrade(config, "head")


def pytest_configure(config: pytest.Config) -> None:
    original = os.environ.get("DATABASE_URL", "")
    if original.startswith("postgres"):
        url = _create_postgres_database(original)
    else:
        directory = tempfile.mkdtemp(prefix="hp_test_")
        _state["tmpdir"] = directory
        url = f"sqlite:///{directory}/test.db"
    _state["original_url"] = original
    os.environ["DATABASE_URL"] = url
    os.environ["ENVIRONMENT"] = "test"
    # Servers the tests start send no mail (their sender would take other tests' outbox rows); a test that
    # wants one passes MAIL_SENDER=true and its own SMTP_URL (tests/mail/smtp.py).
    os.environ["MAIL_SENDER"] = "false"

    import backend.db

    backend.db.reset_engines()
    migrate()
    from backend import demo

    demo.load_if_empty()
    backend.db.get_sync_engine().dispose()


def pytest_unconfigure(config: pytest.Config) -> None:
    import backend.db

    try:
        backend.db.get_sync_engine().dispose()
    finally:
        if "pg_name" in _state:
            _drop_postgres_database()
        if "tmpdir" in _state:
            shutil.rmtree(_state["tmpdir"], ignore_errors=True)


@pytest.fixture(scope="session")
def database_url() -> str:
    """The URL of this run's test database (sync driver form, as in DATABASE_URL)."""
    return os.environ["DATABASE_URL"]


@pytest.fixture
def scratch_database_url(database_url, tmp_path):
    """An empty database of its own beside the suite's (not migrated): a SQLite file, or a fresh
    PostgreSQL database on the same server, dropped afterwards."""
    if not database_url.startswith("postgres"):
        yield f"sqlite:///{tmp_path}/scratch.db"
        return
    base = make_url(database_url)
    name = f"hp_scratch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
async def _dispose_async_engine():
    # The async engine's connections belong to the session event loop; close them inside it.
    yield
    from backend.db import get_async_engine

    await get_async_engine().dispose()


@pytest.fixture(scope="session")
def app():
    from backend.app import create_app

    return create_app()


class _Client(httpx.AsyncClient):
    """The suite's client: a request may carry its own cookies (the person signed in for that
    request), sent as its Cookie header, since httpx deprecates per-request cookies."""

    async def request(self, method, url, *, cookies=None, headers=None, **kwargs):
        if cookies:
            sent = httpx.Headers(headers)
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in dict(cookies).items())
            headers = sent
        return await super().request(method, url, headers=headers, **kwargs)


@pytest.fixture(scope="session")
async def client(app):
    transport = httpx.ASGITransport(app=app)
    async with _Client(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="session")
def graphql(client):
    """`await graphql(query, variables=None, *, token=None, headers=None)` -> the JSON body of POST /graphql."""

    async def run(query: str, variables: dict | None = None, *, token: str | None = None, headers: dict | None = None):
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        payload: dict = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        response = await client.post("/graphql", json=payload, headers=sent)
        assert response.headers.get("content-type", "").startswith("application/json"), (
            response.status_code,
            response.text[:500],
        )
        return response.json()

    return run
