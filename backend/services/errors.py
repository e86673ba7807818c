"""Errors the services raise; the GraphQL layer turns them into a payload's typed `errors`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.models import ActorKind


@dataclass(frozen=True)
class EditConflict:
    """Why an update was refused: the object moved on from the version the update started from."""

    current_version: int
    changed_by: ActorKind | None  # the role of whoever wrote last (None: the system); never who
    changed_at: datetime | None


@dataclass(frozen=True)
class FieldError:
    field: str | None  # the input field (camelCase, as the API names it), None for the whole input
    code: str  # UPPER_SNAKE, one of the codes below
    message_da: str
    message_en: str
    conflict: EditConflict | None = None  # with code CONFLICT from an update that named an old version


class ServiceError(Exception):
    """Base class: the write did not happen; the caller rolls its transaction back."""

    errors: list[FieldError]


class ValidationFailed(ServiceError):
    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__("; ".join(f"{e.field}: {e.code}" for e in self.errors))


class NotFound(ServiceError):
    """The object does not exist, or the actor may not see or change it (the two look the same)."""

    def __init__(self, field: str | None, what_da: str = "Objektet", what_en: str = "The object"):
        self.field = field
        self.errors = [
            FieldError(
                field,
                "NOT_FOUND",
                f"{what_da} findes ikke, eller du har ikke adgang.",
                f"{what_en} does not exist, or you do not have access to it.",
            )
        ]
        super().__init__(f"{field}: NOT_FOUND")


# Every code a service may raise, with what it means (the API's error enums are subsets of these).
CODES = {
    "REQUIRED": "a value is needed",
    "TOO_LONG": "the text is longer than allowed",
    "TOO_SHORT": "the text is shorter than allowed",
    "INVALID": "the value has the wrong form",
    "INVALID_TEXT": "the text holds characters that cannot be stored (e.g. NUL)",
    "OUT_OF_RANGE": "a number or date outside the allowed range",
    "NOT_FOUND": "the object does not exist or is not accessible",
    "NOT_ALLOWED": "this actor may not change this field or do this",
    "RATE_LIMITED": "too many submissions in a short time",
    "TOO_MANY_ATTEMPTS": "too many wrong attempts in the last hour; refused without looking at the input",
    "DUPLICATE": "the same thing was already submitted",
    "ALREADY_ANSWERED": "the input has been answered and can no longer be changed",
    "WITHDRAWN": "the input has been withdrawn",
    "NOT_ANSWERED": "the input has no answer yet",
    "INVALID_TRANSITION": "the status cannot move this way",
    "FORBIDDEN_TRANSITION": "another party registers this status move",
    "ALREADY_APPROVED": "the version is already approved and cannot change",
    "NOT_LATEST_VERSION": "only the latest version can be approved",
    "SENT_BACK": "the version was sent back; a new version is needed",
    "NOTHING_TO_DECIDE": "the plan's status holds no decision of this actor",
    "FOCUS_AREA_NOT_IN_GENERATION": "the focus area belongs to another funding generation",
    "FINANCING_INVALID": "the financing split breaks the 75 / 12.5 / 12.5 rules",
    "PERIOD_INVALID": "the end is not after the start",
    "CANCELLED": "the occurrence is cancelled",
    "NOT_YET_HELD": "the occurrence has not started yet",
    "CONFIRMATION_REQUIRED": "the action must be confirmed",
    "CONFLICT": "someone changed the same data at the same time, or since the version the change started from; "
    "nothing was stored",
}


def conflict() -> ValidationFailed:
    """A write that lost a race on a database constraint: nothing was stored, trying again may work."""
    return ValidationFailed(
        FieldError(
            None,
            "CONFLICT",
            "Det samme blev ændret samtidig et andet sted. Intet er gemt; prøv igen.",
            "The same data was changed at the same time elsewhere. Nothing was stored; please try again.",
        )
    )
