"""What every portal page needs: the actor, the language, CSRF, rendering and redirects."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, Concatenate, ParamSpec
from urllib.parse import quote

from graphql import GraphQLError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from backend.actor import Actor
from backend.models import ActorKind
from frontend.forms import mutation_errors
from frontend.i18n import COOKIE, N_, Language, awaits_review, pick_language, translations
from frontend.operations import OperationFailed, run_operation
from frontend.templating import environment

log = logging.getLogger(__name__)

P = ParamSpec("P")
# A page handler for signed-in people: the request, the actor, then its own arguments.
SignedInPage = Callable[Concatenate[Request, Actor, P], Awaitable[Response]]


# ---------------------------------------------------------------- who and which language
async def current_actor(request: Request) -> Actor | None:
    """The signed-in actor (from the session cookie), looked up once per request."""
    try:
        return request.state.portal_actor
    except AttributeError:
        pass
    from auth.request import actor_for_request
    from backend.db import new_session

    async with new_session() as session:
        actor = await actor_for_request(request, session)
    request.state.portal_actor = actor
    return actor


def language(request: Request) -> Language:
    return pick_language(request.query_params.get("lang"), request.cookies.get(COOKIE), None)


class PageGettext:
    """gettext for the page's language, which also knows that language (for the API's messages)."""

    def __init__(self, code: str):
        self.lang = code
        self._gettext = translations(code).gettext

    def __call__(self, message: str) -> str:
        return self._gettext(message)


def gettext_for(request: Request) -> PageGettext:
    return PageGettext(language(request).code)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site: never `//host` or a scheme, so a link cannot send people elsewhere."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def current_path(request: Request) -> str:
    path = request.url.path
    query = "&".join(f"{k}={quote(v)}" for k, v in request.query_params.multi_items() if k != "lang")
    return f"{path}?{query}" if query else path


# ---------------------------------------------------------------- CSRF
def csrf_token(request: Request) -> str:
    from auth.sessions import csrf_token as token

    return token(request)


async def verified_form(request: Request) -> FormData:
    """The posted form, or 403 when its CSRF token does not belong to this session."""
    from auth.sessions import verify_csrf

    form = await request.form()
    if not verify_csrf(request, form.get("csrf_token")):
        raise HTTPException(status_code=403, detail="CSRF")
    return form


# ---------------------------------------------------------------- operations
async def query(request: Request, name: str, variables: dict[str, Any] | None = None) -> dict:
    return await run_operation(name, variables, actor=await current_actor(request), request=request)


async def query_or_404(request: Request, name: str, variables: dict[str, Any] | None = None) -> dict:
    """Run a read; a malformed or unknown id is a page that does not exist."""
    try:
        return await query(request, name, variables)
    except OperationFailed:
        raise HTTPException(status_code=404) from None


async def mutate(
    request: Request, name: str, input: dict[str, Any], field_ids: dict[str, str], *, gettext, fallback_field: str
) -> tuple[dict, dict[str, str]]:
    """Run the mutation `name` with `input`: its payload (the operation's one field) and the payload's
    errors by form field id (`field_ids`: API field -> form field; anything else: `fallback_field`)."""
    data = await query(request, name, {"input": input})
    (payload,) = data.values()
    return payload, mutation_errors(payload.get("errors"), field_ids, gettext=gettext, fallback_field=fallback_field)


def path_id(request: Request, *types: str, name: str = "id") -> str:
    """The global id in the path, checked before any query: a malformed id or one of another
    type is a page that does not exist."""
    from schema.ids import decode

    value = request.path_params[name]
    try:
        decode(value, *types)
    except GraphQLError:  # a malformed id or one of another type: no such page
        raise HTTPException(status_code=404) from None
    return value


# ---------------------------------------------------------------- query strings
def parse_day(value: str) -> date | None:
    """A day in the query string, within the years anything is stored for (backend/bounds.py); else None."""
    from backend import bounds

    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if bounds.DATE_MIN <= day <= bounds.DATE_MAX else None


def day_range(values: dict, errors: dict, gettext, start: str = "fra", end: str = "til") -> tuple:
    """The days of a from/to filter (None when not given); a field that is no day gets its error."""
    days = []
    for name, message in (
        (start, N_("Skriv en dato mellem 2000-01-01 og 2100-12-31 som åååå-mm-dd, fx 2026-12-01.")),
        (end, N_("Skriv en dato mellem 2000-01-01 og 2100-12-31 som åååå-mm-dd, fx 2026-12-31.")),
    ):
        day = parse_day(values[name]) if values[name] else None
        if values[name] and day is None:
            errors[name] = gettext(message)
        days.append(day)
    if days[0] and days[1] and days[1] < days[0]:
        errors[end] = gettext("Slutdatoen skal være samme dag som startdatoen eller senere.")
    return tuple(days)


def query_id(request: Request, name: str, *types: str) -> str | None:
    """An id in the query string; one that is no id of these types is a request the page cannot use (400)."""

    from schema.ids import decode

    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        decode(value, *types)
    except GraphQLError:
        raise HTTPException(status_code=400) from None
    return value


def query_cursor(request: Request, name: str = "efter") -> str | None:
    """A cursor in the query string (of a list in id order); one that is none is a 400."""

    from schema.connections import decode_cursor

    value = request.query_params.get(name) or None
    try:
        decode_cursor(value)
    except GraphQLError:
        raise HTTPException(status_code=400) from None
    return value


# ---------------------------------------------------------------- rendering
def actor_summary(actor: Actor | None) -> dict | None:
    if actor is None:
        return None
    return {
        "kind": actor.kind.value,
        "display_name": actor.display_name,
        "is_resident": actor.kind == ActorKind.RESIDENT,
        "is_partner": actor.kind == ActorKind.PARTNER,
        "is_staff": actor.is_staff,
        "is_fund": actor.kind == ActorKind.FUND,
    }


async def unread_notifications(actor: Actor | None) -> int:
    """The header's count for everyone signed in: one COUNT on the account's own rows (none for
    anonymous pages, whose answers are shared: schema/public_cache.py)."""
    if actor is None:
        return 0
    from backend.db import new_session
    from backend.services.notifications import unread_count

    async with new_session() as session:
        return await unread_count(session, actor.account_id)


def _message(request: Request) -> str:
    text = MESSAGES.get(request.query_params.get("besked", ""))
    return translations(language(request).code).gettext(text) if text else ""


async def render(
    request: Request, template: str, context: dict | None = None, *, status_code: int = 200, headers: dict | None = None
) -> HTMLResponse:
    lang = language(request)
    actor = await current_actor(request)
    signed_in = actor is not None
    page = {
        "request": request,
        "lang": lang.code,
        "dir": lang.direction,
        "awaits_review": awaits_review(lang.code),
        "current_path": current_path(request),
        "path": request.url.path,
        # Calendar apps subscribe to feeds by the webcal scheme (the same address, fetched over http/https).
        "webcal_base": f"webcal://{request.url.netloc}",
        "viewer": actor_summary(actor),
        "unread_notifications": await unread_notifications(actor),
        "csrf_token": csrf_token(request) if signed_in else "",
        "message": _message(request),
        **(context or {}),
    }
    html = environment(lang.code).get_template(template).render(page)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    # Pages can hold a signed-in person's data: never cache them in shared caches. A page for a visitor
    # who is not signed in may be kept, but revalidated (its ETag; a 304 from schema.public_cache).
    response.headers.setdefault("Cache-Control", "private, no-store" if signed_in else "no-cache")
    response.headers.setdefault("Content-Language", lang.code)
    response.headers.setdefault("Vary", "Cookie")  # the language and the sign-in both come from cookies
    if not signed_in and status_code == 200:  # (an error page gets no validator)
        response.headers.setdefault("ETag", f'"{hashlib.blake2b(response.body, digest_size=16).hexdigest()}"')
    return response


# Confirmations shown after a redirect; the link carries a key, never the text, so nobody can
# craft a link that makes the portal say something else.
MESSAGES = {
    "input-sendt": N_("Tak for dit input. Du kan følge det herunder."),
    "input-rettet": N_("Dit input er rettet."),
    "input-trukket-tilbage": N_("Dit input er trukket tilbage. Følgegruppen behandler det ikke."),
    "svar-sendt": N_("Svaret er sendt og kan nu ses af beboeren."),
    "status-gemt": N_("Status er ændret."),
    "offentliggjort": N_("Inputtet og svaret er nu offentligt på følgegruppens side, uden navn."),
    "afpubliceret": N_("Inputtet er ikke længere offentligt."),
    "input-registreret": N_("Inputtet er registreret."),
    "aktivitet-gemt": N_("Aktiviteten er gemt."),
    "dato-tilfoejet": N_("Datoen er tilføjet."),
    "dato-flyttet": N_("Datoen er flyttet."),
    "dato-aflyst": N_("Datoen er aflyst."),
    "dato-fjernet": N_("Datoen er fjernet."),
    "deltagere-gemt": N_("Antallet af deltagere er gemt."),
    "note-tilfoejet": N_("Noten er tilføjet."),
    "beslutning-godkendt": N_("Godkendelsen er registreret med dato og note."),
    "beslutning-sendt-tilbage": N_("Det er sendt tilbage til boligorganisationen med din note."),
    "konto-slettet": N_("Din konto og dine oplysninger er slettet."),
    "e-mail-sendt": N_("Vi har sendt en e-mail med et link. Følg linket for at bekræfte adressen."),
    "e-mail-uaendret": N_("Det er allerede din bekræftede e-mailadresse."),
    "e-mail-fjernet": N_("Din e-mailadresse er fjernet. Du får ikke flere e-mails fra portalen."),
    "e-mail-til": N_("Du får igen e-mails fra portalen."),
    "e-mail-fra": N_("Du får ikke flere e-mails fra portalen."),
    "kode-indloest": N_("Koden er brugt. Du er nu tilknyttet din boligafdeling."),
    "logget-ud": N_("Du er logget af."),
    "notifikationer-laest": N_("Notifikationerne er markeret som læst."),
    "aktivitet-fulgt": N_("Du følger nu aktiviteten. Du får besked, når den ændres, flyttes eller aflyses."),
    "aktivitet-ikke-fulgt": N_("Du følger ikke længere aktiviteten."),
    "indstillinger-gemt": N_("Dine valg for notifikationer er gemt."),
}


def redirect(url: str, *, message: str | None = None) -> RedirectResponse:
    if message:
        assert message in MESSAGES, message
        url = f"{url}{'&' if '?' in url else '?'}besked={message}"
    return RedirectResponse(url, status_code=303)


def require_actor(
    *kinds: ActorKind,
) -> Callable[[SignedInPage[P]], Callable[Concatenate[Request, P], Awaitable[Response]]]:
    """For the pages of signed-in people (of `kinds`, when given): the handler gets the actor after the
    request. Anonymous visitors are sent to sign-in and back; another kind gets 404 (forbidden looks
    like absent)."""

    def decorate(handler: SignedInPage[P]) -> Callable[Concatenate[Request, P], Awaitable[Response]]:
        @functools.wraps(handler)
        async def page(request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
            actor = await current_actor(request)
            if actor is None:
                return RedirectResponse(f"/log-ind?naeste={quote(current_path(request))}", status_code=303)
            if kinds and actor.kind not in kinds:
                raise HTTPException(status_code=404)
            return await handler(request, actor, *args, **kwargs)

        return page

    return decorate
