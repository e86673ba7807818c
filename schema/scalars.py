"""Scalar overrides: DateTime always carries its offset (SQLite hands back naive UTC values)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import dateutil.parser
from strawberry.types.scalar import ScalarDefinition

from schema.engine_internals import DateTimeDefinition, wrap_parser


def to_utc(value: dt.datetime) -> dt.datetime:
    """An aware datetime in UTC; a naive one is taken to be UTC already (how the database keeps them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _serialize(value: dt.datetime) -> str:
    return to_utc(value).isoformat()


def _parse(text: str) -> dt.datetime:
    return to_utc(dateutil.parser.isoparse(text))


DateTimeUTC = dataclasses.replace(
    DateTimeDefinition,
    description="A point in time, ISO 8601 with offset (UTC when read; an input without offset is taken as UTC).",
    serialize=_serialize,
    parse_value=wrap_parser(_parse, "DateTime"),
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.datetime: DateTimeUTC}
