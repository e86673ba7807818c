"""Sign-in routes: choose a provider, log in, come back, sign out (RP-initiated).

GET  /auth/login                      no provider chosen: on to the portal's own sign-in page (/log-ind)
GET  /auth/login?issuer=ID&next=/...  start the authorization code flow at that provider
                                      (&prompt=login: show its login form even if it knows you)
GET  /auth/callback/ID                the provider's answer: code -> tokens -> account -> session
GET  /auth/logout                     a confirmation form; POST /auth/logout signs out here and at
                                      the provider (its end_session endpoint)
GET  /auth/signed-out                 where the provider sends the browser back to: on to the portal's
                                      front page, which says you are signed out (in your language)
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from auth import oidc, sessions
from auth.accounts import account_for_claims
from auth.errors import AuthenticationError
from auth.issuers import get_issuers
from auth.jwks import ProviderUnavailable, metadata
from backend.db import new_session
from backend.models import WebSession
from backend.settings import get_settings


def _page(title: str, body: str, *, status_code: int = 200) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - Helhedsplan-portalen</title></head>"
        f'<body><main id="main"><h1>{escape(title)}</h1>{body}</main></body></html>'
    )
    return HTMLResponse(html, status_code=status_code, headers={"cache-control": "no-store"})


def _error(message: str, status_code: int = 400) -> HTMLResponse:
    return _page(
        "Log-ind mislykkedes",
        f'<p>{escape(message)}</p><p><a href="/log-ind">Prøv at logge ind igen</a></p>',
        status_code=status_code,
    )


MAX_NEXT_LENGTH = 1000  # a portal path with its query; it is stored with every pending sign-in


def safe_next(value: str | None) -> str:
    """Only a path on this site: never another host (open redirect), never longer than MAX_NEXT_LENGTH."""
    if (
        not value
        or len(value) > MAX_NEXT_LENGTH
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 32 or ord(c) == 127 for c in value)
    ):
        return "/"
    return value


def _base_url(request: Request) -> str:
    """Where the provider sends the browser back: the configured BASE_URL in production (behind a
    proxy the request may look like plain http); in development the address the browser used."""
    settings = get_settings()
    if not settings.is_development:
        return settings.base_url.rstrip("/")
    return str(request.base_url).rstrip("/")


async def login(request: Request) -> Response:
    issuers = get_issuers()
    issuer_id = request.query_params.get("issuer")
    next_path = safe_next(request.query_params.get("next"))
    if not issuer_id:
        # The choice of provider is the portal's page, in the portal's layout and the visitor's language.
        return RedirectResponse(
            f"/log-ind?{urlencode({'naeste': next_path})}", status_code=303, headers={"cache-control": "no-store"}
        )
    issuer = issuers.by_id(issuer_id)
    if issuer is None:
        return _error("Den valgte log-in-udbyder findes ikke.", 404)
    redirect_uri = f"{_base_url(request)}/auth/callback/{issuer.id}"
    pending = oidc.new_pending(issuer, redirect_uri=redirect_uri, next_path=next_path)
    # prompt=login asks the provider for the login form even when it remembers the browser (switch user).
    extra = {"prompt": "login"} if request.query_params.get("prompt") == "login" else {}
    try:
        url = await oidc.authorization_url(issuer, pending, **extra)
    except oidc.SignInFailed as exc:
        return _error(f"Log-ind kunne ikke starte: {exc.message}.", exc.status_code)
    async with new_session() as db:
        try:
            raw = await sessions.create_pending_login(db, {"login": pending.as_dict()})
        except sessions.TooManyPendingLogins:
            busy = _page(
                "Log-ind er travlt lige nu",
                "<p>Der er for mange log-ind i gang lige nu. Prøv igen om et par minutter.</p>"
                '<p><a href="/auth/login">Prøv igen</a></p>',
                status_code=503,
            )
            busy.headers["retry-after"] = "60"
            return busy
    response = RedirectResponse(url, status_code=303, headers={"cache-control": "no-store"})
    sessions.set_cookie(
        response, sessions.LOGIN_COOKIE, raw, max_age=int(sessions.LOGIN_LIFETIME.total_seconds()), path="/auth/"
    )
    return response


async def callback(request: Request) -> Response:
    issuer = get_issuers().by_id(request.path_params["issuer_id"])
    if issuer is None:
        return _error("Den log-in-udbyder findes ikke.", 404)
    async with new_session() as db:
        # The pending sign-in is used once, whatever the outcome: a replayed callback finds nothing.
        row = await sessions.take(db, request.cookies.get(sessions.LOGIN_COOKIE))
        pending_data = (row.data or {}).get("login") if row else None
        if not pending_data:
            return _error("Log-ind er udløbet eller allerede gennemført. Start forfra.")
        pending = oidc.PendingLogin.from_dict(pending_data)
        if pending.issuer_id != issuer.id:
            return _error("Svaret kom fra en anden log-in-udbyder end den, du valgte.")
        try:
            claims = await oidc.complete(issuer, pending, request.query_params)
            account = await account_for_claims(db, issuer, claims)
        except AuthenticationError as exc:
            return _error(f"Log-ind mislykkedes: {exc.message}.", exc.status_code)
        await sessions.destroy(db, request.cookies.get(sessions.SESSION_COOKIE))  # no session fixation
        await sessions.purge_expired(db)
        raw = await sessions.create(
            db, account_id=account.id, data={"issuer": issuer.id}, lifetime=sessions.SESSION_LIFETIME
        )
    response = RedirectResponse(safe_next(pending.next), status_code=303, headers={"cache-control": "no-store"})
    sessions.set_cookie(response, sessions.SESSION_COOKIE, raw, max_age=int(sessions.SESSION_LIFETIME.total_seconds()))
    sessions.clear_cookie(response, sessions.LOGIN_COOKIE, path="/auth/")
    if account.language:  # the language chosen on another device or earlier follows the person
        sessions.set_cookie(response, sessions.LANGUAGE_COOKIE, account.language, max_age=365 * 24 * 3600)
    return response


async def logout(request: Request) -> Response:
    if request.method == "GET":
        token = escape(sessions.csrf_token(request))
        return _page(
            "Log ud",
            '<form method="post" action="/auth/logout">'
            f'<input type="hidden" name="{sessions.CSRF_FIELD}" value="{token}">'
            '<button type="submit">Log ud</button></form>',
        )
    if not await sessions.verify_csrf_form(request):
        return _error("Formularen er udløbet. Prøv at logge ud igen.", 403)
    raw = request.cookies.get(sessions.SESSION_COOKIE)
    target = "/auth/signed-out"
    async with new_session() as db:
        row: WebSession | None = await sessions.load(db, raw)
        issuer = get_issuers().by_id((row.data or {}).get("issuer", "")) if row else None
        await sessions.destroy(db, raw)
        await sessions.purge_expired(db)
    if issuer is not None:
        try:
            end_session = (await metadata(issuer)).get("end_session_endpoint")
        except ProviderUnavailable:
            end_session = None
        if end_session:
            target = (
                end_session
                + "?"
                + urlencode(
                    {
                        "client_id": issuer.client_id,
                        "post_logout_redirect_uri": f"{_base_url(request)}/auth/signed-out",
                    }
                )
            )
    response = RedirectResponse(target, status_code=303, headers={"cache-control": "no-store"})
    sessions.clear_cookie(response, sessions.SESSION_COOKIE)
    return response


async def signed_out(_request: Request) -> Response:
    """Every sign-out ends here: the portal's front page says so, in the visitor's language."""
    return RedirectResponse("/?besked=logget-ud", status_code=303, headers={"cache-control": "no-store"})


def auth_routes() -> list:
    return [
        Route("/auth/login", login, methods=["GET"]),
        Route("/auth/callback/{issuer_id}", callback, methods=["GET"]),
        Route("/auth/logout", logout, methods=["GET", "POST"]),
        Route("/auth/signed-out", signed_out, methods=["GET"]),
    ]
