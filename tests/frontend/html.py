"""Reading the portal's HTML in route tests: the parsed page, and a form's CSRF token."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


async def csrf_of(client, path: str, cookies: dict) -> str:
    page = await client.get(path, cookies=cookies)
    assert page.status_code == 200, page.text[:500]
    field = soup_of(page).find("input", attrs={"name": "csrf_token"})
    assert isinstance(field, Tag), f"{path} has no CSRF token"
    return str(field["value"])


async def staff_input_path(client, cookies: dict, title: str) -> str:
    """The path of an input's own page, found by its title in the staff inbox (newest first)."""
    soup = soup_of(await client.get("/medarbejder/indbakke", cookies=cookies))
    links = [str(a["href"]) for a in soup.select("tbody a") if a.get_text(strip=True) == title]
    assert links, f"no input {title!r} in the inbox"
    return links[0]


def form_fields(form) -> dict:
    """The values a form sends as it is (hidden fields, CSRF), by name."""
    return {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}


def form_with(soup, action: str):
    """The form that sends `handling=<action>`."""
    forms = [f for f in soup.find_all("form") if f.find("input", attrs={"name": "handling", "value": action})]
    assert forms, f"no form for {action!r}"
    return forms[0]
