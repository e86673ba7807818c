"""SIGTERM: requests in flight are answered in full before the server exits (uvicorn graceful shutdown).

A request is in flight once the server has answered "100 Continue" to its headers: the application is
then running and waiting for the body. The body is sent only after every server process has logged
that its shutdown began, so the answer can only come from a server that is shutting down.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from bench.robustness import requests_in_flight_survive_sigterm
from tests.servers import start_server, stop_server


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_answers_requests_in_flight(workers):
    process, url = start_server(workers=workers, extra=["--timeout-graceful-shutdown", "30", "--log-level", "info"])
    port = int(url.rsplit(":", 1)[1])
    log = Path(process.log_path)

    def shutting_down() -> bool:
        return log.read_text(errors="replace").count("Shutting down") >= workers

    try:
        out = requests_in_flight_survive_sigterm(
            port, lambda: os.killpg(process.pid, signal.SIGTERM), shutting_down, count=3
        )
        code = process.wait(timeout=60)
    finally:
        stop_server(process)
    assert [status for status, _ in out["answers"]] == [200, 200, 200]
    assert all(body and body["data"]["partners"]["totalCount"] >= 0 for _, body in out["answers"])
    assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after its graceful shutdown
