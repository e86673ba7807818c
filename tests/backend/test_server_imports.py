"""A server process does not import what it only needs now and then (memory per process, issue #14).

Each module left out here was measured at 3.5-12 MB of resident memory per server process: alembic
(/readyz reads the migration heads from the scripts' source), icalendar (imported by the first
calendar file), httpx's command-line client (auth/http.py marks it absent) and aiosmtpd (only the
development mail server runs it).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

NOT_AT_START = ("alembic", "icalendar", "rich", "pygments", "httpx._main", "aiosmtpd")


def _imported_by(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_server_starts_without_the_tools_it_rarely_uses():
    seen = _imported_by(
        "import json, sys\n"
        "from backend.cli import frozen_app\n"
        "frozen_app()\n"
        "from backend.health import migration_heads\n"
        "migration_heads()\n"
        f"print(json.dumps({{name: sys.modules.get(name) is not None for name in {NOT_AT_START!r}}}))\n"
    )
    assert seen == dict.fromkeys(NOT_AT_START, False)


def test_httpx_without_its_command_line_still_works():
    """httpx falls back to its stub `main` when `httpx._main` is absent, and its client is whole."""
    seen = _imported_by(
        "import json, sys\n"
        "from auth.http import httpx\n"
        "client = httpx.AsyncClient(timeout=1)\n"
        "print(json.dumps({'stub': httpx.main.__module__ == 'httpx', 'rich': 'rich' in sys.modules,\n"
        "                  'client': type(client).__name__, 'request': hasattr(client, 'get')}))\n"
    )
    assert seen == {"stub": True, "rich": False, "client": "AsyncClient", "request": True}
