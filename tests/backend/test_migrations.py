"""The migrations create exactly the schema the models declare (on SQLite and on PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import backend.models  # noqa: F401 - all tables
from backend.db import get_sync_engine
from backend.health import migration_heads
from tests.conftest import ROOT, migrate


def test_database_is_at_the_single_head():
    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    heads = script.get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    with get_sync_engine().connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == heads[0]


def test_readiness_reads_the_heads_alembic_reads(tmp_path, monkeypatch):
    """/readyz reads the heads from the scripts' source (no alembic in the server): the same as alembic's,
    also with two heads and a merge revision whose down_revision is a tuple."""
    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    assert migration_heads() == frozenset(script.get_heads())
    (tmp_path / "a.py").write_text('revision: str = "a"\ndown_revision = None\n')
    (tmp_path / "b.py").write_text('revision = "b"\ndown_revision: str | None = "a"\n')
    (tmp_path / "c.py").write_text('"""c"""\nrevision = "c"\ndown_revision = "a"\n')
    monkeypatch.setattr("backend.health.MIGRATIONS", tmp_path)
    migration_heads.cache_clear()
    try:
        assert migration_heads() == {"b", "c"}
        (tmp_path / "d.py").write_text('revision = "d"\ndown_revision = ("b", "c")\n')
        migration_heads.cache_clear()
        assert migration_heads() == {"d"}
    finally:
        migration_heads.cache_clear()


def test_migrations_match_the_models():
    with get_sync_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], (
        "the models differ from the migrations; add one with `alembic revision --autogenerate`:\n"
        + "\n".join(map(str, diff))
    )


async def test_migrations_run_down_and_up_again_inside_an_event_loop(scratch_database_url):
    """Downgrade to nothing and back; alembic's environment uses no event loop of its own."""
    migrate(scratch_database_url)
    config = Config(str(ROOT / "alembic.ini"), attributes={"configure_logger": False, "url": scratch_database_url})
    command.downgrade(config, "base")
    engine = create_engine(scratch_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    command.upgrade(config, "head")
    engine = create_engine(scratch_database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()
