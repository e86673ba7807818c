"""The gettext catalogs: every interface text is in every language's catalogue, the placeholders match,
and a translation nobody has reviewed is flagged so the portal can say so. Two catalogues: the portal's
(frontend/translations) and the texts made outside a page, notifications and e-mails (backend/translations)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
METHOD_MAP = {"frontend": [("**.py", "python"), ("templates/**.html", "jinja2")], "backend": [("**.py", "python")]}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
CATALOGUES = ("frontend", "backend")


def extracted(where: str = "frontend") -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / where),
        METHOD_MAP[where],
        keywords=KEYWORDS,
        directory_filter=lambda d: "node_modules" not in d and "static" not in d,
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(code: str, where: str = "frontend"):
    with (ROOT / where / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=code)


def translated_languages() -> list[str]:
    from frontend.i18n import DEFAULT_LANGUAGE, LANGUAGES

    return [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


@pytest.mark.parametrize("where", CATALOGUES)
@pytest.mark.parametrize("code", translated_languages())
def test_every_text_is_in_every_catalog(code, where):
    """A template, page, notification or e-mail with a text missing from a language's catalogue fails here."""
    messages = catalog(code, where)
    missing = sorted(m for m in extracted(where) if not (messages.get(m) and messages.get(m).string))
    assert missing == [], f"untranslated in {where} {code} (run pybabel update, then translate): {missing[:20]}"


@pytest.mark.parametrize("where", CATALOGUES)
@pytest.mark.parametrize("code", translated_languages())
def test_placeholders_survive_translation(code, where):
    placeholder = re.compile(r"%(?:\(\w+\))?[sd%]")
    for message in catalog(code, where):
        if message.id and message.string:
            assert sorted(placeholder.findall(message.id)) == sorted(placeholder.findall(message.string)), (
                code,
                message.id,
            )


def test_unreviewed_translations_are_flagged_and_counted():
    from backend import i18n as backend_i18n
    from frontend.i18n import UNREVIEWED, awaits_review, catalogue_status

    for code in ("ar", "tr", "so", "ur"):
        status = catalogue_status(code)
        flagged = [m for m in catalog(code) if m.id and UNREVIEWED in m.flags]
        assert status.translated - status.reviewed == len(flagged) > 0, code
        assert awaits_review(code)
        # The e-mails' catalogue: every entry translated by machine or a non-native writer is flagged too.
        status = backend_i18n.catalogue_status(code)
        flagged = [m for m in catalog(code, "backend") if m.id and UNREVIEWED in m.flags]
        assert status.translated == status.total == len(flagged) > 0 and status.reviewed == 0, code
    assert not awaits_review("da") and not awaits_review("en")


def test_i18n_status_prints_the_shares_per_language():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "frontend.i18n"], capture_output=True, text=True, check=True, cwd=FRONTEND.parent
    ).stdout
    portal, backend = out.strip().split("\n\n")
    assert portal.startswith("portal") and backend.startswith("notifications and e-mails")
    for table in (portal, backend):
        rows = {line.split()[0]: line.split() for line in table.splitlines()[2:]}
        assert set(rows) == {"da", "en", "ar", "tr", "so", "ur"}
        assert rows["en"][-4:] == ["100", "%", "100", "%"] and rows["ar"][-2:] == ["0", "%"]


def test_catalogs_compile_and_translate():
    from frontend.i18n import translations

    translations.cache_clear()
    assert translations("en").gettext("Log ind") == "Sign in"
    assert translations("da").gettext("Log ind") == "Log ind"


def test_backend_texts_are_translated_with_their_placeholders():
    from backend.i18n import translate, translations

    translations.cache_clear()
    assert translate("en", "Åbn i portalen") == "Open in the portal"
    assert translate("da", "Nyt i Helhedsplan-portalen %(date)s", date="1. december 2026") == (
        "Nyt i Helhedsplan-portalen 1. december 2026"
    )
    assert "3 ساعة" in translate(
        "ar",
        "Nogen, forhåbentlig dig, har skrevet denne adresse på Min side i "
        "Helhedsplan-portalen. Følg linket for at bekræfte, at du vil have e-mails. "
        "Linket virker i %(hours)d timer.",
        hours=3,
    )
    # An unknown or missing language is Danish, never an error.
    assert translate("xx", "Åbn i portalen") == translate(None, "Åbn i portalen") == "Åbn i portalen"
