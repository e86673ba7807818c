"""The public cache decides "anonymous" from the credentials the auth layer parses, never from raw
header bytes: a signed-in answer must never be stored and served to someone who is not signed in.

Each case sends a staff member's real session (or a token) in a spelling that Starlette still parses,
then the same body anonymously; the anonymous caller must get the anonymous answer.
"""

from __future__ import annotations

import httpx
import pytest

from tests.frontend.conftest import session_cookie_for

VIEWER = "query CacheProbe%d { viewer { kind } }"


def _variants(raw: str) -> dict[str, list[tuple[str, str]]]:
    return {
        "space before =": [("cookie", f"hp_session ={raw}")],
        "tab before =": [("cookie", f"hp_session\t={raw}")],
        "spaces around =": [("cookie", f"hp_session  =  {raw}")],
        "quoted value": [("cookie", f'hp_session="{raw}"')],
        "among several cookies": [("cookie", f"lang=da; hp_session ={raw}; theme=dark")],
        "first of two Cookie headers": [("cookie", f"hp_session ={raw}"), ("cookie", "lang=da")],
        "second of two Cookie headers": [("cookie", "lang=da"), ("cookie", f"hp_session ={raw}")],
        "plain spelling": [("cookie", f"hp_session={raw}")],
    }


VARIANTS = list(_variants("x"))


@pytest.mark.parametrize("variant", VARIANTS)
async def test_a_signed_in_answer_is_never_served_to_an_anonymous_caller(client, variant):
    raw = await session_cookie_for("fsb-medarbejder")
    headers = _variants(raw)[variant]
    body = {"query": VIEWER % VARIANTS.index(variant)}
    signed_in = await client.post("/graphql", json=body, headers=httpx.Headers(headers))
    assert signed_in.status_code == 200, signed_in.text
    # Whatever Starlette made of the header, the cache must agree with it; then an anonymous caller
    # asks the same thing and must not get a staff member's answer.
    anonymous = await client.post("/graphql", json=body)
    assert anonymous.json() == {"data": {"viewer": None}}, (variant, anonymous.text)


@pytest.mark.parametrize("authorization", ["", "Bearer", "Bearer ", "Bearer not.a.token", "Basic eA=="])
async def test_any_authorization_header_is_answered_by_the_server_not_the_cache(client, authorization):
    body = {"query": "query CacheProbeAuth { viewer { kind } }"}
    assert (await client.post("/graphql", json=body)).json() == {"data": {"viewer": None}}  # now cached
    answer = await client.post("/graphql", json=body, headers={"Authorization": authorization})
    assert answer.status_code == 401, (authorization, answer.status_code, answer.text)
