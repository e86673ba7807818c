"""Relay global ids: base64 of "Type:pk", so a client never builds ids from table keys."""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache
from typing import overload

from graphql import GraphQLError

from backend.ids import global_id as _global_id

# Primary keys are INTEGER columns: PostgreSQL's range is the narrower one.
PK_MAX = 2**31 - 1
# Canonical digits only: ASCII, no sign, no leading zeros, no spaces (str.isdigit() also takes "١" or "²").
_CANONICAL_PK = re.compile(r"0|[1-9][0-9]{0,9}")


def parse_pk(text: str) -> int:
    """The primary key written in an id or cursor; ValueError unless canonical and in the database's range."""
    if not _CANONICAL_PK.fullmatch(text):
        raise ValueError(text)
    pk = int(text)
    if pk > PK_MAX:
        raise ValueError(text)
    return pk


@lru_cache(maxsize=65536)  # the most frequent field of all: a deep answer has a thousand ids
def encode(type_name: str, pk: int) -> str:
    return _global_id(type_name, pk)


def decode(global_id: str, *expected_types: str) -> tuple[str, int]:
    """The (type name, primary key) behind a global id.

    Every id argument passes here (node, filters, mutations' inputs through schema/errors.pk_of).
    Raises a GraphQLError with code INVALID_ID when the id is malformed, its number is not canonical
    ASCII digits within the database's integer range, or it names another type than the expected
    ones (none given: any type).
    """
    try:
        raw = base64.b64decode(str(global_id).encode("ascii"), validate=True).decode("ascii")
        type_name, _, pk_text = raw.partition(":")
        if not type_name:
            raise ValueError
        pk = parse_pk(pk_text)
    except (ValueError, UnicodeError, binascii.Error):
        raise GraphQLError(
            f"Invalid id {str(global_id)[:60]!r}: not a global id (the type and a number from 0 to {PK_MAX}).",
            extensions={"code": "INVALID_ID"},
        ) from None
    if expected_types and type_name not in expected_types:
        raise GraphQLError(
            f"Invalid id {str(global_id)[:60]!r}: expected an id of {' or '.join(expected_types)}, got {type_name}.",
            extensions={"code": "INVALID_ID"},
        )
    return type_name, pk


@overload
def decode_pk(global_id: str, *expected_types: str) -> int: ...
@overload
def decode_pk(global_id: str | None, *expected_types: str) -> int | None: ...
def decode_pk(global_id: str | None, *expected_types: str) -> int | None:
    """The primary key of an optional global id of one of the expected types."""
    if global_id is None:
        return None
    return decode(global_id, *expected_types)[1]
