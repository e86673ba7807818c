"""Languages of the portal: gettext catalogs compiled with Babel, Danish first.

Message ids are the Danish texts, so a missing translation falls back to Danish, never to
something the user did not choose. Each process compiles a catalog (translations/<lang>/LC_MESSAGES/
messages.po) in memory when it first needs it (a few tens of ms), so no build step writes files and a
changed .po is read at the next start.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DEFAULT_LANGUAGE = "da"
COOKIE = "sprog"
# Scripts written right to left; a catalog in one of these languages turns the page around.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})


def N_(message: str) -> str:
    """Marks a text for the catalog where it is defined; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the switch shows it
    # The Babel locale that formats dates and numbers for this language: one style per language.
    # English pages are read in Denmark: British English (30 November 2026, 14:05).
    locale: str = ""

    @property
    def babel_locale(self) -> str:
        return self.locale or self.code

    @property
    def direction(self) -> str:
        return "rtl" if self.code in RTL_LANGUAGES else "ltr"


LANGUAGES: dict[str, Language] = {
    "da": Language("da", "Dansk"),
    "en": Language("en", "English", locale="en_GB"),
}


def compile_catalog(po_path: Path) -> gettext.GNUTranslations:
    """The catalog as gettext reads it, compiled in memory (fuzzy entries left out, as msgfmt does)."""
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=po_path.parent.parent.name)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@lru_cache
def translations(code: str) -> gettext.NullTranslations:
    po_path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext.NullTranslations()  # Danish, the message ids themselves
    return compile_catalog(po_path)


def pick_language(query_value: str | None, cookie_value: str | None, accept_language: str | None) -> Language:
    """The page's language: an explicit choice, then the saved choice, then Danish.

    The browser's Accept-Language is deliberately not used to switch away from Danish: the portal
    is Danish first, and a visitor switches with the link at the top of every page.
    """
    for value in (query_value, cookie_value):
        if value and value in LANGUAGES:
            return LANGUAGES[value]
    return LANGUAGES[DEFAULT_LANGUAGE]
