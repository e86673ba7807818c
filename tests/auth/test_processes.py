"""Sessions live in the database: they work across two server processes and survive a restart."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from backend.settings import ROOT
from tests.auth.idp import sign_in, sign_out

VIEWER = {"query": "{ viewer { kind displayName } }"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Server":
        env = dict(os.environ, ENVIRONMENT="test")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "backend.app:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-2000:])
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)  # polling for the port to open; nothing to wait on instead
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def servers(idp):
    pair = [Server(free_port()).start(), Server(free_port()).start()]
    try:
        yield pair
    finally:
        for server in pair:
            server.stop()


async def viewer(browser, server):
    response = await browser.post(f"{server.url}/graphql", json=VIEWER)
    assert response.status_code == 200, response.text[:300]
    return response.json()["data"]["viewer"]


async def test_sessions_are_shared_by_processes_and_survive_a_restart(servers):
    a, b = servers
    async with httpx.AsyncClient(timeout=15) as browser:
        done = await sign_in(browser, "fsb-medarbejder", app_url=a.url)
        assert done.status_code == 303
        assert (await viewer(browser, a))["kind"] == "HOUSING_ORGANISATION"
        # The same cookie at the other process.
        assert (await viewer(browser, b)) == {"kind": "HOUSING_ORGANISATION", "displayName": "Medarbejder i fsb (demo)"}
        # A restarted process still knows the session.
        a.stop()
        a.start()
        assert (await viewer(browser, a))["kind"] == "HOUSING_ORGANISATION"
        # Signing out at one process ends the session at both.
        final = await sign_out(browser, app_url=b.url)
        assert final.status_code == 200
        assert await viewer(browser, a) is None
        assert await viewer(browser, b) is None
