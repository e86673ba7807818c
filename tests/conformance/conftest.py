"""A real server for the conformance tests: uvicorn in its own process on a free port, on the test database."""

from __future__ import annotations

import pytest

from tests.servers import start_server, stop_server


@pytest.fixture(scope="module")
def live_server():
    """The base URL of a running server (one uvicorn process) on this run's test database."""
    process, url = start_server()
    try:
        yield url
    finally:
        stop_server(process)
