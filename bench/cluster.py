"""The benchmark's own PostgreSQL cluster, beside the shared one on 5432.

Own, because the benchmark restarts it under load and needs pg_stat_statements (a preloaded
library, so a restart to switch on): neither should disturb tests running against the shared server.
Created with Debian's pg_createcluster the first time (trust on loopback, manual start).
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

NAME = "bench"
PORT = int(os.environ.get("BENCH_PG_PORT", "5433"))

# Not counted: transaction control, and the foreign-key checks PostgreSQL runs inside a write (seen
# where a function's own statements are counted, bench/postgraphile.sql; never for a client's statements).
_STATEMENT_FILTER = r"""
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
    WHERE d.datname = %s
      AND s.query !~* '^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE|DISCARD)'
      AND s.query !~ '^SELECT (1|\$\d+) FROM ONLY .* FOR KEY SHARE OF x$'
"""


SETTINGS = """# Written by bench/cluster.py
listen_addresses = '127.0.0.1'
max_connections = 200
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track_utility = off
"""


def _version() -> str:
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: int(p.name) if p.name.isdigit() else 0)
    return versions[-1].name


@dataclass
class Database:
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.name}"

    @property
    def libpq_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.name}"

    def connect(self, dbname: str | None = None) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=dbname or self.name,
            autocommit=True,
            connect_timeout=5,
        )

    def execute_file(self, path: Path) -> None:
        with self.connect() as conn:
            conn.execute(path.read_text(encoding="utf-8"))

    def analyze(self) -> None:
        with self.connect() as conn:
            conn.execute("VACUUM ANALYZE")

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: tuple = ()):
        with self.connect() as conn:
            row = conn.execute(sql, params).fetchone()
            return row[0] if row else None

    # Statement counts come from the `postgres` database, so these queries do not count themselves.
    def reset_statements(self) -> None:
        with self.connect("postgres") as conn:
            conn.execute("SELECT pg_stat_statements_reset()")

    def statements(self) -> int | None:
        try:
            with self.connect("postgres") as conn:
                row = conn.execute("SELECT COALESCE(SUM(s.calls), 0)" + _STATEMENT_FILTER, (self.name,)).fetchone()
                return int(row[0]) if row is not None else 0  # an aggregate: always one row
        except psycopg.Error:
            return None

    def top_statements(self, limit: int = 15) -> list[tuple[int, str]]:
        with self.connect("postgres") as conn:
            rows = conn.execute(
                "SELECT s.calls, s.query" + _STATEMENT_FILTER + " ORDER BY s.calls DESC LIMIT %s", (self.name, limit)
            ).fetchall()
        return [(int(c), q) for c, q in rows]


@dataclass
class Cluster:
    version: str
    name: str
    port: int

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", *args, self.version, self.name],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def status(self) -> bool:
        return (
            subprocess.run(
                ["pg_ctlcluster", self.version, self.name, "status"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ).returncode
            == 0
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(
                    host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", connect_timeout=2
                ).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def restart(self, mode: str = "fast") -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", "-m", mode, self.version, self.name, "restart"],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def fresh_database(self, name: str) -> Database:
        db = Database(name, self.port)
        with db.connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        return db


def ensure() -> Cluster:
    """The bench cluster, created and started when needed."""
    version = _version()
    cluster = Cluster(version, NAME, PORT)
    if not Path(f"/etc/postgresql/{version}/{NAME}").exists():
        subprocess.run(
            ["pg_createcluster", "--start-conf=manual", "-p", str(PORT), version, NAME, "--", "--auth=trust"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        Path(f"/etc/postgresql/{version}/{NAME}/conf.d/bench.conf").write_text(SETTINGS, encoding="utf-8")
    if not cluster.status():
        cluster._ctl("start")
    cluster.wait_ready()
    return cluster
