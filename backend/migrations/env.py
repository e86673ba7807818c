"""Alembic environment.

Migrations run on the synchronous engine from backend.db, so they work the same from the command
line, from `backend.cli migrate` and from inside a running event loop (the test fixtures).
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Engine, create_engine, event
from sqlmodel import SQLModel

import backend.models  # noqa: F401 - registers every table on SQLModel.metadata
from backend.db import _sqlite_pragmas, get_sync_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _engine() -> Engine:
    # An explicit URL (alembic -x url=... or a caller's Config) wins over the settings.
    url = context.get_x_argument(as_dictionary=True).get("url") or config.attributes.get("url")
    if not url:
        return get_sync_engine()
    engine = create_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _common() -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "compare_server_default": False,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        "render_as_batch": True,
    }


def run_migrations_offline() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or str(get_sync_engine().url)
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **_common())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **_common())
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = _engine()
    with engine.connect() as connection:
        context.configure(connection=connection, **_common())
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
