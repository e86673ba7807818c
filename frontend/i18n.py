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

from auth.sessions import LANGUAGE_COOKIE

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DEFAULT_LANGUAGE = "da"
COOKIE = LANGUAGE_COOKIE
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
    # Digits: Latin everywhere. Danish letters, prices, timetables and MitID all show 0-9, and CLDR's
    # `ar` (Modern Standard Arabic, ar_001) and `ur` (ur_PK) use them too; ar_EG, ar_SA, ar_IQ or ar_LB
    # would switch to Arabic-Indic digits. Passed to Babel explicitly so no locale change flips it.
    numbering: str = "latn"

    @property
    def babel_locale(self) -> str:
        return self.locale or self.code

    @property
    def direction(self) -> str:
        return "rtl" if self.code in RTL_LANGUAGES else "ltr"


# One line per language, with its catalogue in translations/<code>/LC_MESSAGES/messages.po.
LANGUAGES: dict[str, Language] = {
    "da": Language("da", "Dansk"),
    "en": Language("en", "English", locale="en_GB"),
    "ar": Language("ar", "العربية"),
    "tr": Language("tr", "Türkçe"),
    "so": Language("so", "Soomaali"),
    "ur": Language("ur", "اردو"),
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


# A translation nobody has reviewed yet carries this flag in its catalogue (`#, unreviewed`); a reviewer
# removes it. While a language has such entries, its pages say so and link to the Danish page.
UNREVIEWED = "unreviewed"


@dataclass(frozen=True)
class CatalogueStatus:
    code: str
    total: int
    translated: int
    reviewed: int

    def share(self, count: int) -> str:
        return f"{100 * count / self.total:.0f} %" if self.total else "–"


def catalogue_status(code: str) -> CatalogueStatus:
    """How much of a language's catalogue is translated, and how much of that a person has reviewed.
    Danish is the source language: its texts are the message ids themselves."""
    po_path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=code)
    messages = [m for m in catalog if m.id]
    if code == DEFAULT_LANGUAGE:
        return CatalogueStatus(code, len(messages), len(messages), len(messages))
    translated = [m for m in messages if m.string and not m.fuzzy]
    reviewed = [m for m in translated if UNREVIEWED not in m.flags]
    return CatalogueStatus(code, len(messages), len(translated), len(reviewed))


@lru_cache
def awaits_review(code: str) -> bool:
    """True when some of the language's translations have not been reviewed yet."""
    if code == DEFAULT_LANGUAGE:
        return False
    status = catalogue_status(code)
    return status.reviewed < status.translated


def print_status() -> None:
    """`make i18n-status`: per language the share of strings translated and the share reviewed."""
    print(f"{'language':<12}{'strings':>8}{'translated':>12}{'reviewed':>10}")
    for code, language in LANGUAGES.items():
        st = catalogue_status(code)
        print(f"{code:<4}{language.name:<8}{st.total:>8}{st.share(st.translated):>12}{st.share(st.reviewed):>10}")


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
    print_status()
