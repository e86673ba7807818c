"""Mutations of residency: staff confirm a resident or hand out household codes, a resident redeems a
code, and a residency ends (moving out). Services: backend/services/residency.py."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from backend import models as m
from backend import policy
from backend.actor import Actor
from backend.services import residency as residency_services
from schema.errors import Answer, as_is, mutation, pk_of, read_back_as
from schema.ids import encode
from schema.participation.types import Residency
from schema.permissions import checked

RESIDENT_ID_TYPE = "Resident"


def resident_id(account_id: int) -> strawberry.ID:
    """The id a resident shows staff so they can confirm the residency (viewer.residentId)."""
    return strawberry.ID(encode(RESIDENT_ID_TYPE, account_id))


@strawberry.type(description="A one-time household code, shown once: only its hash is kept.")
class ResidencyCodeCreated:
    code: str = strawberry.field(description="The code to hand to the household, e.g. ABCD-EFGH-JKLM.")
    expires_at: datetime = strawberry.field(description="When it stops working.")


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
    @mutation(
        "ResidencyConfirm",
        description="Confirm a resident's residency (staff of the estate's housing organisation).",
        access=checked(policy.can_manage_residency),
        codes=["DUPLICATE", "OUT_OF_RANGE"],
        answer=Answer(
            "residency", Residency, "The confirmed residency (null when refused).", read_back_as("Residency")
        ),
        input_description="Who and where.",
    )
    async def residency_confirm(
        session: AsyncSession, actor: Actor | None, input: ResidencyConfirmInput
    ) -> m.Residency:
        return await residency_services.confirm(
            session=session,
            actor=actor,
            account_id=pk_of("residentId", input.resident_id, RESIDENT_ID_TYPE),
            estate_id=pk_of("estateId", input.estate_id, "HousingEstate"),
            since=input.since,
        )

    @mutation(
        "ResidencyRedeemCode",
        description="Redeem a household code: you become a resident of its estate (residents). "
        "After 10 failed attempts within an hour, attempts are refused (TOO_MANY_ATTEMPTS).",
        access=checked(policy.can_redeem_residency_code),
        codes=["DUPLICATE", "NOT_ALLOWED", "TOO_MANY_ATTEMPTS"],
        answer=Answer("residency", Residency, "Your new residency (null when refused).", read_back_as("Residency")),
        input_description="The code.",
    )
    async def residency_redeem_code(
        session: AsyncSession, actor: Actor | None, input: ResidencyRedeemCodeInput
    ) -> m.Residency:
        return await residency_services.redeem_code(session=session, actor=actor, code=input.code)

    @mutation(
        "ResidencyEnd",
        description="End a residency (the resident, or staff of the estate's housing organisation).",
        access=checked(policy.can_end_residency),
        codes=["INVALID_TRANSITION", "PERIOD_INVALID", "OUT_OF_RANGE"],
        answer=Answer("residency", Residency, "The residency with its end date.", read_back_as("Residency")),
        input_description="Which and when.",
    )
    async def residency_end(session: AsyncSession, actor: Actor | None, input: ResidencyEndInput) -> m.Residency:
        return await residency_services.end(
            session=session,
            actor=actor,
            residency_id=pk_of("residencyId", input.residency_id, "Residency"),
            until=input.until,
        )

    @mutation(
        "ResidencyCodeCreate",
        description="Create a one-time household code (staff of the estate's housing organisation).",
        access=checked(policy.can_manage_residency),
        codes=["OUT_OF_RANGE"],
        answer=Answer("created", ResidencyCodeCreated, "The new code (null when refused).", as_is),
        input_description="Where and for whom.",
    )
    async def residency_code_create(
        session: AsyncSession, actor: Actor | None, input: ResidencyCodeCreateInput
    ) -> ResidencyCodeCreated:
        row, code = await residency_services.create_code(
            session=session,
            actor=actor,
            estate_id=pk_of("estateId", input.estate_id, "HousingEstate"),
            household=input.household,
            valid_days=input.valid_days,
        )
        return ResidencyCodeCreated(code=code, expires_at=row.expires_at)
