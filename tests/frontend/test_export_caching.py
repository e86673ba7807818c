"""Conditional GET for the files: the `.ics` feeds and the yearly report's CSV/XLSX send `ETag` and
`Last-Modified` and answer 304 to a client whose copy is current (RFC 9110), the validators follow the
data (not the clock), and someone who may not see a file gets the same 404 with or without them."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from backend.db import new_session
from backend.models import Activity
from backend.services.validation import utc
from schema.ids import decode
from tests.frontend.html import csrf_of


def _pk(global_id: str) -> int:
    return decode(global_id)[1]


async def _changed_at(activity_id: str) -> str:
    async with new_session() as db:
        activity = await db.get(Activity, _pk(activity_id))
        assert activity is not None
        return format_datetime(utc(activity.updated_at).replace(microsecond=0), usegmt=True)


async def _partner_update(client, sign_in_as, activity_id: str, *, status: str, description: str) -> None:
    """A change through the partner's own form (the real write path, with its audit event)."""
    cookies = await sign_in_as("partner-bibliotek")
    path = f"/partner/aktiviteter/{activity_id}"
    token = await csrf_of(client, path, cookies)
    data = {"csrf_token": token, "handling": "opdater", "status": status, "beskrivelse": description}
    response = await client.post(path, data=data, cookies=cookies)
    assert response.status_code == 303, response.text[:800]


@asynccontextmanager
async def _changed_for_a_while(client, sign_in_as, activity_id: str, *, status: str, description: str):
    """The activity changed by its partner, then put back as it was for the other tests."""
    async with new_session() as db:
        activity = await db.get(Activity, _pk(activity_id))
        assert activity is not None
        was = {"status": activity.status.value, "description": activity.description or ""}
    await _partner_update(client, sign_in_as, activity_id, status=status, description=description)
    try:
        yield
    finally:
        await _partner_update(client, sign_in_as, activity_id, **was)


async def test_a_calendar_file_answers_304_to_its_own_validators(client, demo_ids):
    path = f"/aktiviteter/{demo_ids['library_activity']}/kalender.ics"
    first = await client.get(path)
    assert first.status_code == 200
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('W/"') and etag.endswith('"')
    # Last-Modified is the activity's own last change, not the time of the request.
    assert last_modified == await _changed_at(demo_ids["library_activity"])
    again = await client.get(path)
    assert again.headers["etag"] == etag and again.content == first.content  # the same data, the same file

    for if_none_match in (etag, etag.removeprefix("W/"), f'"other", {etag}', "*"):
        response = await client.get(path, headers={"If-None-Match": if_none_match})
        assert response.status_code == 304, if_none_match
        assert response.content == b""
        assert response.headers["etag"] == etag and response.headers["last-modified"] == last_modified
        assert "content-disposition" not in response.headers
    assert (await client.get(path, headers={"If-None-Match": '"other"'})).status_code == 200

    assert (await client.get(path, headers={"If-Modified-Since": last_modified})).status_code == 304
    a_second_before = format_datetime(parsedate_to_datetime(last_modified) - timedelta(seconds=1), usegmt=True)
    assert (await client.get(path, headers={"If-Modified-Since": a_second_before})).status_code == 200
    assert (await client.get(path, headers={"If-Modified-Since": "not a date"})).status_code == 200
    # If-None-Match decides when both are sent: a tag that does not match is a 200, whatever the date says.
    both = {"If-None-Match": '"other"', "If-Modified-Since": last_modified}
    assert (await client.get(path, headers=both)).status_code == 200


async def test_a_changed_activity_gives_its_feeds_a_new_etag(client, demo_ids, sign_in_as):
    activity_path = f"/aktiviteter/{demo_ids['library_activity']}/kalender.ics"
    plan_path = f"/planer/{demo_ids['plan']}/kalender.ics"
    before = {path: (await client.get(path)).headers["etag"] for path in (activity_path, plan_path)}
    text = "Åbent også om søndagen."
    async with _changed_for_a_while(
        client, sign_in_as, demo_ids["library_activity"], status="ACTIVE", description=text
    ):
        for path, old in before.items():
            response = await client.get(path, headers={"If-None-Match": old})
            assert response.status_code == 200, path
            assert text in response.content.decode().replace("\r\n ", "")  # iCalendar folds long lines
            new = response.headers["etag"]
            assert new != old
            assert (await client.get(path, headers={"If-None-Match": new})).status_code == 304
        changed = await _changed_at(demo_ids["library_activity"])
        assert (await client.get(activity_path)).headers["last-modified"] == changed
        # The plan's feed is as new as its newest activity.
        plan_modified = parsedate_to_datetime((await client.get(plan_path)).headers["last-modified"])
        assert plan_modified >= parsedate_to_datetime(changed)


async def test_an_internal_activitys_calendar_is_absent_for_others_with_or_without_validators(
    client, demo_ids, sign_in_as
):
    path = f"/aktiviteter/{demo_ids['internal_activity']}/kalender.ics"
    staff = await sign_in_as("partner-ssp")
    seen = await client.get(path, cookies=staff)
    assert seen.status_code == 200
    assert seen.headers["cache-control"] == "private, no-cache" and seen.headers["vary"] == "Cookie"
    validators = {"If-None-Match": seen.headers["etag"], "If-Modified-Since": seen.headers["last-modified"]}
    assert (await client.get(path, headers=validators, cookies=staff)).status_code == 304
    for cookies in ({}, await sign_in_as("beboer-tingbjerg"), await sign_in_as("partner-bibliotek")):
        for headers in (validators, {"If-Modified-Since": validators["If-Modified-Since"]}, {"If-None-Match": "*"}):
            response = await client.get(path, headers=headers, cookies=cookies)
            assert response.status_code == 404, (cookies, headers)
            assert "etag" not in response.headers and "last-modified" not in response.headers


async def test_report_files_answer_304_and_change_with_the_data(client, demo_ids, sign_in_as):
    fund = await sign_in_as("lbf-tilsyn")
    plan = _pk(demo_ids["plan"])
    year = date.today().year
    csv_path, xlsx_path = f"/reports/{plan}/{year}.csv", f"/reports/{plan}/{year}.xlsx"
    first = await client.get(csv_path, cookies=fund)
    assert first.status_code == 200
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"] == "private, no-store"
    not_modified = await client.get(csv_path, headers={"If-None-Match": etag}, cookies=fund)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert (await client.get(csv_path, headers={"If-Modified-Since": last_modified}, cookies=fund)).status_code == 304
    # Each file has its own tag: the other dialect, the other language and the XLSX are other representations.
    others = [csv_path + "?dialekt=rfc4180", csv_path + "?sprog=en", xlsx_path]
    tags = {(await client.get(p, cookies=fund)).headers["etag"] for p in others}
    assert len(tags | {etag}) == 4
    # An XLSX made twice differs in its zip's timestamps but says the same: the same (weak) tag.
    xlsx_tag = (await client.get(xlsx_path, cookies=fund)).headers["etag"]
    assert (await client.get(xlsx_path, headers={"If-None-Match": xlsx_tag}, cookies=fund)).status_code == 304

    # The report lists the plan's activities with their status: a change to one is a new file.
    async with _changed_for_a_while(client, sign_in_as, demo_ids["library_activity"], status="PAUSED", description="x"):
        changed = await client.get(csv_path, headers={"If-None-Match": etag}, cookies=fund)
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        assert parsedate_to_datetime(changed.headers["last-modified"]) >= parsedate_to_datetime(last_modified)
        assert changed.headers["last-modified"] == await _changed_at(demo_ids["library_activity"])


async def test_no_304_for_a_report_someone_may_not_read(client, demo_ids, sign_in_as):
    plan = _pk(demo_ids["plan"])
    path = f"/reports/{plan}/{date.today().year}.csv"
    seen = await client.get(path, cookies=await sign_in_as("lbf-tilsyn"))
    assert seen.status_code == 200
    validators = {"If-None-Match": seen.headers["etag"], "If-Modified-Since": seen.headers["last-modified"]}
    for who in (None, "beboer-tingbjerg", "partner-bibliotek", "3b-medarbejder"):
        cookies = await sign_in_as(who) if who else {}
        for headers in (validators, {"If-None-Match": "*"}, {"If-Modified-Since": validators["If-Modified-Since"]}):
            response = await client.get(path, headers=headers, cookies=cookies)
            assert response.status_code == 404, (who, headers)
            assert "etag" not in response.headers and "last-modified" not in response.headers
