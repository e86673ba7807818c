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
        self.keys_file: Path | None = Path(env["DEV_IDP_KEYS"]) if env.get("DEV_IDP_KEYS") else None
        self._cache: dict[str, str] = {}

    def bearer(self, account: str) -> str | None:
        """'Bearer <jwt>' for a demo account, or None (and `unavailable` says why)."""
        if self.unavailable:
            return None
        if account not in self._cache:
            out = subprocess.run(
                [sys.executable, "-c", _FETCH, account],
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if out.returncode != 0 or not out.stdout.strip():
                self.unavailable = f"no token for {account}: {(out.stderr.strip().splitlines() or ['?'])[-1]}"
                return None
            self._cache[account] = "Bearer " + out.stdout.strip().splitlines()[-1]
        return self._cache[account]


def mint_like(template_bearer: str, keys_file: Path, issuer_id: str, subjects: list[tuple[str, str]]) -> list[str]:
    """Access tokens shaped exactly like a real one from the development provider, for other subjects.

    The development provider only signs in its few demo accounts; a write benchmark needs many
    residents (each may send 10 inputs an hour). So the bench copies a real token's header and
    claims and signs them, for each (subject, name), with the provider's own key for that issuer
    (DEV_IDP_KEYS), which the portal checks through the provider's JWKS like any other token.
    """
    import json
    import time
    import uuid

    from joserfc import jwk, jwt
    from joserfc.util import urlsafe_b64decode

    token = template_bearer.split(" ", 1)[1]
    header_b64, claims_b64, _ = token.split(".")
    header = json.loads(urlsafe_b64decode(header_b64.encode()))
    claims = json.loads(urlsafe_b64decode(claims_b64.encode()))
    key = jwk.import_key(json.loads(keys_file.read_text())[issuer_id])
    now = int(time.time())
    out = []
    for subject, name in subjects:
        mine = {**claims, "sub": subject, "name": name, "jti": uuid.uuid4().hex, "iat": now, "exp": now + 3600}
        out.append("Bearer " + jwt.encode(header, mine, key, algorithms=[header["alg"]]))
    return out
