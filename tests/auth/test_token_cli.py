"""`make token USER=...` (python -m auth.devlogin): the real flow, the token as the last line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from auth.issuers import reset_issuers
from backend.settings import ROOT


def run_cli(account: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "auth.devlogin", account], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


async def test_token_from_the_running_provider(idp, graphql):
    result = run_cli("fsb-medarbejder", dict(os.environ, DEV_IDP_URL=idp.url))
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    body = await graphql("{ viewer { kind displayName } }", token=token)
    assert body["data"]["viewer"] == {"kind": "HOUSING_ORGANISATION", "displayName": "Medarbejder i fsb (demo)"}


async def test_token_from_a_freshly_started_provider(tmp_path, graphql, idp):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    keys = tmp_path / "keys.json"
    url = f"http://127.0.0.1:{port}"
    result = run_cli("lbf-tilsyn", dict(os.environ, DEV_IDP_URL=url, DEV_IDP_KEYS=str(keys)))
    assert result.returncode == 0, result.stderr
    assert "starting the development provider" in result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.count(".") == 2 and keys.exists()
    # The provider it started is gone again.
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
    # The token is from a provider that is not running now: the API cannot fetch its keys and refuses.
    previous = os.environ["DEV_IDP_URL"]
    os.environ["DEV_IDP_URL"] = url
    reset_issuers()
    try:
        body = await graphql("{ viewer { kind } }", token=token)
    finally:
        os.environ["DEV_IDP_URL"] = previous
        reset_issuers()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_unknown_account_is_an_error(idp):
    result = run_cli("nobody", dict(os.environ, DEV_IDP_URL=idp.url))
    assert result.returncode == 1
    assert "unknown demo account" in result.stderr and "fsb-medarbejder" in result.stderr
