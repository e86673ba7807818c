"""Rows to plain objects: a GraphQL type's dataclass fields are filled straight from selected columns.

The read path never builds ORM instances: `columns(Type, Model)` selects exactly the type's stored
fields (its `pk` is the model's `id`), and `build(Type, row)` fills an instance without validation.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any


@cache
def field_names(type_cls: type) -> tuple[str, ...]:
    """The stored (constructor) fields of a GraphQL type, in declaration order."""
    return tuple(f.name for f in dataclasses.fields(type_cls) if f.init)


def columns(type_cls: type, model: type, **overrides: Any) -> list:
    """Labelled columns of `model` for each stored field of `type_cls` (overrides: joined columns)."""
    out = []
    for name in field_names(type_cls):
        if name in overrides:
            out.append(overrides[name].label(name))
        else:
            out.append(getattr(model, "id" if name == "pk" else name).label(name))
    return out


def build(type_cls: type, row: Any) -> Any:
    """An instance of `type_cls` from a row selected with `columns` (extra trailing columns ignored)."""
    obj = object.__new__(type_cls)
    obj.__dict__.update(zip(field_names(type_cls), row))
    return obj


def build_all(type_cls: type, rows) -> list:
    names = field_names(type_cls)
    out = []
    for row in rows:
        obj = object.__new__(type_cls)
        obj.__dict__.update(zip(names, row))
        out.append(obj)
    return out
