"""Relay global ids: base64 of "Type:pk", so a client never builds ids from table keys."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from graphql import GraphQLError


@lru_cache(maxsize=65536)  # the most frequent field of all: a deep answer has a thousand ids
def encode(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def decode(global_id: str, *expected_types: str) -> tuple[str, int]:
    """The (type name, primary key) behind a global id.

    Raises a GraphQLError with code BAD_ID when the id is malformed or names another type than
    the expected ones (none given: any type).
    """
    try:
        raw = base64.b64decode(str(global_id).encode("ascii"), validate=True).decode("utf-8")
        type_name, _, pk_text = raw.partition(":")
        if not type_name or not pk_text.isdigit():
            raise ValueError
        pk = int(pk_text)
    except (ValueError, UnicodeError, binascii.Error):
        raise GraphQLError(f"Invalid id {str(global_id)[:60]!r}: not a global id.", extensions={"code": "BAD_ID"})
    if expected_types and type_name not in expected_types:
        raise GraphQLError(
            f"Invalid id {str(global_id)[:60]!r}: expected an id of {' or '.join(expected_types)}, got {type_name}.",
            extensions={"code": "BAD_ID"},
        )
    return type_name, pk


def decode_pk(global_id: str | None, *expected_types: str) -> int | None:
    """The primary key of an optional global id of one of the expected types."""
    if global_id is None:
        return None
    return decode(global_id, *expected_types)[1]
