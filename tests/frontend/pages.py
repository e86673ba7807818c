"""The portal's pages per kind of visitor, shared by the HTML checks, axe-core and the no-JavaScript run."""

from __future__ import annotations

# (demo account or None, paths); paths may use {ids} from the demo_ids fixture.
PAGES: list[tuple[str | None, list[str]]] = [
    (
        None,
        [
            "/",
            "/?q=Tingbjerg",
            "/aktiviteter",
            "/aktiviteter?q=lektie",
            "/aktiviteter?fra=ikke-en-dato",
            "/aktiviteter?til=9999-12-31",
            "/aktiviteter/uge",
            "/aktiviteter/uge?uge=9999-12-31",
            "/aktiviteter/{library_activity}",
            "/omraader/{area}",
            "/planer/{plan}",
            "/foelgegrupper/{group}",
            "/tilgaengelighed",
            "/log-ind",
            "/post/bekraeft/et-link-fra-en-e-mail",
            "/post/afmeld/{unsubscribe_token}",
            "/udvikling/post",
            "/findes-ikke",
        ],
    ),
    (
        "beboer-tingbjerg",
        [
            "/",
            "/foelgegrupper/{group}",
            "/min-side",
            "/min-side/slet",
            "/min-side/input/{own_open_input}/ret",
            "/min-side/input/{own_open_input}/traek-tilbage",
            "/min-side/notifikationer",
            "/min-side/notifikationer?vis=ulaeste",
            "/aktiviteter/{library_activity}",
        ],
    ),
    ("beboer-ny", ["/min-side", "/foelgegrupper/{group}"]),
    (
        "partner-bibliotek",
        [
            "/partner",
            "/partner/aktiviteter/{library_activity}",
            "/aktiviteter/{library_activity}",
            "/min-side/notifikationer",
        ],
    ),
    (
        "fsb-medarbejder",
        [
            "/medarbejder/bestyrelser",
            "/medarbejder/bestyrelser/{city_board}",
            "/medarbejder/rapporter",
            "/medarbejder/indbakke",
            "/medarbejder/indbakke?status=RECEIVED&fra=2000-01-01&til=2100-12-31",
            "/medarbejder/indbakke?fra=ikke-en-dato",
            "/medarbejder/indbakke/{own_open_input}",
            "/medarbejder/planer",
            "/medarbejder/planer/{plan}",
            "/partner/aktiviteter/{library_activity}",
            "/min-side",
            "/min-side/notifikationer",
        ],
    ),
    (
        "kommune-tmf",
        [
            "/",
            "/medarbejder/graphql-eksempler",
            "/medarbejder/indbakke",
            "/medarbejder/indbakke/{own_open_input}",
            "/medarbejder/planer/{plan}",
            "/medarbejder/beslutninger",
            "/medarbejder/bestyrelser",
            "/medarbejder/bestyrelser/{city_board}",
            "/medarbejder/bestyrelser/{plan_board}",
        ],
    ),
    (
        "lbf-tilsyn",
        [
            "/medarbejder/planer",
            "/medarbejder/planer/{plan}",
            "/medarbejder/graphql-eksempler",
            "/medarbejder/beslutninger",
            "/medarbejder/rapporter",
            "/medarbejder/rapporter/{plan}/{this_year}",
            "/medarbejder/bestyrelser/{plan_board}",
            "/min-side/notifikationer",
        ],
    ),
]

NOT_FOUND = {"/findes-ikke"}
BAD_REQUEST = {
    "/aktiviteter?fra=ikke-en-dato",
    "/aktiviteter?til=9999-12-31",
    "/aktiviteter/uge?uge=9999-12-31",
    "/medarbejder/indbakke?fra=ikke-en-dato",
}


def expected_status(path: str) -> int:
    return 404 if path in NOT_FOUND else 400 if path in BAD_REQUEST else 200


def all_pages(ids: dict) -> list[tuple[str | None, str]]:
    return [(who, path.format(**ids)) for who, paths in PAGES for path in paths]
