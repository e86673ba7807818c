"""Real bearer tokens from the development OpenID Provider, for the signed-in scenarios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_FETCH = (
    "import asyncio, sys\n"
    "from auth.devlogin import obtain_tokens\n"
    "print(asyncio.run(obtain_tokens(sys.argv[1]))['access_token'])\n"
)


class Tokens:
    def __init__(self, env: dict, db) -> None:
        self.env = env
        self.db = db
        self.unavailable: str | None = None
        self._cache: dict[str, str] = {}

    def bearer(self, account: str) -> str | None:
        """'Bearer <jwt>' for a demo account, or None (and `unavailable` says why)."""
        if self.unavailable:
            return None
        if account not in self._cache:
            out = subprocess.run([sys.executable, "-c", _FETCH, account], cwd=ROOT, env=self.env,
                                 capture_output=True, text=True, timeout=60)
            if out.returncode != 0 or not out.stdout.strip():
                self.unavailable = f"no token for {account}: {(out.stderr.strip().splitlines() or ['?'])[-1]}"
                return None
            self._cache[account] = "Bearer " + out.stdout.strip().splitlines()[-1]
        return self._cache[account]
