"""Real servers for tests: uvicorn in its own process group on a free port, on this run's test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from backend.settings import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    *, port: int | None = None, workers: int = 1, env: dict | None = None, extra: list[str] | None = None
) -> tuple[subprocess.Popen, str]:
    """Start the app and wait until /readyz answers (database, migrations, change listener); returns the process and its base URL."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "backend.app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        *(extra or []),
    ]
    # The server's own log (it logs every GraphQL error) goes to a file, not into the test output.
    log = tempfile.NamedTemporaryFile(prefix="hp_server_", suffix=".log", delete=False)
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "ENVIRONMENT": "test", **(env or {})},
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_path = log.name  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {Path(log.name).read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # polling for the port to open; the server gives no other signal
    stop_server(process)
    raise RuntimeError("the server did not start within 60 s")


def stop_server(process: subprocess.Popen, timeout: float = 20) -> int:
    """SIGTERM to the whole process group (workers included), SIGKILL if it does not end in time."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log_path = getattr(process, "log_path", None)
    if log_path:
        Path(log_path).unlink(missing_ok=True)
    return process.returncode


class Server:
    """One server process on a fixed port, so it can be stopped and started again at the same address."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        self.process, _ = start_server(port=self.port)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_server(self.process)
