"""Which portal pages a visitor who is not signed in may get from the cache of public answers.

The pages are the same for every such visitor in one language, so schema.public_cache keeps them
whole (`PublicPageCache`), with the same invalidation as the public API answers. This module only
says which requests qualify and what their key is; the decision uses the sign-in's own parsing
(auth.request.carries_credentials) and the page's own choice of language (frontend.i18n).
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import Scope

from auth.request import carries_credentials
from frontend.i18n import COOKIE, pick_language

# Never kept: what is personal or sets state (sign-in, the language switch, Min side, partner and staff
# pages, reports), what is not a page (the API, assets, probes), and the calendar feeds, which answer
# conditional requests themselves.
_NOT_KEPT = (
    "/auth/",
    "/graphql",
    "/static/",
    "/sprog",
    "/min-side",
    "/partner",
    "/medarbejder",
    "/reports/",
    "/udvikling",
    "/healthz",
    "/readyz",
    "/metrics",
)
MAX_QUERY_STRING = 512  # longer query strings are answered, not kept (they would only fill the cache)


def public_page_key(scope: Scope) -> tuple[str, str, bytes] | None:
    """(language, path, query string) of a GET that may be answered from the cache, else None."""
    path: str = scope["path"]
    query_string: bytes = scope["query_string"]
    if path.startswith(_NOT_KEPT) or path.endswith(".ics") or len(query_string) > MAX_QUERY_STRING:
        return None
    connection = HTTPConnection(scope)
    if carries_credentials(connection):
        return None
    language = pick_language(connection.query_params.get("lang"), connection.cookies.get(COOKIE), None)
    return language.code, path, query_string
