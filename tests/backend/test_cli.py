"""The steps of `make run`: migrate, load the demo data once, serve; on a database of their own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlmodel import Session

from backend import demo
from backend.models import Activity, Financing, Occurrence, Plan
from tests.conftest import ROOT, migrate


@pytest.fixture
def scratch_url(scratch_database_url):
    return scratch_database_url


def cli(url: str, *args: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "development", **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_migrate_then_load_demo_once(scratch_url):
    assert cli(scratch_url, "migrate").returncode == 0
    off = cli(scratch_url, "load-demo", extra_env={"LOAD_DEMO_DATA": "false"})
    assert off.returncode == 0 and "LOAD_DEMO_DATA is off" in off.stderr, off.stderr
    engine = create_engine(scratch_url)
    with Session(engine) as s:
        assert demo.is_empty(s)
    first = cli(scratch_url, "load-demo")
    assert first.returncode == 0 and "demo data loaded" in first.stderr, first.stderr
    second = cli(scratch_url, "load-demo")
    assert second.returncode == 0 and "already holds data" in second.stderr, second.stderr
    with Session(engine) as s:
        assert s.execute(select(Plan).where(Plan.name == "Amagerplanen")).scalar_one()
    engine.dispose()


def test_demo_loading_is_deterministic(tmp_path):
    """Two loads on the same day give the same rows."""
    day = date(2026, 11, 26)
    dumps = []
    for n in (1, 2):
        url = f"sqlite:///{tmp_path}/det{n}.db"
        migrate(url)
        engine = create_engine(url)
        assert demo.load_if_empty(engine, today=day)
        with Session(engine) as s:
            dumps.append(
                [
                    s.execute(
                        select(Activity.id, Activity.title, Activity.status, Activity.plan_id).order_by(Activity.id)
                    ).all(),
                    s.execute(
                        select(
                            Occurrence.activity_id,
                            Occurrence.starts_at,
                            Occurrence.participant_count,
                            Occurrence.cancelled,
                        ).order_by(Occurrence.id)
                    ).all(),
                    s.execute(
                        select(Financing.plan_id, Financing.year, Financing.party, Financing.spent).order_by(
                            Financing.id
                        )
                    ).all(),
                ]
            )
        engine.dispose()
    assert dumps[0] == dumps[1]
    assert len(dumps[0][1]) > 100


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_health_and_the_demo_query(scratch_url):
    migrate(scratch_url)
    engine = create_engine(scratch_url)
    assert demo.load_if_empty(engine)
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": scratch_url, "ENVIRONMENT": "development", "PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until the server accepts connections (or has died)
            assert server.poll() is None, server.stderr.read()
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert health.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()["status"] == "ready"
        body = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ plans(first: 10) { totalCount nodes { name urbanArea { name } } } }"},
            timeout=30,
        ).json()
        assert "errors" not in body, body
        names = {p["name"] for p in body["data"]["plans"]["nodes"]}
        assert "Amagerplanen" in names and "NørreBrobyggerne" in names
        assert len({p["urbanArea"]["name"] for p in body["data"]["plans"]["nodes"]}) >= 3
    finally:
        server.terminate()
        server.wait(timeout=30)
