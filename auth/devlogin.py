"""Sign in as a demo account through the real flow and print its access token.

  python -m auth.devlogin fsb-medarbejder        (make token USER=fsb-medarbejder)

Authorization code + PKCE against the development provider: it follows the provider's redirects,
posts its login form, catches the code at the portal's callback URL (without visiting the portal)
and redeems it with the resource indicator of the API, so the access token is a JWT whose audience
is the API. The token is the LAST line of the output; use it as `Authorization: Bearer <token>`.
When no provider answers at the configured URL, one is started for the duration (its keys are kept
in var/, so the token stays valid when `make run` starts the provider again).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from auth import devidp, oidc
from auth.http import httpx
from auth.issuers import Issuer, get_issuers, reset_issuers
from auth.jwks import ProviderUnavailable, metadata

DEMO_PASSWORD = "demo"  # the development provider accepts any password


class FormParser(HTMLParser):
    """The first form of a page: its action, method and fields (hidden ones with their values)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self._done and self.action is None:
            self.action = a.get("action") or ""
            self.method = (a.get("method") or "get").lower()
            self._in_form = True
        elif tag in ("input", "button") and self._in_form and a.get("name"):
            self.fields.setdefault(a["name"], a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def parse_form(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


async def follow_until(
    client: httpx.AsyncClient, response: httpx.Response, prefix: str, limit: int = 10
) -> httpx.Response | str:
    """Follow redirects; stop at (and return) the first Location that starts with `prefix`."""
    for _ in range(limit):
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(prefix):
            return location
        response = await client.get(location)
    raise RuntimeError("too many redirects")


async def provider_sign_in(
    client: httpx.AsyncClient, response: httpx.Response, account: str, stop_prefix: str
) -> httpx.Response | str:
    """At the provider's login form (after redirects): post it as `account`, then follow on."""
    result = await follow_until(client, response, stop_prefix)
    if isinstance(result, str):
        return result  # the provider still had a session: no form
    if result.status_code != 200:
        raise RuntimeError(f"the provider answered {result.status_code} instead of its login form")
    form = parse_form(result.text)
    if form.action is None or "login" not in form.fields:
        raise RuntimeError("the provider's page has no login form")
    data = dict(form.fields, login=account, password=DEMO_PASSWORD)
    posted = await client.post(urljoin(str(result.url), form.action), data=data)
    result = await follow_until(client, posted, stop_prefix)
    # Signing in as someone else than the provider's current session: it first ends that session
    # with a form that a browser posts by script. Post it as a browser would.
    for _ in range(3):
        if isinstance(result, str) or "document.forms[0].submit()" not in result.text:
            break
        form = parse_form(result.text)
        posted = await client.post(urljoin(str(result.url), form.action or ""), data=form.fields)
        result = await follow_until(client, posted, stop_prefix)
    return result


async def obtain_tokens(
    account: str,
    *,
    redirect_base: str = "http://127.0.0.1:8000",
    issuer: Issuer | None = None,
    client: httpx.AsyncClient | None = None,
) -> dict:
    """The provider's token response (access_token, id_token, ...) for a demo account."""
    issuer_id = devidp.issuer_of_account(account)
    if issuer is None:
        if issuer_id is None:
            raise LookupError(f"unknown demo account {account!r}; known: {', '.join(devidp.demo_accounts())}")
        issuer = get_issuers().by_id(issuer_id)
        if issuer is None:
            raise LookupError(f"issuer {issuer_id} is not configured")
    redirect_uri = f"{redirect_base.rstrip('/')}/auth/callback/{issuer.id}"
    pending = oidc.new_pending(issuer, redirect_uri=redirect_uri, next_path="/")
    url = await oidc.authorization_url(issuer, pending, prompt="login")
    own = client is None
    client = client or httpx.AsyncClient(timeout=15)
    try:
        result = await provider_sign_in(client, await client.get(url), account, redirect_uri)
    finally:
        if own:
            await client.aclose()
    if not isinstance(result, str):
        raise RuntimeError(f"sign-in did not come back to the portal (HTTP {result.status_code})")
    params = {k: v[0] for k, v in parse_qs(urlsplit(result).query).items()}
    code = oidc.check_callback(issuer, pending, params)
    token = await oidc.exchange_code(issuer, code=code, redirect_uri=redirect_uri, code_verifier=pending.code_verifier)
    if token.get("access_token", "").count(".") != 2:
        raise RuntimeError("the provider did not issue a JWT access token")
    return token


async def _provider_up(issuer: Issuer) -> bool:
    try:
        await metadata(issuer)
        return True
    except ProviderUnavailable:
        return False


async def _main(account: str) -> str:
    issuer_id = devidp.issuer_of_account(account)
    if issuer_id is None:
        raise LookupError(f"unknown demo account {account!r}; known: {', '.join(devidp.demo_accounts())}")
    issuer = get_issuers().by_id(issuer_id)
    if issuer is None:
        raise LookupError(f"issuer {issuer_id} is not configured")
    started = None
    if not await _provider_up(issuer):
        port = urlsplit(issuer.url).port or 9000
        print(f"starting the development provider on port {port}", file=sys.stderr)
        started = devidp.start(port)
        reset_issuers()
    try:
        token = await obtain_tokens(account)
    finally:
        if started is not None:
            started.stop()
    print(
        f"account: {account} (issuer {issuer_id}); token valid {token.get('expires_in', '?')} s; "
        f"use as 'Authorization: Bearer <token>'"
    )
    return token["access_token"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("account", nargs="?", default=os.environ.get("USER_ACCOUNT"))
    args = parser.parse_args(argv)
    if not args.account:
        parser.error(f"name a demo account: {', '.join(devidp.demo_accounts())}")
    try:
        token = asyncio.run(_main(args.account))
    except (LookupError, RuntimeError, oidc.SignInFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
