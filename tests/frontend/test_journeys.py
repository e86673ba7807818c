"""Issue 11, sections 1, 5 and 6 in the rendered HTML: residents are told the truth, lists can be
read, and every text is in the reader's language and style."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from backend.models import Occurrence
from backend.services import inputs
from schema.ids import decode
from tests.frontend.html import soup_of
from tests.frontend.pages import all_pages, expected_status
from tests.frontend.test_own_inputs import an_input, cookies_of, pk_of, world  # noqa: F401 - pytest fixtures
from tests.services.world import call


@pytest.fixture(scope="module")
async def cookies(sign_in_as):
    subjects = ("beboer-tingbjerg", "beboer-ny", "partner-bibliotek", "fsb-medarbejder")
    return {s: await sign_in_as(s) for s in subjects}


def card(soup, title: str):
    items = [
        li for li in soup.select(".card-list > li") if li.find("h3") and li.find("h3").get_text(strip=True) == title
    ]
    assert items, f"no card {title!r}"
    return items


# ---------------------------------------------------------------- 1. residents are told the truth
@pytest.fixture
async def first_date_cancelled(demo_ids):
    """The library activity's next date, cancelled for the test (and put back afterwards)."""
    from backend.db import new_session

    pk = decode(demo_ids["library_activity"], "Activity")[1]
    async with new_session() as db:
        occurrence = (
            (
                await db.execute(
                    select(Occurrence)
                    .where(Occurrence.activity_id == pk, Occurrence.starts_at > datetime.now(UTC))
                    .order_by(Occurrence.starts_at)
                )
            )
            .scalars()
            .first()
        )
        was = occurrence.cancelled
        await db.execute(update(Occurrence).where(Occurrence.id == occurrence.id).values(cancelled=True))
        await db.commit()
    yield occurrence
    async with new_session() as db:
        await db.execute(update(Occurrence).where(Occurrence.id == occurrence.id).values(cancelled=was))
        await db.commit()


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()[:16]


async def test_a_cancelled_date_is_never_shown_as_the_next_one(client, demo_ids, cookies, first_date_cancelled):
    cancelled_at = _iso(first_date_cancelled.starts_at)
    # Signed in, so no cached public answer hides the change.
    who = cookies["partner-bibliotek"]
    search = soup_of(await client.get("/aktiviteter", params={"q": demo_ids["library_activity_title"]}, cookies=who))
    item = search.find("a", href=f"/aktiviteter/{demo_ids['library_activity']}").find_parent("li")
    [next_time] = [p.find("time") for p in item.find_all("p") if "Næste gang" in p.get_text()]
    assert cancelled_at not in next_time["datetime"]
    [struck] = item.select("del time")
    assert cancelled_at in struck["datetime"] and "Aflyst" in struck.find_parent("p").get_text()
    overview = soup_of(await client.get("/partner", cookies=who))
    row = overview.find("a", href=f"/partner/aktiviteter/{demo_ids['library_activity']}").find_parent("tr")
    cell = row.find_all("td")[-1]
    assert "Aflyst" in cell.get_text() and cancelled_at in cell.select_one("del time")["datetime"]
    week = soup_of(
        await client.get(
            "/aktiviteter/uge", params={"uge": first_date_cancelled.starts_at.date().isoformat()}, cookies=who
        )
    )
    for item in week.select("li.cancelled"):
        assert item.select_one(".badge").get_text() == "Aflyst" and item.select_one("del time")


async def test_the_author_sees_every_published_input_her_own_included(client, demo_ids, cookies):
    path = f"/foelgegrupper/{demo_ids['group']}"
    public = soup_of(await client.get(path)).find(id="published-heading").find_parent("section")
    mine = (
        soup_of(await client.get(path, cookies=cookies["beboer-tingbjerg"]))
        .find(id="published-heading")
        .find_parent("section")
    )
    assert public.select(".card-list > li"), "the demo group has published inputs"
    assert "ikke offentliggjort" not in mine.get_text()
    titles = [h.get_text(strip=True) for h in public.select(".card-list > li h3")]
    assert [h.get_text(strip=True) for h in mine.select(".card-list > li h3")] == titles
    assert "Dit input" in mine.get_text()


async def test_own_inputs_show_their_state_and_who_can_see_them(client, demo_ids, cookies):
    for path in ("/min-side", f"/foelgegrupper/{demo_ids['group']}"):
        soup = soup_of(await client.get(path, cookies=cookies["beboer-tingbjerg"]))
        own = soup.find(id="inputs-heading" if path == "/min-side" else "own-heading").find_parent("section")
        items = own.select(".card-list > li")
        assert items
        states = set()
        for item in items:
            text = item.select_one(".input-state").get_text(" ", strip=True)
            assert "Hvem kan se det:" in text
            states.add(item.select_one(".input-state .badge").get_text(strip=True))
        # The demo resident has published and unpublished inputs.
        assert "Offentliggjort" in states and states - {"Offentliggjort"}, states


async def test_a_resident_without_residency_is_told_why_and_how(client, demo_ids, cookies):
    soup = soup_of(await client.get(f"/foelgegrupper/{demo_ids['group']}", cookies=cookies["beboer-ny"]))
    section = soup.find(id="form-heading").find_parent("section")
    assert section.find("a", href="/min-side#husstandskode")
    my_page = soup_of(await client.get("/min-side", cookies=cookies["beboer-ny"]))
    assert my_page.find(id="husstandskode"), "the link leads to the code field"
    assert re.search(r"boligorganisation \(.+\)", section.get_text()), section.get_text()


async def test_staff_see_a_withdrawn_input_as_withdrawn_without_an_answer_form(client, world):  # noqa: F811 - pytest fixture
    input_id = await an_input(world, title="Trukket tilbage-test")
    await call(inputs.withdraw, actor=world.actor("resident"), input_id=pk_of(input_id))
    staff = await cookies_of(world.accounts["housing"])
    soup = soup_of(await client.get("/medarbejder/indbakke", cookies=staff))
    [row] = [tr for tr in soup.select("tbody tr") if tr.find("a", string="Trukket tilbage-test")]
    assert "Trukket tilbage af beboeren" in row.get_text() and "Lukket" not in row.get_text()
    item = soup_of(await client.get(row.find("a")["href"], cookies=staff))
    assert "Trukket tilbage af beboeren" in item.get_text()
    assert "Lukket" not in item.select_one("main").get_text()
    assert not item.find("textarea") and not item.select("main form")


# ---------------------------------------------------------------- 5. lists that can be read
async def test_cards_tell_activities_apart_and_say_each_thing_once(client, cookies):
    """Two activities of the same name (from two plans) at the same time look different: each card
    names its plan; and no card repeats a part (the area after a place that already names it)."""
    for path in ("/aktiviteter/uge", "/"):
        soup = soup_of(await client.get(path, cookies=cookies["partner-bibliotek"]))
        for day in soup.select(".card-list"):
            cards = [
                (li.find("h3").get_text(strip=True), li.select_one(".meta").get_text(" ", strip=True))
                for li in day.find_all("li", recursive=False)
                if li.select_one(".meta")
            ]
            assert len(cards) == len(set(cards)), [c for c in cards if cards.count(c) > 1]
            for _title, meta in cards:
                parts = [p.strip() for p in meta.split("·")]
                assert len(parts) == len(set(parts)), parts
                assert not any(a != b and b.endswith(", " + a) for a in parts for b in parts), parts


def test_danish_order_puts_ae_oe_aa_after_z():
    from backend.collation import danish_sort_key

    names = ["Åkandehaven", "Zoologisk Have", "Ørestad", "Amager", "Æblehaven", "Élysée", "Bispebjerg", "ærlig"]
    assert sorted(names, key=danish_sort_key) == [
        "Amager",
        "Bispebjerg",
        "Élysée",
        "Zoologisk Have",
        "Æblehaven",
        "ærlig",
        "Ørestad",
        "Åkandehaven",
    ]


async def test_portal_lists_of_named_things_are_in_danish_order(client, demo_ids, cookies):
    from backend.collation import danish_sort_key

    def in_order(names):
        assert names and names == sorted(names, key=danish_sort_key), names

    front = soup_of(await client.get("/"))
    in_order([h.get_text(strip=True) for h in front.select(".area-list h3")])
    search = soup_of(await client.get("/aktiviteter"))
    in_order([o.get_text(strip=True) for o in search.select("#omraade option") if o.get("value")])
    plan = soup_of(await client.get(f"/planer/{demo_ids['plan']}"))
    partners = plan.find(id="partners-heading")
    if partners:
        in_order(
            [li.get_text(" ", strip=True).split(" (")[0] for li in partners.find_parent("section").select("ul > li")]
        )
    overview = soup_of(await client.get("/partner", cookies=cookies["partner-bibliotek"]))
    in_order([a.get_text(strip=True) for a in overview.select("tbody tr td:first-child a")])


async def test_focus_area_filter_lists_the_current_generation_first(client):
    soup = soup_of(await client.get("/aktiviteter"))
    options = [o.get_text(strip=True) for o in soup.select("#indsats option") if o.get("value")]
    from backend.db import new_session
    from backend.models import FocusArea, FundingGeneration

    year = datetime.now().year
    async with new_session() as db:
        rows = (
            await db.execute(
                select(FundingGeneration.start_year, FundingGeneration.end_year, FocusArea.name).join(
                    FocusArea, FocusArea.generation_id == FundingGeneration.id
                )
            )
        ).all()
    current = [name for start, end, name in rows if start <= year <= end]
    assert current and len(rows) > len(current)
    # The current generation's areas first, named without a generation; the older ones after, with theirs.
    assert sorted(options[: len(current)]) == sorted(current), options
    assert not any(re.search(r"\(\d{4}-\d\d\)$", o) for o in options[: len(current)]), options
    assert all(re.search(r"\(.+\)$", o) for o in options[len(current) :]), options


# ---------------------------------------------------------------- 6. language and text
US_DATE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4}"
)
DANISH_STYLE_IN_ENGLISH = re.compile(
    r"\b\d{1,2}\. (January|February|March|April|May|June|July|August|September|October|November|December)"
)
BRITISH_DATE = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}"
)


async def test_english_pages_use_one_date_style(client, demo_ids, cookies_by_account):
    seen = 0
    for who, path in all_pages(demo_ids):
        response = await client.get(path, cookies={"sprog": "en", **(cookies_by_account[who] if who else {})})
        assert response.status_code == expected_status(path)
        text = soup_of(response).get_text(" ")
        assert not US_DATE.search(text), (who, path, US_DATE.search(text).group())
        assert not DANISH_STYLE_IN_ENGLISH.search(text), (who, path, DANISH_STYLE_IN_ENGLISH.search(text).group())
        seen += len(BRITISH_DATE.findall(text))
    assert seen > 10


@pytest.fixture(scope="module")
async def cookies_by_account(sign_in_as):
    subjects = {"beboer-tingbjerg", "beboer-ny", "partner-bibliotek", "fsb-medarbejder", "kommune-tmf", "lbf-tilsyn"}
    return {subject: await sign_in_as(subject) for subject in subjects}


async def test_week_headings_are_full_dates_in_the_language(client):
    for lang, pattern in (
        ("da", r"^(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag) den \d{1,2}\. [a-zæøå]+ \d{4}$"),
        ("en", r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{1,2} [A-Z][a-z]+ \d{4}$"),
    ):
        soup = soup_of(await client.get("/aktiviteter/uge", cookies={"sprog": lang}))
        headings = [h.get_text(strip=True) for h in soup.select(".week-day h2")]
        assert len(headings) == 7 and all(re.match(pattern, h) for h in headings), headings


async def test_codes_and_danish_data_words_are_translated(client, demo_ids):
    activity = soup_of(await client.get(f"/aktiviteter/{demo_ids['library_activity']}", cookies={"sprog": "en"}))
    facts = {dt.get_text(strip=True): dt.find_next("dd").get_text(strip=True) for dt in activity.select("dl dt")}
    assert "Arabic" in facts["Languages"] and "ar" not in facts["Languages"].split(", "), facts
    danish = soup_of(await client.get(f"/aktiviteter/{demo_ids['library_activity']}", cookies={"sprog": "da"}))
    facts_da = {dt.get_text(strip=True): dt.find_next("dd").get_text(strip=True) for dt in danish.select("dl dt")}
    assert "arabisk" in facts_da["Sprog"], facts_da
    meta = activity.select_one("main .meta").get_text()
    assert "Uddannelse" not in meta and "Education" in meta, meta
    group = soup_of(await client.get(f"/foelgegrupper/{demo_ids['group']}", cookies={"sprog": "en"}))
    roles = {span.get_text(strip=True) for span in group.select("ul li span.meta")}
    assert "(chair)" in roles and not roles & {"(formand)", "(medlem)"}, roles


async def test_no_two_columns_share_a_heading_and_chart_labels_are_whole(client, demo_ids, cookies_by_account):
    for lang in ("da", "en"):
        soup = soup_of(
            await client.get(
                f"/medarbejder/planer/{demo_ids['plan']}",
                cookies={"sprog": lang, **cookies_by_account["fsb-medarbejder"]},
            )
        )
        for table in soup.select("table"):
            headings = [th.get_text(strip=True) for th in table.select("thead th")]
            assert len(headings) == len(set(headings)), headings
        names = [td.get_text(strip=True) for td in soup.select("table")[0].select("tbody tr td:nth-of-type(2)")]
        labels = [t.get_text() for t in soup.select("svg g text")]
        assert not any(label.endswith("...") or label.endswith("…") for label in labels), labels
        for name in names:
            indicator = name.rsplit(" (", 1)[0]
            assert any(indicator in label for label in labels), (indicator, labels)


async def test_auth_pages_lead_into_the_portal(client):
    login = await client.get("/auth/login")
    assert login.status_code == 303 and login.headers["location"].startswith("/log-ind")
    out = await client.get("/auth/signed-out")
    assert out.status_code == 303 and out.headers["location"] == "/?besked=logget-ud"
    page = await client.get(out.headers["location"], cookies={"sprog": "en"})
    assert "You are signed out" in page.text or "signed out" in page.text.lower()


async def test_residents_words_keep_their_direction_and_language(client, demo_ids, cookies):
    soup = soup_of(await client.get(f"/foelgegrupper/{demo_ids['group']}", cookies=cookies["beboer-tingbjerg"]))
    texts = soup.select(".card-list .user-text")
    assert texts and all(t.get("dir") == "auto" for t in texts)
    own = soup.find(id="own-heading").find_parent("section").select(".card-list > li > p.user-text")
    assert own and all(t.get("lang") for t in own)


async def test_accessibility_statement_has_the_parts_of_the_model(client):
    for lang in ("da", "en"):
        soup = soup_of(await client.get("/tilgaengelighed", cookies={"sprog": lang}))
        main = soup.find("main") or soup
        assert main.find("time", attrs={"datetime": re.compile(r"^\d{4}-\d\d-\d\d$")})  # its date
        assert main.find(id="scope-heading") and main.find(id="status-heading")  # scope, compliance status
        status = main.find(id="status-heading").find_parent("section")
        assert len(status.select("h3 + ul")[-1].find_all("li")) >= 1  # known deviations
        assert main.find("a", href=re.compile(r"^mailto:"))  # feedback contact
        assert main.find("a", href="https://www.was.digst.dk/")  # the complaint body
