"""Languages of the portal: gettext catalogs compiled with Babel, Danish first.

Message ids are the Danish texts, so a missing translation falls back to Danish, never to
something the user did not choose. Each process compiles a catalog (translations/<lang>/LC_MESSAGES/
messages.po) in memory when it first needs it (a few tens of ms), so no build step writes files and a
changed .po is read at the next start. The list of languages is backend/i18n.py's (the e-mails and
notification sentences made outside a page use it too).
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from auth.sessions import LANGUAGE_COOKIE
from backend.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    UNREVIEWED,
    CatalogueStatus,
    Language,
    catalogue_translations,
    print_status,
)
from backend.i18n import TRANSLATIONS as BACKEND_TRANSLATIONS
from backend.i18n import catalogue_status as _catalogue_status

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "UNREVIEWED", "CatalogueStatus", "Language", "N_"]

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
COOKIE = LANGUAGE_COOKIE


@lru_cache
def translations(code: str) -> gettext.NullTranslations:
    return catalogue_translations(TRANSLATIONS, code)


def catalogue_status(code: str) -> CatalogueStatus:
    """How much of a language's portal catalogue is translated, and how much of that is reviewed."""
    return _catalogue_status(code, TRANSLATIONS)


@lru_cache
def awaits_review(code: str) -> bool:
    """True when some of the language's translations have not been reviewed yet."""
    if code == DEFAULT_LANGUAGE:
        return False
    status = catalogue_status(code)
    return status.reviewed < status.translated


def print_all_status() -> None:
    """`make i18n-status`: both catalogues, the portal's pages and the texts made outside a page."""
    print_status("portal (frontend/translations)", TRANSLATIONS)
    print()
    print_status("notifications and e-mails (backend/translations)", BACKEND_TRANSLATIONS)


def pick_language(query_value: str | None, cookie_value: str | None, accept_language: str | None) -> Language:
    """The page's language: an explicit choice, then the saved choice, then Danish.

    The browser's Accept-Language is deliberately not used to switch away from Danish: the portal
    is Danish first, and a visitor switches with the link at the top of every page.
    """
    for value in (query_value, cookie_value):
        if value and value in LANGUAGES:
            return LANGUAGES[value]
    return LANGUAGES[DEFAULT_LANGUAGE]


if __name__ == "__main__":
    print_all_status()
