"""Checks every rendered page must pass (after alphagov/notifications-admin's page tests)."""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup


def check_page(html: str, *, where: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    problems: list[str] = []
    from frontend.i18n import LANGUAGES

    root = soup.find("html")
    code = root.get("lang") if root else None
    language = LANGUAGES.get(code) if isinstance(code, str) else None
    if root is None or language is None or root.get("dir") != language.direction:
        problems.append("html needs lang and the language's dir")
    elif language.direction == "rtl" and not soup.find("link", href=lambda h: h and h.endswith(".rtl.min.css")):
        problems.append("a right-to-left page without the mirrored design system")
    title = soup.find("title")
    if not title or not title.get_text(strip=True):
        problems.append("no title")
    if len(soup.find_all("h1")) != 1:
        problems.append(f"{len(soup.find_all('h1'))} h1 elements")
    ids = Counter(el["id"] for el in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    if duplicates:
        problems.append(f"duplicate ids {duplicates}")
    labels = {label.get("for") for label in soup.find_all("label")}
    for field in soup.find_all(["input", "select", "textarea"]):
        if field.name == "input" and field.get("type") in ("hidden", "submit", "button"):
            continue
        if field.get("id") not in labels:
            problems.append(f"no label for {field.name} {field.get('name')}")
        if field.get("placeholder") and field.get("id") not in labels:
            problems.append("placeholder used as label")
    for select in soup.find_all("select"):
        if not select.find("option"):
            problems.append(f"select {select.get('name')} has no options")
    for form in soup.find_all("form"):
        # The links in mails carry a secret token in the path, which a forger cannot know: it does what the
        # CSRF token does, for people who are not signed in (backend/mail/addresses.py).
        if str(form.get("action") or "").startswith(("/post/bekraeft/", "/post/afmeld/")):
            continue
        if str(form.get("method") or "get").lower() == "post" and not form.find("input", attrs={"name": "csrf_token"}):
            problems.append(f"post form to {form.get('action')} without csrf_token")
    summary = soup.select_one(".error-summary")
    if summary:
        h1 = soup.find("h1")
        if h1 is None or summary.find_next("h1") is not h1:
            problems.append("the error summary must come before the h1")
        for link in summary.find_all("a"):
            target = str(link.get("href", ""))[1:]
            if not soup.find(id=target):
                problems.append(f"error summary links to missing #{target}")
    skip = soup.find("a", class_="skipnav")
    if not skip or not soup.find(id=str(skip.get("href", "#"))[1:]):
        problems.append("no working skip link")
    assert not problems, f"{where}: {problems}"
    return soup
