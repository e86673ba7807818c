"""Mutations of residency: staff confirm a resident or hand out household codes, a resident redeems a
code, and a residency ends (moving out). Services: backend/services/residency.py."""

# No `from __future__ import annotations`: strawberry reads the payload annotations at runtime.

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from backend import policy
from backend.services import residency as residency_services
from schema.errors import payload_types, pk_of, run_mutation, visible
from schema.ids import encode
from schema.participation.types import Residency
from schema.permissions import checked

RESIDENT_ID_TYPE = "Resident"


def resident_id(account_id: int) -> strawberry.ID:
    """The id a resident shows staff so they can confirm the residency (viewer.residentId)."""
    return strawberry.ID(encode(RESIDENT_ID_TYPE, account_id))


async def _read_back(context, residency):
    return await visible(context, "Residency", residency.id)


ResidencyConfirmPayload = payload_types(
    "ResidencyConfirm",
    "residency",
    Residency,
    ["DUPLICATE", "OUT_OF_RANGE"],
    field_description="The confirmed residency (null when refused).",
)
ResidencyRedeemCodePayload = payload_types(
    "ResidencyRedeemCode",
    "residency",
    Residency,
    ["DUPLICATE", "NOT_ALLOWED", "TOO_MANY_ATTEMPTS"],
    field_description="Your new residency (null when refused).",
)
ResidencyEndPayload = payload_types(
    "ResidencyEnd",
    "residency",
    Residency,
    ["INVALID_TRANSITION", "PERIOD_INVALID", "OUT_OF_RANGE"],
    field_description="The residency with its end date.",
)


@strawberry.type(description="A one-time household code, shown once: only its hash is kept.")
class ResidencyCodeCreated:
    code: str = strawberry.field(description="The code to hand to the household, e.g. ABCD-EFGH-JKLM.")
    expires_at: datetime = strawberry.field(description="When it stops working.")


ResidencyCodeCreatePayload = payload_types(
    "ResidencyCodeCreate",
    "created",
    ResidencyCodeCreated,
    ["OUT_OF_RANGE"],
    field_description="The new code (null when refused).",
)


@strawberry.input(description="Confirm that a resident lives in an estate of your housing organisation.")
class ResidencyConfirmInput:
    resident_id: strawberry.ID = strawberry.field(description="The resident's id, as the portal shows it to them.")
    estate_id: strawberry.ID = strawberry.field(description="The housing estate.")
    since: date | None = strawberry.field(default=None, description="From when (default today).")


@strawberry.input(description="Link yourself to your estate with the household code from your housing organisation.")
class ResidencyRedeemCodeInput:
    code: str = strawberry.field(description="The code, e.g. ABCD-EFGH-JKLM (case and dashes do not matter).")


@strawberry.input(description="End a residency, e.g. on moving out.")
class ResidencyEndInput:
    residency_id: strawberry.ID = strawberry.field(description="The residency.")
    until: date | None = strawberry.field(
        default=None,
        description=(
            "The day it ends: from the start of this day (Copenhagen time) the residency grants nothing. "
            "Default today, which ends it at once."
        ),
    )


@strawberry.input(description="A one-time code for one household of an estate of your housing organisation.")
class ResidencyCodeCreateInput:
    estate_id: strawberry.ID = strawberry.field(description="The housing estate.")
    household: str = strawberry.field(description="Your label for the household, e.g. the lease number.")
    valid_days: int = strawberry.field(
        default=residency_services.CODE_VALID_DAYS, description="How many days the code works (1-365)."
    )


@strawberry.type(description="Mutations of residency.")
class ResidencyMutation:
    @strawberry.mutation(
        description="Confirm a resident's residency (staff of the estate's housing organisation).",
        **checked(policy.can_manage_residency),
    )
    async def residency_confirm(
        self, info: Info, input: Annotated[ResidencyConfirmInput, strawberry.argument(description="Who and where.")]
    ) -> ResidencyConfirmPayload:
        async def work(session, actor):
            return await residency_services.confirm(
                session=session,
                actor=actor,
                account_id=pk_of("residentId", input.resident_id, RESIDENT_ID_TYPE),
                estate_id=pk_of("estateId", input.estate_id, "HousingEstate"),
                since=input.since,
            )

        return await run_mutation(info, ResidencyConfirmPayload, work, _read_back)

    @strawberry.mutation(
        description="Redeem a household code: you become a resident of its estate (residents). "
        "After 10 failed attempts within an hour, attempts are refused (TOO_MANY_ATTEMPTS).",
        **checked(policy.can_redeem_residency_code),
    )
    async def residency_redeem_code(
        self, info: Info, input: Annotated[ResidencyRedeemCodeInput, strawberry.argument(description="The code.")]
    ) -> ResidencyRedeemCodePayload:
        async def work(session, actor):
            return await residency_services.redeem_code(session=session, actor=actor, code=input.code)

        return await run_mutation(info, ResidencyRedeemCodePayload, work, _read_back)

    @strawberry.mutation(
        description="End a residency (the resident, or staff of the estate's housing organisation).",
        **checked(policy.can_end_residency),
    )
    async def residency_end(
        self, info: Info, input: Annotated[ResidencyEndInput, strawberry.argument(description="Which and when.")]
    ) -> ResidencyEndPayload:
        async def work(session, actor):
            return await residency_services.end(
                session=session,
                actor=actor,
                residency_id=pk_of("residencyId", input.residency_id, "Residency"),
                until=input.until,
            )

        return await run_mutation(info, ResidencyEndPayload, work, _read_back)

    @strawberry.mutation(
        description="Create a one-time household code (staff of the estate's housing organisation).",
        **checked(policy.can_manage_residency),
    )
    async def residency_code_create(
        self,
        info: Info,
        input: Annotated[ResidencyCodeCreateInput, strawberry.argument(description="Where and for whom.")],
    ) -> ResidencyCodeCreatePayload:
        async def work(session, actor):
            row, code = await residency_services.create_code(
                session=session,
                actor=actor,
                estate_id=pk_of("estateId", input.estate_id, "HousingEstate"),
                household=input.household,
                valid_days=input.valid_days,
            )
            return ResidencyCodeCreated(code=code, expires_at=row.expires_at)

        async def read_back(_context, created):
            return created

        return await run_mutation(info, ResidencyCodeCreatePayload, work, read_back)
