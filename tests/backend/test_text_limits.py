"""Text limits are written once, at the model (`Field(max_length=...)`), and read from there by the
services' checks, the portal's forms and the API's caps."""

from __future__ import annotations

import contextlib

import pytest
from sqlmodel import SQLModel

from backend.models import Agreement, Plan, ResidentInput, max_length
from frontend.forms import LIMITS
from schema import limits


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _text_limits() -> list[tuple[str, str, int]]:
    found = []
    for mapper in SQLModel._sa_registry.mappers:
        model = mapper.class_
        for field in model.model_fields:
            with contextlib.suppress(LookupError):
                found.append((model.__name__, field, max_length(model, field)))
    return found


def test_max_length_reads_the_models_field():
    assert max_length(ResidentInput, "title") == ResidentInput.__table__.c.title.type.length
    with pytest.raises(LookupError):
        max_length(Plan, "start_date")


def test_long_texts_have_a_limit_but_no_length_in_the_database():
    # Documents grow: the column stays unbounded (no migration), the services check the limit.
    assert max_length(Plan, "summary") > 0 and Plan.__table__.c.summary.type.length is None
    assert max_length(Agreement, "body") > 0 and Agreement.__table__.c.body.type.length is None


def test_no_text_the_services_accept_is_refused_by_the_apis_cap():
    """The API's generic cap on a text argument (schema/limits.py) is never tighter than what the model
    holds, so a text within the model's limit is never refused before the service can check it."""
    over = [
        f"{model}.{field}: {length} > {limits.text_limit(_camel(field))}"
        for model, field, length in _text_limits()
        if length > limits.text_limit(_camel(field))
    ]
    assert over == []


def test_the_forms_take_the_models_limits():
    assert LIMITS["input_title"] == max_length(ResidentInput, "title")
    assert LIMITS["input_body"] == max_length(ResidentInput, "body")
