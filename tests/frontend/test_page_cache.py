"""Whole pages for visitors who are not signed in come from the cache of public answers: served
without SQL until a write, per language, revalidated by ETag, and never across visitors: a signed-in
page never reaches anyone else and an anonymous page never reaches someone signed in."""

from __future__ import annotations

import uuid

from sqlalchemy import event, update
from sqlmodel import col

from backend.db import get_async_engine, get_sync_engine
from backend.models import Activity
from schema import public_cache
from schema.ids import decode_pk


class Statements:
    def __enter__(self):
        self.engine, self.count = get_async_engine().sync_engine, 0
        event.listen(self.engine, "after_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "after_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def rename_activity(global_id: str, title: str) -> None:
    with get_sync_engine().begin() as conn:
        conn.execute(update(Activity).where(col(Activity.id) == decode_pk(global_id)).values(title=title))


async def test_an_anonymous_page_is_kept_until_a_write_and_revalidated_by_its_etag(client, demo_ids):
    path = f"/aktiviteter/{demo_ids['library_activity']}"
    danish = {"sprog": "da"}  # explicit: the suite's client may hold a language cookie from another test
    await client.get(path, cookies=danish)  # the first connection may touch the SQLite files
    first = await client.get(path, cookies=danish)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    assert "cookie" in first.headers["vary"].lower()
    etag = first.headers["etag"]
    with Statements() as statements:
        hits = public_cache.stats["hits"]
        again = await client.get(path, cookies=danish)
    assert public_cache.stats["hits"] == hits + 1 and statements.count == 0
    assert again.text == first.text and again.headers["etag"] == etag
    assert again.headers["x-request-id"] != first.headers["x-request-id"]

    not_modified = await client.get(path, headers={"If-None-Match": etag}, cookies=danish)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag

    title = f"Omdøbt {uuid.uuid4().hex[:6]}"
    rename_activity(demo_ids["library_activity"], title)
    try:
        changed = await client.get(path, headers={"If-None-Match": etag}, cookies=danish)
        assert changed.status_code == 200 and title in changed.text
        assert changed.headers["etag"] != etag
    finally:
        rename_activity(demo_ids["library_activity"], demo_ids["library_activity_title"])


async def test_each_language_has_its_own_page(client, demo_ids):
    path = f"/aktiviteter/{demo_ids['library_activity']}"
    for _ in range(2):  # (explicit cookies: the suite's client may hold a language cookie from another test)
        danish = await client.get(path, cookies={"sprog": "da"})
        english = await client.get(path, cookies={"sprog": "en"})
        by_link = await client.get(path + "?lang=ar", cookies={"sprog": "en"})
    assert '<html lang="da"' in danish.text
    assert '<html lang="en"' in english.text
    assert '<html lang="ar" dir="rtl"' in by_link.text


async def test_one_visitors_page_never_reaches_another(client, demo_ids, sign_in_as):
    path = f"/aktiviteter/{demo_ids['library_activity']}"
    resident = await sign_in_as("beboer-tingbjerg")
    partner = await sign_in_as("partner-bibliotek")
    for _ in range(2):  # each order: anonymous first, then signed in, then anonymous again
        anonymous = await client.get(path, cookies={"sprog": "da"})
        as_resident = await client.get(path, cookies={**resident, "sprog": "da"})
        as_partner = await client.get(path, cookies={**partner, "sprog": "da"})
        anonymous_after = await client.get(path, cookies={"sprog": "da"})
        assert "Log af" not in anonymous.text and "Log af" not in anonymous_after.text
        assert "Log af" in as_resident.text and "Log af" in as_partner.text
        assert as_resident.headers["cache-control"] == "private, no-store" and "etag" not in as_resident.headers
        assert as_resident.text != as_partner.text  # each sees their own header
    # A session cookie spelled so that only the parser finds it is a session: never the anonymous page.
    spelled = {"Cookie": f"hp_session ={resident['hp_session']}"}
    assert "Log af" in (await client.get(path, headers=spelled)).text
