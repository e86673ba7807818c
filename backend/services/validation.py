"""Input checks shared by the services; each collects FieldErrors so a caller sees all problems at once."""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from backend import bounds, clock, rules
from backend.models import FocusArea, max_length
from backend.services.errors import FieldError, NotFound, ValidationFailed

if TYPE_CHECKING:
    from backend.models import Plan

M = TypeVar("M", bound=SQLModel)
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
V = TypeVar("V", date, datetime)


class Unset(enum.Enum):
    """A field the caller did not give (None means: clear it). One enum member, so that
    `value is not UNSET` narrows `str | None | Unset` to `str | None` for the type checker."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset.UNSET

# Characters a text may not hold: NUL (PostgreSQL refuses it) and other C0/C1 controls except
# tab, newline and carriage return. Everything else (any script, emoji, markup) is kept as text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True)
class TextField:
    """A text column of a model as a form gives it: its label, whether it must be filled, one line or more."""

    column: str
    label_da: str
    label_en: str
    required: bool = True
    single_line: bool = False

    @property
    def field(self) -> str:
        """The input's name: the column in camelCase (target_group: targetGroup)."""
        head, *rest = self.column.split("_")
        return head + "".join(word.title() for word in rest)


PLAN_WHY = (" (helhedsplanens periode plus et år før og efter)", " (the plan's period plus a year before and after)")


class Checker:
    """Collects field errors; `done()` raises them all together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str | None, code: str, da: str, en: str) -> None:
        self.errors.append(FieldError(field, code, da, en))

    # `done(a, b, ...)` raises the collected errors, or else hands back the checked values it is
    # given as known to be there: a check returns None only after recording an error, so the caller
    # passes the values of required fields and uses what comes back (optional ones may stay None).
    @overload
    def done(self) -> None: ...
    @overload
    def done(self, a: A | None, /) -> A: ...
    @overload
    def done(self, a: A | None, b: B | None, /) -> tuple[A, B]: ...
    @overload
    def done(self, a: A | None, b: B | None, c: C | None, /) -> tuple[A, B, C]: ...
    @overload
    def done(self, a: A | None, b: B | None, c: C | None, d: D | None, /) -> tuple[A, B, C, D]: ...

    def done(self, *values: object) -> object:
        if self.errors:
            raise ValidationFailed(self.errors)
        if any(value is None for value in values):
            raise ValueError("a checked value is None although no error was recorded")
        if not values:
            return None
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------ texts
    def text(
        self,
        field: str,
        value: str | None,
        *,
        max_len: int,
        required: bool = True,
        min_len: int = 1,
        label_da: str = "Feltet",
        label_en: str = "The field",
        single_line: bool = False,
    ) -> str | None:
        """A trimmed, NFC-normalised text, or None when optional and empty."""
        if value is None or not value.strip():
            if required:
                self.add(field, "REQUIRED", f"{label_da} skal udfyldes.", f"{label_en} is required.")
            return None
        value = unicodedata.normalize("NFC", value.strip())
        if _CONTROL.search(value) or (single_line and ("\n" in value or "\r" in value)):
            self.add(
                field,
                "INVALID_TEXT",
                f"{label_da} indeholder tegn, der ikke kan gemmes.",
                f"{label_en} contains characters that cannot be stored.",
            )
            return None
        if len(value) > max_len:
            self.add(
                field,
                "TOO_LONG",
                f"{label_da} må højst være {max_len} tegn (der er {len(value)}).",
                f"{label_en} may be at most {max_len} characters (it has {len(value)}).",
            )
            return None
        if len(value) < min_len:
            self.add(
                field,
                "TOO_SHORT",
                f"{label_da} skal være mindst {min_len} tegn.",
                f"{label_en} must be at least {min_len} characters.",
            )
            return None
        return value

    def column(self, model: type[SQLModel], spec: TextField, value: str | None) -> str | None:
        """`text()` for a model's text column: its max_length (backend/models.py) and the spec's label."""
        return self.text(
            spec.field,
            value,
            max_len=max_length(model, spec.column),
            required=spec.required,
            label_da=spec.label_da,
            label_en=spec.label_en,
            single_line=spec.single_line,
        )

    def columns(
        self, model: type[SQLModel], specs: Sequence[TextField], **values: str | None | Unset
    ) -> dict[str, str | None]:
        """The checked texts of the columns given (an UNSET one is left out), by column name."""
        out: dict[str, str | None] = {}
        for spec in specs:
            value = values[spec.column]
            if value is not UNSET:
                out[spec.column] = self.column(model, spec, value)
        return out

    def language(self, field: str, value: str | None, default: str = "da") -> str:
        if value is None or not value.strip():
            return default
        value = value.strip()
        if not _LANGUAGE.match(value):
            self.add(
                field,
                "INVALID",
                "Sproget skal angives som en sprogkode, fx da, ar, so, tr, ur, fa eller en.",
                "The language must be a language code, e.g. da, ar, so, tr, ur, fa or en.",
            )
            return default
        return value.lower() if "-" not in value else value

    # ------------------------------------------------------------ numbers and dates
    def int_range(self, field: str, value: int | None, *, low: int, high: int, required: bool = True) -> int | None:
        if value is None:
            if required:
                self.add(field, "REQUIRED", "Tallet skal udfyldes.", "The number is required.")
            return None
        if not (low <= value <= high):
            self.add(
                field,
                "OUT_OF_RANGE",
                f"Tallet skal være mellem {low} og {high}.",
                f"The number must be between {low} and {high}.",
            )
            return None
        return value

    def decimal(self, field: str, value: object, *, low: Decimal, high: Decimal, places: int = 2) -> Decimal | None:
        try:
            d = Decimal(str(value))
        except (InvalidOperation, ValueError, TypeError):
            self.add(field, "INVALID", "Beløbet er ikke et tal.", "The amount is not a number.")
            return None
        if not d.is_finite() or d < low or d > high:
            self.add(
                field,
                "OUT_OF_RANGE",
                f"Værdien skal være mellem {low} og {high}.",
                f"The value must be between {low} and {high}.",
            )
            return None
        if d != d.quantize(Decimal(1).scaleb(-places)):
            self.add(
                field,
                "INVALID",
                f"Værdien må højst have {places} decimaler.",
                f"The value may have at most {places} decimals.",
            )
            return None
        return d

    def day(
        self,
        field: str,
        value: date | None,
        *,
        low: date = bounds.DATE_MIN,
        high: date = bounds.DATE_MAX,
        required: bool = True,
        why_da: str = "",
        why_en: str = "",
    ) -> date | None:
        """A date within [low, high] (by default the years every stored date lies in)."""
        return self._on_days(field, value, value, low, high, required, ("Datoen", "The date"), (why_da, why_en))

    def plan_moment(self, field: str, value: datetime | None, plan: Plan, *, required: bool = True) -> datetime | None:
        """A moment (as aware UTC; a naive one means UTC) on a day within the plan's period plus PLAN_MARGIN
        on both sides."""
        low, high = bounds.plan_days(plan.start_date, plan.end_date)
        day: date | None = None
        try:
            value = utc(value)
            day = value.date() if value is not None else None
        except OverflowError:  # e.g. 9999-12-31T23:00-05:00 has no UTC time: out of range
            pass
        return self._on_days(field, value, day, low, high, required, ("Tidspunktet", "The time"), PLAN_WHY)

    def plan_day(self, field: str, value: date | None, plan: Plan, *, required: bool = True) -> date | None:
        low, high = bounds.plan_days(plan.start_date, plan.end_date)
        return self._on_days(field, value, value, low, high, required, ("Datoen", "The date"), PLAN_WHY)

    def _on_days(
        self,
        field: str,
        value: V | None,
        day: date | None,
        low: date,
        high: date,
        required: bool,
        what: tuple[str, str],
        why: tuple[str, str],
    ) -> V | None:
        """`value` when given and its `day` lies within [low, high]; `what` names it (Danish, English),
        `why` says where the bounds come from."""
        if value is None:
            if required:
                self.add(field, "REQUIRED", f"{what[0]} skal udfyldes.", f"{what[1]} is required.")
            return None
        if day is None or not low <= day <= high:
            self.add(
                field,
                "OUT_OF_RANGE",
                f"{what[0]} skal ligge mellem {low.isoformat()} og {high.isoformat()}{why[0]}.",
                f"{what[1]} must lie between {low.isoformat()} and {high.isoformat()}{why[1]}.",
            )
            return None
        return value

    def number(self, field: str, value: float | None, *, required: bool = False) -> float | None:
        """A finite number within ±NUMBER_MAX."""
        if value is None:
            if required:
                self.add(field, "REQUIRED", "Værdien skal udfyldes.", "The value is required.")
            return None
        if value != value or abs(value) > bounds.NUMBER_MAX:
            high = int(bounds.NUMBER_MAX)
            self.add(
                field,
                "OUT_OF_RANGE",
                f"Tallet skal ligge mellem -{high:,} og {high:,}.".replace(",", "."),
                f"The number must lie between -{high:,} and {high:,}.",
            )
            return None
        return value

    def period(self, start_field: str, start: date | None, end_field: str, end: date | None) -> bool:
        """Whether the end lies after the start (dates, or datetimes: a datetime is a date)."""
        if start is not None and end is not None and not end > start:
            self.add(
                end_field,
                "PERIOD_INVALID",
                "Slutningen skal ligge efter starten.",
                "The end must be after the start.",
            )
            return False
        return True


@overload
def utc(value: datetime) -> datetime: ...
@overload
def utc(value: None) -> None: ...
def utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetimes everywhere (SQLite hands back naive ones; a naive input means UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# One clock for every service (backend/clock.py): now in UTC, today in Copenhagen.
now = clock.now
today = clock.today


async def lock_plan(session: AsyncSession, plan_id: int) -> None:
    """Serialise writes that number or replace a plan's rows (agreement versions, a year's financing).

    Touching the plan row takes its row lock on PostgreSQL and the write lock on SQLite, so a
    concurrent writer waits for this transaction and then reads what it committed.
    """
    from sqlalchemy import update

    from backend.models import Plan

    await session.execute(update(Plan).where(col(Plan.id) == plan_id).values(updated_at=now()))


async def referenced(session: AsyncSession, model: type[M], key: int) -> M:
    """The row a stored foreign key points to (the constraint guarantees it is there)."""
    obj = await session.get(model, key)
    if obj is None:
        raise LookupError(f"{model.__name__} {key} is referenced but not stored")
    return obj


async def get_or_404(
    session: AsyncSession,
    model: type[M],
    pk: int | None,
    field: str,
    what_da: str = "Objektet",
    what_en: str = "The object",
) -> M:
    obj = await session.get(model, pk) if isinstance(pk, int) else None
    if obj is None:
        raise NotFound(field, what_da, what_en)
    return obj


async def focus_area_of_plan(
    session: AsyncSession,
    check: Checker,
    focus_area_id: int | None,
    plan: Plan,
    *,
    absent: tuple[str, str, str] = ("NOT_FOUND", "Indsatsområdet findes ikke.", "The focus area does not exist."),
) -> FocusArea | None:
    """The focus area, which must belong to the plan's funding generation; else an error on focusAreaId
    (`absent`: code, Danish and English when there is no such area)."""
    area = await session.get(FocusArea, focus_area_id) if isinstance(focus_area_id, int) else None
    if area is None:
        check.add("focusAreaId", *absent)
    elif not rules.focus_area_fits_plan(area.generation_id, plan.generation_id):
        check.add(
            "focusAreaId",
            "FOCUS_AREA_NOT_IN_GENERATION",
            "Indsatsområdet hører ikke til helhedsplanens bevillingsperiode.",
            "The focus area does not belong to the plan's funding generation.",
        )
    return area
