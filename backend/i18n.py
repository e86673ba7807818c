"""The portal's languages, and the catalogue of texts made outside a page (notification sentences, e-mails).

The list of languages lives here so that backend/ can write in the recipient's language without importing
frontend/ (frontend/i18n.py imports it from here: one list). Message ids are the Danish texts, so a missing
translation falls back to Danish. Each catalogue (translations/<lang>/LC_MESSAGES/messages.po) is compiled
in memory when a process first needs it, as the portal's are.
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
# Scripts written right to left; a catalog in one of these languages turns the page (or e-mail) around.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})
# A translation nobody has reviewed yet carries this flag in its catalogue (`#, unreviewed`); a reviewer
# removes it. While a language has such entries, its pages say so and link to the Danish page.
UNREVIEWED = "unreviewed"


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


# One line per language, with its catalogues in frontend/translations and backend/translations.
LANGUAGES: dict[str, Language] = {
    "da": Language("da", "Dansk"),
    "en": Language("en", "English", locale="en_GB"),
    "ar": Language("ar", "العربية"),
    "tr": Language("tr", "Türkçe"),
    "so": Language("so", "Soomaali"),
    "ur": Language("ur", "اردو"),
}


def language(code: str | None) -> Language:
    """The language of a stored choice (an account's), Danish when none or an unknown one."""
    return LANGUAGES.get(code or DEFAULT_LANGUAGE) or LANGUAGES[DEFAULT_LANGUAGE]


def compile_catalog(po_path: Path) -> gettext.GNUTranslations:
    """The catalog as gettext reads it, compiled in memory (fuzzy entries left out, as msgfmt does)."""
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=po_path.parent.parent.name)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def catalogue_translations(directory: Path, code: str) -> gettext.NullTranslations:
    po_path = directory / code / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext.NullTranslations()  # Danish, the message ids themselves
    return compile_catalog(po_path)


@lru_cache
def translations(code: str) -> gettext.NullTranslations:
    """This catalogue (backend/translations) for a language."""
    return catalogue_translations(TRANSLATIONS, code)


def translate(language_code: str | None, message: str, **params: object) -> str:
    """`message` (a Danish text marked with N_) in the language, with %(name)s placeholders filled in."""
    text = translations(language(language_code).code).gettext(message)
    return text % params if params else text


@dataclass(frozen=True)
class CatalogueStatus:
    code: str
    total: int
    translated: int
    reviewed: int

    def share(self, count: int) -> str:
        return f"{100 * count / self.total:.0f} %" if self.total else "–"


def catalogue_status(code: str, directory: Path = TRANSLATIONS) -> CatalogueStatus:
    """How much of a language's catalogue is translated, and how much of that a person has reviewed.
    Danish is the source language: its texts are the message ids themselves."""
    po_path = directory / code / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=code)
    messages = [m for m in catalog if m.id]
    if code == DEFAULT_LANGUAGE:
        return CatalogueStatus(code, len(messages), len(messages), len(messages))
    translated = [m for m in messages if m.string and not m.fuzzy]
    reviewed = [m for m in translated if UNREVIEWED not in m.flags]
    return CatalogueStatus(code, len(messages), len(translated), len(reviewed))


def print_status(title: str, directory: Path) -> None:
    """One catalogue's table for `make i18n-status`: per language the share translated and reviewed."""
    print(title)
    print(f"{'language':<12}{'strings':>8}{'translated':>12}{'reviewed':>10}")
    for code, lang in LANGUAGES.items():
        st = catalogue_status(code, directory)
        print(f"{code:<4}{lang.name:<8}{st.total:>8}{st.share(st.translated):>12}{st.share(st.reviewed):>10}")
