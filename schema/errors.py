"""Typed errors of mutation payloads, and the one way a mutation runs.

Every mutation is declared with `@mutation(...)` on the function that calls its service: it gets its
own payload `{ <object> errors { field code message messageEn } }` and its own error type with an enum
of the codes it can answer (`payload_types`). `run_mutation` runs the service in the request's single
transaction (`Context.write()`): a ServiceError rolls everything back and is answered in `errors`,
never as a 500; on success the object is read back as the actor may see it.
"""

# No `from __future__ import annotations` here: the payload classes are built at runtime and
# their annotations must be the real types.

import enum
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, Optional, Protocol, TypeVar, cast, overload

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from backend.actor import Actor
from backend.services import FieldError, ServiceError
from backend.services.errors import CODES, EditConflict, conflict
from backend.services.validation import UNSET, Unset
from schema.context import Context
from schema.enums import ActorKind
from schema.ids import decode, encode
from schema.node import resolve_node

log = logging.getLogger(__name__)

T = TypeVar("T")
InputT = TypeVar("InputT")
ResultT = TypeVar("ResultT")

# Codes every payload may answer: any input can be missing, malformed, too long or point nowhere.
COMMON_CODES = ("REQUIRED", "INVALID", "INVALID_TEXT", "TOO_LONG", "NOT_FOUND", "CONFLICT")

CODE_DESCRIPTIONS_DA = {
    "REQUIRED": "Feltet skal udfyldes.",
    "NOT_FOUND": "Findes ikke, eller du har ikke adgang.",
}


@strawberry.type(
    name="EditConflict",
    description="Why a change was refused with CONFLICT: the object moved on from the version the change "
    "started from (its expectedVersion). Nothing was stored; fetch it again and save on top of it.",
)
class EditConflictType:
    current_version: int = strawberry.field(description="The version stored now.")
    changed_by: ActorKind | None = strawberry.field(
        description="The role of whoever changed it last (never who); null: the system."
    )
    changed_at: datetime | None = strawberry.field(description="When it was changed last (null: not known).")


def expected_version(name: str = "version") -> Any:
    """The optional input field of every change to an edited object (typed Any: a strawberry.field fits
    every annotation); `name` is the object's counter, `revision` for agreements."""
    return strawberry.field(
        default=None,
        description=f"The {name} the change starts from (the object's `{name}` as you fetched it). When the object "
        f"has changed since, nothing is stored and the answer is CONFLICT with its current {name}; "
        "null: change whatever is stored now.",
    )


def to_conflict(conflict: EditConflict | None) -> EditConflictType | None:
    if conflict is None:
        return None
    return EditConflictType(
        current_version=conflict.current_version, changed_by=conflict.changed_by, changed_at=conflict.changed_at
    )


class ErrorType(Protocol):
    """A `{name}Error` class that `error_type` made: its codes are `code_enum`."""

    code_enum: type[enum.Enum]
    __name__: str

    def __call__(
        self,
        *,
        field: str | None,
        code: enum.Enum,
        message: str,
        message_en: str,
        conflict: EditConflictType | None = None,
    ) -> object: ...


def error_type(name: str, codes: Iterable[str]) -> ErrorType:
    """`{name}Error` with its own enum `{name}ErrorCode`."""
    all_codes = list(dict.fromkeys([*COMMON_CODES, *codes]))
    unknown = [c for c in all_codes if c not in CODES]
    if unknown:
        raise ValueError(f"{name}: unknown error codes {unknown}")
    code_enum = enum.Enum(f"{name}ErrorCode", {c: c for c in all_codes})  # type: ignore[misc]  # built from the codes at runtime
    strawberry.enum(code_enum, description=f"What can be wrong with the input of {name[0].lower() + name[1:]}.")
    for value in code_enum.__strawberry_definition__.values:  # type: ignore[attr-defined]  # set by strawberry.enum
        text = CODES[value.name]
        value.description = text[0].upper() + text[1:] + "."

    class Error:
        field: str | None = strawberry.field(
            description="The input field the error is about (camelCase, e.g. body or lines[0].budget); "
            "null: the whole input."
        )
        code: code_enum = strawberry.field(description="What is wrong, as a code a client can act on.")
        message: str = strawberry.field(description="What is wrong, in Danish, for the person using the client.")
        message_en: str = strawberry.field(description="What is wrong, in English.")
        conflict: EditConflictType | None = strawberry.field(
            default=None,
            description="With code CONFLICT from an out-of-date change: its version now and who changed it.",
        )

    Error.__name__ = f"{name}Error"
    Error.__qualname__ = Error.__name__
    error_cls = strawberry.type(Error, name=f"{name}Error", description=f"An error in the input of {name}.")
    error_cls.code_enum = code_enum  # type: ignore[attr-defined]  # read by to_errors
    return cast(ErrorType, error_cls)  # Error, with code_enum set just above


class PayloadType(Protocol):
    """A `{name}Payload` class that `payload_types` made."""

    error_cls: ErrorType
    object_field: str | None
    __name__: str

    def __call__(self, **fields: object) -> object: ...


def payload_types(
    name: str,
    field_name: str | None,
    field_type: object,
    codes: Iterable[str],
    *,
    field_description: str,
    many: bool = False,
) -> PayloadType:
    """`{name}Payload` holding the changed object (null on error) and `errors` (empty on success)."""
    error_cls = error_type(name, codes)
    annotations: dict[str, object] = {}
    namespace: dict[str, object] = {"__annotations__": annotations}
    if field_name:
        # A GraphQL type given at runtime, so mypy cannot check it as a type.
        annotations[field_name] = Optional[list[field_type]] if many else Optional[field_type]  # type: ignore[valid-type]  # noqa: UP045 - a runtime value: X | None is not defined for every GraphQL type
        namespace[field_name] = strawberry.field(default=None, description=field_description)
    annotations["errors"] = list[error_cls]  # type: ignore[valid-type]  # built at runtime
    namespace["errors"] = strawberry.field(
        default_factory=list, description="What was wrong with the input; empty when the mutation succeeded."
    )
    cls = type(f"{name}Payload", (), namespace)
    payload_cls = strawberry.type(
        cls, name=f"{name}Payload", description=f"The result of {name[0].lower() + name[1:]}."
    )
    payload_cls.error_cls = error_cls  # type: ignore[attr-defined]  # read by run_mutation
    payload_cls.object_field = field_name  # type: ignore[attr-defined]  # read by run_mutation
    return cast(PayloadType, payload_cls)  # the class, with error_cls and object_field set just above


def to_errors(error_cls: ErrorType, failure: ServiceError) -> list[object]:
    out = []
    for e in failure.errors:
        try:
            code = error_cls.code_enum[e.code]
        except KeyError:  # a code the payload does not declare: say INVALID rather than fail
            log.error("error code %s not declared by %s", e.code, error_cls.__name__)
            code = error_cls.code_enum["INVALID"]
        out.append(
            error_cls(
                field=e.field,
                code=code,
                message=e.message_da,
                message_en=e.message_en,
                conflict=to_conflict(e.conflict),
            )
        )
    return out


def given(value: T) -> T | Unset:
    """strawberry.UNSET (the field was not sent) -> the services' UNSET; None stays None (clear it)."""
    return UNSET if value is strawberry.UNSET else value


# A key no row has: a malformed id, or an id of another type, then reaches the service like the id
# of an absent object, so the answer (NOT_FOUND with the service's own message) is exactly the same.
NO_SUCH_PK = 0


@overload
def pk_of(field: str, global_id: str | None, *types: str, required: Literal[True] = True) -> int: ...


@overload
def pk_of(field: str, global_id: str | None, *types: str, required: bool) -> int | None: ...


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


async def visible(context: Context, type_name: str, pk: int | None) -> object:
    """The object as the actor may see it now (None when not visible), read after the write."""
    if pk is None:
        return None
    return await resolve_node(context, encode(type_name, pk))


# What a mutation does: call its service in the transaction, `work(session, actor, input)`.
Work = Callable[[AsyncSession, Actor | None, InputT], Awaitable[ResultT]]
# How the service's result becomes the payload's object, after the commit.
ReadBack = Callable[[Context, ResultT], Awaitable[object]]


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


def read_back_as(type_name: str) -> ReadBack[HasId]:
    """The written row read back as the `type_name` object the actor may see (null when not)."""

    async def read_back(context: Context, row: HasId) -> object:
        return await visible(context, type_name, row.id)

    return read_back


async def as_is(_context: Context, value: object) -> object:
    """For a service whose result is already the payload's object."""
    return value


@dataclass(frozen=True)
class Answer(Generic[ResultT]):
    """What a mutation's payload holds on success: `field` of GraphQL type `type` (a list of it when
    `many`), made from the service's result by `read_back`."""

    field: str
    type: object
    description: str
    read_back: ReadBack[ResultT]
    many: bool = False


async def run_mutation(
    context: Context,
    payload_cls: PayloadType,
    work: Callable[[AsyncSession, Actor | None], Awaitable[ResultT]],
    read_back: ReadBack[ResultT],
) -> object:
    """Run `work(session, actor)` in one transaction; answer ServiceErrors in the payload's `errors`.

    The object is read back inside the same transaction, before it commits: the payload shows the state
    this write left (its new version), never a later write that another request committed meanwhile.
    """
    try:
        async with context.write() as session:
            result = await work(session, context.actor)
            value = await read_back(context, result)
    except ServiceError as failure:
        return payload_cls(errors=to_errors(payload_cls.error_cls, failure))
    except IntegrityError:
        # A constraint the services could not check in advance (a concurrent write won): rolled back.
        log.info("mutation %s lost a race on a constraint", payload_cls.__name__)
        return payload_cls(errors=to_errors(payload_cls.error_cls, conflict()))
    if payload_cls.object_field:
        return payload_cls(**{payload_cls.object_field: value}, errors=[])
    return payload_cls(errors=[])


def mutation(
    name: str,
    *,
    description: str,
    access: dict[str, Any],  # keyword arguments of strawberry.mutation: schema.permissions.checked(...)
    answer: Answer[ResultT],
    codes: Iterable[str] = (),
    input_description: str = "What to do.",
) -> Callable[[Work[InputT, ResultT]], StrawberryField]:
    """A mutation field `work.__name__` with argument `input` (the type `work` takes) and its own
    payload `{name}Payload` with error type `{name}Error`: the one way a mutation runs.

    The actor comes from the request; `work` calls the service in the request's one transaction;
    a ServiceError rolls everything back and is answered in `errors` with the payload's own codes
    (`codes` besides COMMON_CODES), never as a 500; on success `answer.read_back` makes the object.
    """

    def declare(work: Work[InputT, ResultT]) -> StrawberryField:
        payload_cls = payload_types(
            name, answer.field, answer.type, codes, field_description=answer.description, many=answer.many
        )
        given = inspect.signature(work, eval_str=True).parameters["input"]

        async def resolve(info: Info[Context, None], input: InputT) -> object:
            async def call(session: AsyncSession, actor: Actor | None) -> ResultT:
                return await work(session, actor, input)

            return await run_mutation(info.context, payload_cls, call, answer.read_back)

        # strawberry reads the argument and the payload type from the signature.
        resolve.__name__ = work.__name__
        resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]  # read by inspect.signature
            [
                inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info),
                given.replace(
                    annotation=Annotated[given.annotation, strawberry.argument(description=input_description)]
                ),
            ],
            return_annotation=payload_cls,
        )
        field: StrawberryField = strawberry.mutation(resolver=resolve, description=description, **access)
        return field

    return declare


__all__ = [
    "expected_version",
    "Answer",
    "FieldError",
    "given",
    "as_is",
    "mutation",
    "payload_types",
    "pk_of",
    "read_back_as",
    "to_errors",
    "typed_id_of",
    "visible",
]
