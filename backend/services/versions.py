"""Versions of the rows that are edited after they are created (`version`, on agreements `revision`).

Every write of such a row goes through `save`: the changed columns and the next version are written
in ONE statement, `UPDATE ... SET ..., version = version + 1 WHERE id = :id AND version = :expected`,
and the number of rows it touched decides. So of two updates that start from the same version exactly
one is stored, on SQLite (one writer at a time) and on PostgreSQL (the second UPDATE waits for the
first's row lock and then finds the version moved on). Without an expected version the write is
stored as before and still counts up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel, col

from backend.models import ActorKind, AuditEvent, pk
from backend.services.errors import EditConflict, FieldError, NotFound, ValidationFailed

# Who changed an object, as a role: never a name or an account.
ROLE_DA = {
    ActorKind.RESIDENT: "en beboer",
    ActorKind.HOUSING_ORGANISATION: "boligorganisationens medarbejdere",
    ActorKind.MUNICIPALITY: "kommunen",
    ActorKind.PARTNER: "en partner",
    ActorKind.FUND: "Landsbyggefonden",
}
ROLE_EN = {
    ActorKind.RESIDENT: "a resident",
    ActorKind.HOUSING_ORGANISATION: "housing organisation staff",
    ActorKind.MUNICIPALITY: "the municipality",
    ActorKind.PARTNER: "a partner",
    ActorKind.FUND: "Landsbyggefonden",
}


def counter_of(model: type[SQLModel]) -> str:
    """The column that counts a model's writes: `revision` where `version` already means something else."""
    return "revision" if "revision" in model.model_fields else "version"


async def expect(
    session: AsyncSession, row: SQLModel, expected_version: int | None, *, field: str | None = None
) -> None:
    """Refuse at once a change from a version the row has already left (as read by this transaction).

    Call it right after reading the row, before checking its state: a change that lost the race is then
    answered CONFLICT, not by whatever the winner's state makes of it (e.g. "already cancelled"). It does
    not replace `save`, whose statement decides when both read the same version."""
    if expected_version is not None and getattr(row, counter_of(type(row))) != expected_version:
        raise await conflict_of(session, type(row), pk(row), field=field)  # type: ignore[arg-type]  # every edited model has an id


async def save(
    session: AsyncSession,
    row: SQLModel,
    expected_version: int | None,
    *,
    field: str | None = None,
    audit_key: tuple[str, int] | None = None,
) -> int:
    """Write the row's changed attributes and its next version in one statement; the new version.

    `expected_version` is the version the caller's change started from (None: whatever is stored now).
    When the stored row has moved on, nothing is written and the conflict is raised (ValidationFailed
    with code CONFLICT, the current version and the role and time of the last write); `field` is the
    input's id field, for the NOT_FOUND of a row removed meanwhile; `audit_key` the (object type, id)
    its writes are logged under when not its own (a year's financing is logged per plan). Call it
    right after setting the attributes, before anything flushes the session.
    """
    model = type(row)
    counter = getattr(model, counter_of(model))
    state = inspect(row)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if state.attrs[attr.key].history.added:
            values[attr.key] = getattr(row, attr.key)
    # The ORM must not flush these itself (a plain UPDATE without the check): they count as stored
    # now; if the statement below is refused, the transaction rolls back and the row with it.
    for key, value in values.items():
        set_committed_value(row, key, value)
    row_id = pk(row)  # type: ignore[arg-type]  # every edited model has an integer id
    statement = (
        update(model)
        .where(col(model.id) == row_id)  # type: ignore[attr-defined]  # every edited model has an id
        .values(**values, **{counter.key: counter + 1})
        .returning(counter)
    )
    if expected_version is not None:
        statement = statement.where(counter == expected_version)
    new_version = (
        await session.execute(statement, execution_options={"synchronize_session": False})
    ).scalar_one_or_none()
    if new_version is None:
        raise await conflict_of(session, model, row_id, field=field, audit_key=audit_key)
    set_committed_value(row, counter.key, new_version)
    return int(new_version)


async def conflict_of(
    session: AsyncSession,
    model: type[SQLModel],
    row_id: int,
    *,
    field: str | None = None,
    audit_key: tuple[str, int] | None = None,
) -> ValidationFailed:
    """The refusal of an update that started from an old version: the version now stored, and the role
    and time of the last write (from the audit log)."""
    counter = getattr(model, counter_of(model))
    current = (await session.execute(select(counter).where(col(model.id) == row_id))).scalar_one_or_none()  # type: ignore[attr-defined]  # every edited model has an id
    if current is None:  # removed meanwhile
        raise NotFound(field)
    object_type, object_id = audit_key or (model.__name__, row_id)
    last = (
        await session.execute(
            select(col(AuditEvent.actor_kind), col(AuditEvent.at))
            .where(col(AuditEvent.object_type) == object_type, col(AuditEvent.object_id) == object_id)
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        )
    ).first()
    changed_by: ActorKind | None = last[0] if last else None
    changed_at: datetime | None = last[1] if last else None
    who_da = ROLE_DA[changed_by] if changed_by else "systemet"
    who_en = ROLE_EN[changed_by] if changed_by else "the system"
    when = f" ({changed_at:%Y-%m-%d %H:%M} UTC)" if changed_at else ""
    return ValidationFailed(
        FieldError(
            None,  # the whole change
            "CONFLICT",
            f"Andre har ændret det, siden du hentede det: {who_da}{when}. Nu er det version {current}. "
            "Intet er gemt; se ændringen og gem igen.",
            f"It was changed since you fetched it: by {who_en}{when}. It is now version {current}. "
            "Nothing was stored; look at the change and save again.",
            EditConflict(current_version=int(current), changed_by=changed_by, changed_at=changed_at),
        )
    )
