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
