"""The migrations create exactly the schema the models declare (on SQLite and on PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import backend.models  # noqa: F401 - all tables
from backend.db import get_sync_engine
from tests.conftest import ROOT


def test_database_is_at_the_single_head():
    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    heads = script.get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    with get_sync_engine().connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == heads[0]


def test_migrations_match_the_models():
    with get_sync_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], "the models differ from the migrations; add one with `alembic revision --autogenerate`:\n" + "\n".join(
        map(str, diff)
    )
