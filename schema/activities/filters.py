"""The activity filter: an input type, a hashable key for loaders, and its SQL conditions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import strawberry
from graphql import GraphQLError
from sqlalchemy import ColumnElement, String, and_, cast, exists, or_
from sqlmodel import col

from backend import models as m
from schema.enums import ActivityStatus
from schema.ids import decode_pk
from schema.scalars import to_utc


@strawberry.input(description="Narrows a list of activities; all given conditions must hold.")
class ActivityFilter:
    urban_area_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only activities of plans in this urban area."
    )
    plan_id: strawberry.ID | None = strawberry.field(default=None, description="Only activities of this plan.")
    focus_area_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only activities of this focus area."
    )
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only activities this partner takes part in."
    )
    status: ActivityStatus | None = strawberry.field(default=None, description="Only activities with this status.")
    target_group: str | None = strawberry.field(
        default=None, description="Only activities whose target group contains this text."
    )
    occurs_from: datetime | None = strawberry.field(
        default=None, description="Only activities with a non-cancelled occurrence that ends after this time."
    )
    occurs_to: datetime | None = strawberry.field(
        default=None, description="Only activities with a non-cancelled occurrence that starts before this time."
    )
    search: str | None = strawberry.field(
        default=None, description="Only activities whose title or description contains this text."
    )
    language: str | None = strawberry.field(
        default=None, description="Only activities offered in this language (a code, e.g. ar, so, tr, ur)."
    )


@dataclass(frozen=True)
class FilterKey:
    urban_area_id: int | None = None
    plan_id: int | None = None
    focus_area_id: int | None = None
    partner_id: int | None = None
    status: m.ActivityStatus | None = None
    target_group: str | None = None
    occurs_from: datetime | None = None
    occurs_to: datetime | None = None
    search: str | None = None
    language: str | None = None


NO_FILTER = FilterKey()


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:200] or None


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


def _language(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _LANGUAGE_CODE.fullmatch(value):
        raise GraphQLError(
            "language: a language code such as ar, so, tr or ur", extensions={"code": "INVALID_LANGUAGE"}
        )
    return value


def filter_key(f: ActivityFilter | None) -> FilterKey:
    """The filter with decoded ids (a bad id is a clear GraphQL error) and normalised values."""
    if f is None:
        return NO_FILTER
    return FilterKey(
        urban_area_id=decode_pk(f.urban_area_id, "UrbanArea"),
        plan_id=decode_pk(f.plan_id, "Plan"),
        focus_area_id=decode_pk(f.focus_area_id, "FocusArea"),
        partner_id=decode_pk(f.partner_id, "Partner"),
        status=f.status,
        target_group=_text(f.target_group),
        occurs_from=to_utc(f.occurs_from) if f.occurs_from else None,
        occurs_to=to_utc(f.occurs_to) if f.occurs_to else None,
        search=_text(f.search),
        language=_language(f.language),
    )


def conditions(key: FilterKey) -> list[ColumnElement[bool]]:
    """SQL conditions on Activity (and Plan, which the caller joins) for a filter key."""
    A = m.Activity
    out: list[ColumnElement[bool]] = []
    if key.urban_area_id is not None:
        out.append(col(m.Plan.urban_area_id) == key.urban_area_id)
    if key.plan_id is not None:
        out.append(col(A.plan_id) == key.plan_id)
    if key.focus_area_id is not None:
        out.append(col(A.focus_area_id) == key.focus_area_id)
    if key.partner_id is not None:
        out.append(
            exists().where(
                col(m.ActivityPartner.activity_id) == col(A.id), col(m.ActivityPartner.partner_id) == key.partner_id
            )
        )
    if key.status is not None:
        out.append(col(A.status) == key.status)
    if key.target_group:
        out.append(col(A.target_group).icontains(key.target_group, autoescape=True))
    if key.occurs_from is not None or key.occurs_to is not None:
        Occ = m.Occurrence
        in_range = [col(Occ.activity_id) == col(A.id), col(Occ.cancelled).is_(False)]
        if key.occurs_from is not None:
            in_range.append(col(Occ.ends_at) > key.occurs_from)
        if key.occurs_to is not None:
            in_range.append(col(Occ.starts_at) < key.occurs_to)
        out.append(exists().where(and_(*in_range)))
    if key.search:
        out.append(
            or_(
                col(A.title).icontains(key.search, autoescape=True),
                col(A.description).icontains(key.search, autoescape=True),
            )
        )
    if key.language:
        # The languages are a JSON list (JSONB on PostgreSQL); both render it as ["da", "ar"] in text.
        out.append(cast(col(A.languages), String).contains(f'"{key.language}"', autoescape=True))
    return out
