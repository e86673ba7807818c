"""The gettext catalogs: every interface text is in every language's catalogue, the placeholders match,
and a translation nobody has reviewed is flagged so the portal can say so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(FRONTEND),
        METHOD_MAP,
        keywords=KEYWORDS,
        directory_filter=lambda d: "node_modules" not in d and "static" not in d,
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(code: str):
    with (FRONTEND / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=code)


def translated_languages() -> list[str]:
    from frontend.i18n import DEFAULT_LANGUAGE, LANGUAGES

    return [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]


@pytest.mark.parametrize("code", translated_languages())
def test_every_text_is_in_every_catalog(code):
    """A template or page with a text missing from a language's catalogue fails here."""
    messages = catalog(code)
    missing = sorted(m for m in extracted() if not (messages.get(m) and messages.get(m).string))
    assert missing == [], f"untranslated in {code} (run pybabel update, then translate): {missing[:20]}"


@pytest.mark.parametrize("code", translated_languages())
def test_placeholders_survive_translation(code):
    placeholder = re.compile(r"%(?:\(\w+\))?[sd%]")
    for message in catalog(code):
        if message.id and message.string:
            assert sorted(placeholder.findall(message.id)) == sorted(placeholder.findall(message.string)), (
                code,
                message.id,
            )


def test_unreviewed_translations_are_flagged_and_counted():
    from frontend.i18n import UNREVIEWED, awaits_review, catalogue_status

    for code in ("ar", "tr", "so", "ur"):
        status = catalogue_status(code)
        flagged = [m for m in catalog(code) if m.id and UNREVIEWED in m.flags]
        assert status.translated - status.reviewed == len(flagged) > 0, code
        assert awaits_review(code)
    assert not awaits_review("da") and not awaits_review("en")


def test_i18n_status_prints_the_shares_per_language():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "frontend.i18n"], capture_output=True, text=True, check=True, cwd=FRONTEND.parent
    ).stdout
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert set(rows) == {"da", "en", "ar", "tr", "so", "ur"}
    assert rows["en"][-4:] == ["100", "%", "100", "%"] and rows["ar"][-2:] == ["0", "%"]


def test_catalogs_compile_and_translate():
    from frontend.i18n import translations

    translations.cache_clear()
    assert translations("en").gettext("Log ind") == "Sign in"
    assert translations("da").gettext("Log ind") == "Log ind"
