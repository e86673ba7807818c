"""Typed errors of mutation payloads, and the one way a mutation runs.

Every mutation has its own payload `{ <object> errors { field code message messageEn } }` and its own
error type with an enum of the codes it can answer (`payload_types`). `run_mutation` runs the service
in the request's single transaction (`Context.write()`): a ServiceError rolls everything back and is
answered in `errors`, never as a 500; on success the object is read back as the actor may see it.
"""

# No `from __future__ import annotations` here: the payload classes are built at runtime and
# their annotations must be the real types.

import enum
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Optional

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError

from backend.services import FieldError, ServiceError
from backend.services.errors import CODES, conflict
from schema.ids import decode, encode
from schema.node import resolve_node

log = logging.getLogger(__name__)

# Codes every payload may answer: any input can be missing, malformed, too long or point nowhere.
COMMON_CODES = ("REQUIRED", "INVALID", "INVALID_TEXT", "TOO_LONG", "NOT_FOUND", "CONFLICT")

CODE_DESCRIPTIONS_DA = {
    "REQUIRED": "Feltet skal udfyldes.",
    "NOT_FOUND": "Findes ikke, eller du har ikke adgang.",
}


def error_type(name: str, codes: Iterable[str]):
    """`{name}Error` with its own enum `{name}ErrorCode`."""
    all_codes = list(dict.fromkeys([*COMMON_CODES, *codes]))
    unknown = [c for c in all_codes if c not in CODES]
    if unknown:
        raise ValueError(f"{name}: unknown error codes {unknown}")
    code_enum = enum.Enum(f"{name}ErrorCode", {c: c for c in all_codes})
    strawberry.enum(code_enum, description=f"What can be wrong with the input of {name[0].lower() + name[1:]}.")
    for value in code_enum.__strawberry_definition__.values:
        text = CODES[value.name]
        value.description = text[0].upper() + text[1:] + "."

    class Error:
        field: str | None = strawberry.field(
            description="The input field the error is about (camelCase, e.g. body or lines[0].budget); null: the whole input."
        )
        code: code_enum = strawberry.field(description="What is wrong, as a code a client can act on.")
        message: str = strawberry.field(description="What is wrong, in Danish, for the person using the client.")
        message_en: str = strawberry.field(description="What is wrong, in English.")

    Error.__name__ = f"{name}Error"
    Error.__qualname__ = Error.__name__
    error_cls = strawberry.type(Error, name=f"{name}Error", description=f"An error in the input of {name}.")
    error_cls.code_enum = code_enum
    return error_cls


def payload_types(
    name: str,
    field_name: str | None,
    field_type: Any,
    codes: Iterable[str],
    *,
    field_description: str,
    many: bool = False,
):
    """`{name}Payload` holding the changed object (null on error) and `errors` (empty on success)."""
    error_cls = error_type(name, codes)
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    if field_name:
        annotations[field_name] = Optional[list[field_type]] if many else Optional[field_type]
        namespace[field_name] = strawberry.field(default=None, description=field_description)
    annotations["errors"] = list[error_cls]
    namespace["errors"] = strawberry.field(
        default_factory=list, description="What was wrong with the input; empty when the mutation succeeded."
    )
    cls = type(f"{name}Payload", (), namespace)
    payload_cls = strawberry.type(
        cls, name=f"{name}Payload", description=f"The result of {name[0].lower() + name[1:]}."
    )
    payload_cls.error_cls = error_cls
    payload_cls.object_field = field_name
    return payload_cls


def to_errors(error_cls, failure: ServiceError) -> list:
    out = []
    for e in failure.errors:
        try:
            code = error_cls.code_enum[e.code]
        except KeyError:  # a code the payload does not declare: say INVALID rather than fail
            log.error("error code %s not declared by %s", e.code, error_cls.__name__)
            code = error_cls.code_enum["INVALID"]
        out.append(error_cls(field=e.field, code=code, message=e.message_da, message_en=e.message_en))
    return out


# A key no row has: a malformed id, or an id of another type, then reaches the service like the id
# of an absent object, so the answer (NOT_FOUND with the service's own message) is exactly the same.
NO_SUCH_PK = 0


def pk_of(field: str, global_id: str | None, *types: str, required: bool = True) -> int | None:
    """The primary key behind an input id (NO_SUCH_PK when it is malformed or of another type)."""
    if global_id is None or global_id == "":
        return NO_SUCH_PK if required else None
    try:
        return decode(global_id, *types)[1]
    except GraphQLError:
        return NO_SUCH_PK


def typed_id_of(field: str, global_id: str | None, *types: str) -> tuple[str, int] | None:
    if global_id is None or global_id == "":
        return None
    try:
        return decode(global_id, *types)
    except GraphQLError:
        return (types[0], NO_SUCH_PK)


async def visible(context, type_name: str, pk: int | None):
    """The object as the actor may see it now (None when not visible), read after the write."""
    if pk is None:
        return None
    return await resolve_node(context, encode(type_name, pk))


async def run_mutation(
    info,
    payload_cls,
    work: Callable[..., Awaitable[Any]],
    read_back: Callable[[Any, Any], Awaitable[Any]] | None = None,
):
    """Run `work(session, actor)` in one transaction; answer ServiceErrors in the payload's `errors`.

    `read_back(context, result)` turns the service's result into the payload's object.
    """
    context = info.context
    try:
        async with context.write() as session:
            result = await work(session, context.actor)
    except ServiceError as failure:
        return payload_cls(errors=to_errors(payload_cls.error_cls, failure))
    except IntegrityError:
        # A constraint the services could not check in advance (a concurrent write won): rolled back.
        log.info("mutation %s lost a race on a constraint", payload_cls.__name__)
        return payload_cls(errors=to_errors(payload_cls.error_cls, conflict()))
    value = await read_back(context, result) if read_back else None
    if payload_cls.object_field:
        return payload_cls(**{payload_cls.object_field: value}, errors=[])
    return payload_cls(errors=[])


__all__ = ["FieldError", "payload_types", "run_mutation", "pk_of", "typed_id_of", "visible", "to_errors"]
