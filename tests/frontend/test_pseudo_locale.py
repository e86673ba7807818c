"""A pseudo-locale for the tests: every interface text longer (+40 %), accented, bracketed, and the page
turned right to left. Rendering every page in it catches interface text that bypasses the catalogue
(hard-coded), and pages that forget the language's direction."""

from __future__ import annotations

import re
import shutil

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from bs4 import BeautifulSoup

from tests.frontend.pages import all_pages, expected_status

PSEUDO = "qps"  # the code ISO 639 reserves for local use (qaa-qtz); Windows uses qps-ploc for the same purpose
ACCENTS = str.maketrans("aeiouyAEIOUYcnsz", "åéîøüÿÅÉÎØÜŸçñšž")
PLACEHOLDER = re.compile(r"(%\(\w+\)[sd]|%%)")
# Interface-only elements: their text always comes from the catalogue, never from data.
INTERFACE = "label, legend, button, th, caption, .form-hint, .alert-heading, nav a, footer, .skipnav, .portal-title"


def pseudo(text: str) -> str:
    """⟦Åktîvîtétér ····⟧: accented, 40 % longer, placeholders untouched."""
    parts = PLACEHOLDER.split(text)
    body = "".join(p if PLACEHOLDER.fullmatch(p) else p.translate(ACCENTS) for p in parts)
    return f"⟦{body} {'·' * max(1, round(len(text) * 0.4))}⟧"


@pytest.fixture
def pseudo_locale(tmp_path, monkeypatch):
    from backend import i18n as languages
    from frontend import i18n, templating

    translations = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, translations)
    with (i18n.TRANSLATIONS / "messages.pot").open("rb") as f:
        template = read_po(f)
    catalog = Catalog(locale="en", domain="messages")
    for message in template:
        if message.id:
            catalog.add(message.id, pseudo(message.id), flags=message.flags)
    target = translations / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.po").open("wb") as f:
        write_po(f, catalog)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    monkeypatch.setattr(i18n, "TRANSLATIONS", translations)
    monkeypatch.setattr(languages, "RTL_LANGUAGES", languages.RTL_LANGUAGES | {PSEUDO})
    monkeypatch.setitem(i18n.LANGUAGES, PSEUDO, i18n.Language(PSEUDO, "Pseudo", locale="en_GB"))
    for cached in (i18n.translations, i18n.awaits_review, templating.environment):
        cached.cache_clear()
    yield PSEUDO
    monkeypatch.undo()
    for cached in (i18n.translations, i18n.awaits_review, templating.environment):
        cached.cache_clear()


def untranslated(soup: BeautifulSoup) -> list[str]:
    found = []
    for element in soup.select(INTERFACE):
        for text in element.find_all(string=True):
            words = text.strip()
            # Data inside interface elements (a name in a table header, a number) is marked or isolated.
            if not words or text.find_parent(["bdi", "time", "option"]) or text.find_parent(attrs={"dir": "auto"}):
                continue
            if re.search(r"[A-Za-zÆØÅæøå]{3,}", words) and "⟦" not in words and "⟧" not in words:
                found.append(f"<{element.name}> {words[:60]}")
    return found


async def test_every_page_in_the_pseudo_locale_is_translated_and_turned(client, demo_ids, sign_in_as, pseudo_locale):
    cookies_by_account: dict = {}
    report = []
    for who, path in all_pages(demo_ids):
        if who and who not in cookies_by_account:
            cookies_by_account[who] = await sign_in_as(who)
        response = await client.get(path, cookies={"sprog": pseudo_locale, **(cookies_by_account.get(who) or {})})
        assert response.status_code == expected_status(path), (who, path)
        soup = BeautifulSoup(response.text, "html.parser")
        root = soup.find("html")
        if (root.get("lang"), root.get("dir")) != (pseudo_locale, "rtl"):
            report.append(f"{who} {path}: html lang/dir {root.get('lang')}/{root.get('dir')}")
        report += [f"{who or 'anonymous'} {path}: {text}" for text in untranslated(soup)]
    assert report == [], "\n".join(sorted(set(report)))


def test_the_pseudo_locale_keeps_placeholders():
    text = "Du er logget ind som %(name)s med 100 %% sikkerhed."
    assert PLACEHOLDER.findall(pseudo(text)) == ["%(name)s", "%%"]
    assert len(pseudo(text)) >= len(text) * 1.4
