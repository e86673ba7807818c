"""The domain as SQLModel tables (see shared DOMAIN.md for the Danish words).

Rules that the database can hold are declared here (foreign keys, unique and check constraints);
rules that span rows (financing shares, focus area of the plan's generation) live in
backend/rules.py and are checked by every service that writes.
Foreign keys say what happens on delete, so that no delete leaves orphaned rows: parts of a plan
cascade with it; references to shared things (organisations, partners, focus areas) restrict.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from annotated_types import MaxLen
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    UniqueConstraint,
    text,
)
from sqlalchemy import DateTime as SADateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import AutoString, Field, SQLModel

from backend import bounds, clock

# JSONB on PostgreSQL: plain json has no equality operator, so DISTINCT and UNION over rows fail.
JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def pk(row: _Row) -> int:
    """The id of a stored row. sqlmodel types ids `int | None` (None until the insert is flushed); a row
    read from the database, or flushed, has one."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id until it is flushed")
    return row.id


def utcnow() -> datetime:
    return clock.now()


# The column helpers return sqlmodel's Field(), which is typed Any so that it fits every annotation.
def fk(target: str, *, ondelete: str = "RESTRICT", nullable: bool = False, index: bool = True) -> Any:
    """A foreign key column with an explicit ON DELETE rule.

    Annotate it `int` when NOT NULL (the default) and `int | None` when nullable: the default None only
    lets a row be built before its parent is flushed; the database refuses to store it without one."""
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index),
    )


def tz_datetime(*, nullable: bool = False, default_now: bool = False, index: bool = False) -> Any:
    return Field(
        default_factory=utcnow if default_now else (lambda: None),
        sa_column=Column(SADateTime(timezone=True), nullable=nullable, index=index),
    )


def max_length(model: type[SQLModel], field: str) -> int:
    """The most characters a text field holds: its `Field(max_length=...)` below. The services' checks,
    the portal's forms and the API's caps read it here, so each limit is written once."""
    for rule in model.model_fields[field].metadata:
        if isinstance(rule, MaxLen):
            return rule.max_length
    raise LookupError(f"{model.__name__}.{field} has no max_length")


def long_text(max_chars: int) -> Any:
    """A text column without a length in the database (documents grow), whose limit the services check."""
    return Field(default=None, sa_type=AutoString, max_length=max_chars)


# Bounds the database holds too (backend/bounds.py); the migration "bounded values" creates them.
# Moments are compared with UTC literals, which PostgreSQL reads as timestamptz and SQLite compares
# as the text it stores ("YYYY-MM-DD HH:MM:SS...").
_DAY_MIN, _DAY_MAX = f"'{bounds.DATE_MIN.isoformat()}'", f"'{bounds.DATE_MAX.isoformat()}'"
_MOMENT_MIN = f"'{bounds.MOMENT_MIN.strftime('%Y-%m-%d %H:%M:%S')}+00:00'"
_MOMENT_END = f"'{bounds.MOMENT_END.strftime('%Y-%m-%d %H:%M:%S')}+00:00'"


def day_bounded(*columns: str, name: str, low: str = _DAY_MIN) -> CheckConstraint:
    return CheckConstraint(
        " AND ".join(f"({c} IS NULL OR ({c} >= {low} AND {c} <= {_DAY_MAX}))" for c in columns), name=name
    )


def moment_bounded(*columns: str, name: str) -> CheckConstraint:
    return CheckConstraint(" AND ".join(f"({c} >= {_MOMENT_MIN} AND {c} < {_MOMENT_END})" for c in columns), name=name)


def number_bounded(*columns: str, name: str, low: float, high: float) -> CheckConstraint:
    low, high = int(low), int(high)  # whole bounds, written as plain integers for every SQL dialect
    return CheckConstraint(
        " AND ".join(f"({c} IS NULL OR ({c} >= {low} AND {c} <= {high}))" for c in columns), name=name
    )


def year_bounded(name: str) -> CheckConstraint:
    return CheckConstraint(f"year >= {bounds.YEAR_MIN} AND year <= {bounds.YEAR_MAX}", name=name)


def edit_version() -> Any:
    """The number of writes an editable row has had, from 1: an update names the version it started
    from and is refused when it moved on (backend/services/versions.py)."""
    return Field(default=1, sa_column=Column(Integer, nullable=False, server_default=text("1")))


def money(**kw: Any) -> Any:
    return Field(default=Decimal("0"), sa_column=Column(Numeric(14, 2), nullable=False, **kw))


# ---------------------------------------------------------------- enums (stored as their names)
class BoardLevel(str, enum.Enum):
    CITY = "CITY"
    DISTRICT = "DISTRICT"


class PlanStatus(str, enum.Enum):
    PREQUALIFIED = "PREQUALIFIED"
    IN_DIALOGUE = "IN_DIALOGUE"
    APPROVED_BY_CITY_COUNCIL = "APPROVED_BY_CITY_COUNCIL"
    APPROVED_BY_LBF = "APPROVED_BY_LBF"
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


class AgreementKind(str, enum.Enum):
    STRATEGIC = "STRATEGIC"
    SUB_AGREEMENT = "SUB_AGREEMENT"
    EMERGENCY_PLAN = "EMERGENCY_PLAN"


class DecisionOutcome(str, enum.Enum):
    APPROVED = "APPROVED"
    SENT_BACK = "SENT_BACK"


class IndicatorDirection(str, enum.Enum):
    INCREASE = "INCREASE"
    DECREASE = "DECREASE"
    KEEP = "KEEP"


class FinancingParty(str, enum.Enum):
    LANDSBYGGEFONDEN = "LANDSBYGGEFONDEN"
    MUNICIPALITY = "MUNICIPALITY"
    HOUSING_ORGANISATION = "HOUSING_ORGANISATION"
    OTHER = "OTHER"


class ActivityStatus(str, enum.Enum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ENDED = "ENDED"


class Visibility(str, enum.Enum):
    PUBLIC = "PUBLIC"
    INTERNAL = "INTERNAL"


class PartnerRole(str, enum.Enum):
    RESPONSIBLE = "RESPONSIBLE"
    CO_RESPONSIBLE = "CO_RESPONSIBLE"
    CONTRIBUTING = "CONTRIBUTING"


class PartnerKind(str, enum.Enum):
    MUNICIPAL_ADMINISTRATION = "MUNICIPAL_ADMINISTRATION"
    HOUSING_ORGANISATION = "HOUSING_ORGANISATION"
    POLICE = "POLICE"
    SCHOOL = "SCHOOL"
    ASSOCIATION = "ASSOCIATION"
    FOUNDATION = "FOUNDATION"
    OTHER = "OTHER"


class InputStatus(str, enum.Enum):
    RECEIVED = "RECEIVED"
    UNDER_CONSIDERATION = "UNDER_CONSIDERATION"
    ANSWERED = "ANSWERED"
    CLOSED = "CLOSED"


class InputChannel(str, enum.Enum):
    WEB = "WEB"
    PAPER = "PAPER"
    PHONE = "PHONE"
    IN_PERSON = "IN_PERSON"


class OtherEffortKind(str, enum.Enum):
    LETTING_AGREEMENT = "LETTING_AGREEMENT"
    DEVELOPMENT_PLAN = "DEVELOPMENT_PLAN"
    AREA_RENEWAL = "AREA_RENEWAL"


class ActorKind(str, enum.Enum):
    RESIDENT = "RESIDENT"
    HOUSING_ORGANISATION = "HOUSING_ORGANISATION"
    MUNICIPALITY = "MUNICIPALITY"
    PARTNER = "PARTNER"
    FUND = "FUND"


# ---------------------------------------------------------------- geography and organisation
class Municipality(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    code: str = Field(max_length=10, unique=True)  # the municipality number, e.g. "101" for København


class Board(SQLModel, table=True):
    """Den Boligsociale Bestyrelse (CITY) or a bydelsbestyrelse (DISTRICT)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    level: BoardLevel
    municipality_id: int = fk("municipality.id", ondelete="CASCADE")


class UrbanArea(SQLModel, table=True):
    """Et byområde; its district board is the bydelsbestyrelse that follows it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=200, unique=True)
    municipality_id: int = fk("municipality.id", ondelete="CASCADE")
    board_id: int | None = fk("board.id", ondelete="SET NULL", nullable=True)


class HousingOrganisation(SQLModel, table=True):
    """En almen boligorganisation, found by CVR number when staff sign in."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    short_name: str = Field(max_length=50)
    cvr: str | None = Field(default=None, max_length=8, unique=True)


class HousingEstate(SQLModel, table=True):
    """En boligafdeling."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    department_number: str = Field(max_length=20)
    homes: int = Field(ge=0)
    organisation_id: int = fk("housingorganisation.id")
    urban_area_id: int = fk("urbanarea.id")
    __table_args__ = (
        UniqueConstraint("organisation_id", "department_number"),
        CheckConstraint("homes >= 0", name="estate_homes_non_negative"),
    )


class OtherEffort(SQLModel, table=True):
    """Øvrige indsatser: udlejningsaftale, udviklingsplan, områdefornyelse."""

    id: int | None = Field(default=None, primary_key=True)
    urban_area_id: int = fk("urbanarea.id", ondelete="CASCADE")
    kind: OtherEffortKind
    name: str = Field(max_length=200)
    description: str | None = None


class Partner(SQLModel, table=True):
    """A partner organisation that carries out activities (administration, police, school, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: PartnerKind
    cvr: str | None = Field(default=None, max_length=8, unique=True)
    municipality_id: int | None = fk("municipality.id", ondelete="SET NULL", nullable=True)


# ---------------------------------------------------------------- funding generations
class FundingGeneration(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, unique=True)  # e.g. "2019-26"
    start_year: int
    end_year: int
    __table_args__ = (CheckConstraint("end_year >= start_year", name="generation_years_ordered"),)


class FocusArea(SQLModel, table=True):
    """Et indsatsområde, belonging to one funding generation."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    generation_id: int = fk("fundinggeneration.id", ondelete="CASCADE")
    position: int = 0
    __table_args__ = (UniqueConstraint("generation_id", "name"),)


# ---------------------------------------------------------------- plans
class Plan(SQLModel, table=True):
    """En boligsocial helhedsplan."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    summary: str | None = long_text(10_000)
    status: PlanStatus = PlanStatus.PREQUALIFIED
    start_date: date
    end_date: date
    generation_id: int = fk("fundinggeneration.id")
    urban_area_id: int = fk("urbanarea.id")
    board_id: int | None = fk("board.id", ondelete="SET NULL", nullable=True)
    lead_organisation_id: int = fk("housingorganisation.id")
    created_at: datetime = tz_datetime(default_now=True)
    updated_at: datetime = tz_datetime(default_now=True)
    version: int = edit_version()
    __table_args__ = (
        CheckConstraint("end_date > start_date", name="plan_period_ordered"),
        day_bounded("start_date", "end_date", name="plan_period_bounded"),
    )


class PlanOrganisation(SQLModel, table=True):
    """The housing organisations that take part in a plan (the lead one included)."""

    plan_id: int = Field(sa_column=Column(Integer, ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True))
    organisation_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("housingorganisation.id", ondelete="RESTRICT"), primary_key=True, index=True
        )
    )


class PlanEstate(SQLModel, table=True):
    """The housing estates a plan covers."""

    plan_id: int = Field(sa_column=Column(Integer, ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True))
    estate_id: int = Field(
        sa_column=Column(Integer, ForeignKey("housingestate.id", ondelete="RESTRICT"), primary_key=True, index=True)
    )


class Milestone(SQLModel, table=True):
    """A line of the milepælsplan; the yearly report lists those of the coming year."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = fk("plan.id", ondelete="CASCADE")
    year: int
    title: str = Field(max_length=300)
    done: bool = False
    __table_args__ = (year_bounded("milestone_year_bounded"),)


class Agreement(SQLModel, table=True):
    """One version of a strategic agreement, a sub-agreement (per focus area) or an emergency plan.

    Versions are rows: a new version is a new row, and an approved row is never changed.
    """

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = fk("plan.id", ondelete="CASCADE")
    kind: AgreementKind
    focus_area_id: int | None = fk("focusarea.id", nullable=True)
    version: int = 1
    title: str = Field(max_length=300)
    body: str | None = long_text(20_000)  # the API's cap on any text (schema/limits.py)
    approved_at: datetime | None = tz_datetime(nullable=True)
    created_at: datetime = tz_datetime(default_now=True)
    # Writes of this row (its approval); `version` above is the document's version number.
    revision: int = edit_version()
    __table_args__ = (
        # One row per version of a document; focus_area_id is NULL outside sub-agreements, and NULLs
        # never collide in a plain unique constraint, hence the expression.
        Index("uq_agreement_version", "plan_id", "kind", text("coalesce(focus_area_id, 0)"), "version", unique=True),
        CheckConstraint("version >= 1", name="agreement_version_positive"),
        CheckConstraint(
            "(kind = 'SUB_AGREEMENT') = (focus_area_id IS NOT NULL)",
            name="agreement_focus_area_only_for_sub_agreements",
        ),
    )


class Decision(SQLModel, table=True):
    """A party's decision on a plan's status move or on a document version: approved or sent back.

    `decided_on` is the date of the decision itself (e.g. the City Council's meeting), which may lie
    before the day it is registered (`created_at`). Approved versions and moves stay; a version that
    is sent back is followed by a new version.
    """

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = fk("plan.id", ondelete="CASCADE")
    agreement_id: int | None = fk("agreement.id", ondelete="CASCADE", nullable=True)
    outcome: DecisionOutcome
    from_status: PlanStatus | None = None  # the plan's status when the decision was made
    to_status: PlanStatus | None = None  # the move approved or refused (plan decisions)
    decided_on: date
    note: str | None = Field(default=None, max_length=2000)
    actor_kind: ActorKind
    created_at: datetime = tz_datetime(default_now=True)


class Goal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = fk("plan.id", ondelete="CASCADE")
    focus_area_id: int | None = fk("focusarea.id", nullable=True)
    title: str = Field(max_length=300)
    version: int = edit_version()


class Indicator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = fk("goal.id", ondelete="CASCADE")
    name: str = Field(max_length=300)
    unit: str = Field(max_length=50)
    data_source: str | None = Field(default=None, max_length=300)
    baseline: float | None = None
    target: float | None = None
    direction: IndicatorDirection = IndicatorDirection.INCREASE
    version: int = edit_version()
    __table_args__ = (
        number_bounded(
            "baseline", "target", name="indicator_numbers_bounded", low=-bounds.NUMBER_MAX, high=bounds.NUMBER_MAX
        ),
    )


class Measurement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = fk("indicator.id", ondelete="CASCADE")
    period: date
    value: float
    note: str | None = Field(default=None, max_length=1000)
    __table_args__ = (
        UniqueConstraint("indicator_id", "period"),
        day_bounded("period", name="measurement_period_bounded"),
        number_bounded("value", name="measurement_value_bounded", low=-bounds.NUMBER_MAX, high=bounds.NUMBER_MAX),
    )


class Financing(SQLModel, table=True):
    """One party's share of a plan's budget in one year, in kroner (exact decimals)."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = fk("plan.id", ondelete="CASCADE")
    year: int
    party: FinancingParty
    share_percent: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(5, 2), nullable=False))
    budget: Decimal = money()
    spent: Decimal = money()
    version: int = edit_version()
    __table_args__ = (
        UniqueConstraint("plan_id", "year", "party"),
        CheckConstraint("share_percent >= 0 AND share_percent <= 100", name="financing_share_range"),
        CheckConstraint("party <> 'LANDSBYGGEFONDEN' OR share_percent <= 75", name="financing_lbf_at_most_75"),
        CheckConstraint("budget >= 0 AND spent >= 0", name="financing_amounts_non_negative"),
        year_bounded("financing_year_bounded"),
    )


# ---------------------------------------------------------------- activities
class Activity(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = fk("plan.id", ondelete="CASCADE")
    focus_area_id: int = fk("focusarea.id")
    agreement_id: int | None = fk("agreement.id", ondelete="SET NULL", nullable=True)  # its sub-agreement
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    target_group: str | None = Field(default=None, max_length=200)
    status: ActivityStatus = ActivityStatus.PLANNED
    visibility: Visibility = Visibility.PUBLIC
    location: str | None = Field(default=None, max_length=300)
    contact: str | None = Field(default=None, max_length=300)  # a role address, not a person's data
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON_DOCUMENT, nullable=False))
    created_at: datetime = tz_datetime(default_now=True)
    updated_at: datetime = tz_datetime(default_now=True)
    version: int = edit_version()
    __table_args__ = (Index("ix_activity_plan_status", "plan_id", "status"),)


class ActivityPartner(SQLModel, table=True):
    activity_id: int = Field(sa_column=Column(Integer, ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True))
    partner_id: int = Field(
        sa_column=Column(Integer, ForeignKey("partner.id", ondelete="RESTRICT"), primary_key=True, index=True)
    )
    role: PartnerRole = PartnerRole.CONTRIBUTING


class Occurrence(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = fk("activity.id", ondelete="CASCADE")
    starts_at: datetime = tz_datetime(index=True)
    ends_at: datetime = tz_datetime()
    location: str | None = Field(default=None, max_length=300)
    cancelled: bool = False
    participant_count: int | None = None  # counts, never identities
    version: int = edit_version()
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="occurrence_period_ordered"),
        CheckConstraint("participant_count IS NULL OR participant_count >= 0", name="occurrence_count_non_negative"),
        number_bounded("participant_count", name="occurrence_count_bounded", low=0, high=bounds.PARTICIPANTS_MAX),
        moment_bounded("starts_at", "ends_at", name="occurrence_times_bounded"),
        Index("ix_occurrence_activity_starts", "activity_id", "starts_at"),
    )


class ProgressNote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = fk("activity.id", ondelete="CASCADE")
    posted_at: datetime = tz_datetime(default_now=True)
    text: str = Field(max_length=5000)
    author_partner_id: int | None = fk("partner.id", ondelete="SET NULL", nullable=True)
    author_organisation_id: int | None = fk("housingorganisation.id", ondelete="SET NULL", nullable=True)


# ---------------------------------------------------------------- follow-up groups and residents
class FollowUpGroup(SQLModel, table=True):
    """En følgegruppe."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = fk("plan.id", ondelete="CASCADE")
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    version: int = edit_version()


class FollowUpGroupEstate(SQLModel, table=True):
    group_id: int = Field(
        sa_column=Column(Integer, ForeignKey("followupgroup.id", ondelete="CASCADE"), primary_key=True)
    )
    estate_id: int = Field(
        sa_column=Column(Integer, ForeignKey("housingestate.id", ondelete="RESTRICT"), primary_key=True, index=True)
    )


class GroupMember(SQLModel, table=True):
    """A member as shown publicly: a display name and a role (e.g. 'formand'), nothing more."""

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = fk("followupgroup.id", ondelete="CASCADE")
    display_name: str = Field(max_length=200)
    role: str = Field(max_length=100)


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = fk("followupgroup.id", ondelete="CASCADE")
    starts_at: datetime = tz_datetime()
    location: str | None = Field(default=None, max_length=300)
    agenda: str | None = Field(default=None, max_length=10000)
    minutes: str | None = Field(default=None, max_length=20000)
    version: int = edit_version()
    __table_args__ = (moment_bounded("starts_at", name="meeting_time_bounded"),)


class Account(SQLModel, table=True):
    """Someone who has signed in: the issuer's pseudonymous subject and what the claims mapped to.

    Residents' accounts hold a display name only; never a CPR number, address or e-mail.
    """

    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=300)
    subject: str = Field(max_length=300)
    kind: ActorKind
    display_name: str = Field(max_length=200)
    housing_organisation_id: int | None = fk("housingorganisation.id", ondelete="SET NULL", nullable=True)
    partner_id: int | None = fk("partner.id", ondelete="SET NULL", nullable=True)
    municipality_id: int | None = fk("municipality.id", ondelete="SET NULL", nullable=True)
    # The portal language the person chose (a code such as "ar"); restored into the cookie at sign-in.
    language: str | None = Field(default=None, max_length=10)
    created_at: datetime = tz_datetime(default_now=True)
    last_seen_at: datetime = tz_datetime(default_now=True)
    __table_args__ = (UniqueConstraint("issuer", "subject"),)


# ---------------------------------------------------------------- e-mail (backend/mail)
class MailStatus(str, enum.Enum):
    PENDING = "PENDING"  # waiting to be sent (again, from next_attempt_at)
    SENT = "SENT"
    FAILED = "FAILED"  # refused for good by the mail server, or too many attempts
    DROPPED = "DROPPED"  # the address was removed or mail turned off before it went


class MailAddress(SQLModel, table=True):
    """The e-mail address a person gave on Min side for notifications; one per account.

    Mail goes to it only once it is confirmed by the link sent to it (double opt-in) and while mail is
    on. Only the confirmation token's hash is kept; the row goes with the account.
    """

    account_id: int = Field(
        default=None, sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    )
    address: str = Field(max_length=254)  # RFC 5321's limit for a forward path
    confirmed_at: datetime | None = tz_datetime(nullable=True)
    mail_on: bool = True  # consent: false after unsubscribing (Min side or the link in a mail)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    token_expires_at: datetime | None = tz_datetime(nullable=True)
    created_at: datetime = tz_datetime(default_now=True)


class OutboxMail(SQLModel, table=True):
    """A mail to send, written in the transaction of the event that causes it; the sender sends it.

    The address is not copied here: it is read when the mail goes, so a removed address or withdrawn
    consent stops mail still waiting. `lines` are [{"text", "link"}] in the recipient's language (one
    for a single notification, several for a daily digest); never what others wrote or their names.
    Sent rows are kept for a while (Message-ID of a resend), then pruned.
    """

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = fk("account.id", ondelete="CASCADE")
    kind: str = Field(max_length=50)
    language: str = Field(default="da", max_length=10)
    subject: str = Field(max_length=300)
    lines: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON_DOCUMENT, nullable=False))
    status: MailStatus = MailStatus.PENDING
    attempts: int = 0
    # When the sender may take it (again): now when written, later while claimed or backing off.
    next_attempt_at: datetime = tz_datetime(default_now=True)
    created_at: datetime = tz_datetime(default_now=True)
    sent_at: datetime | None = tz_datetime(nullable=True)
    last_error: str | None = Field(default=None, max_length=200)  # the SMTP code and class, never an address
    __table_args__ = (Index("ix_outboxmail_status_next", "status", "next_attempt_at"),)


class MailDigestItem(SQLModel, table=True):
    """A notification waiting for its account's daily digest mail (staff who chose one)."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = fk("account.id", ondelete="CASCADE")
    kind: str = Field(max_length=50)
    text: str = Field(max_length=1000)
    link: str = Field(max_length=500)
    created_at: datetime = tz_datetime(default_now=True, index=True)


class Residency(SQLModel, table=True):
    """A resident's link to the estate they live in, confirmed by staff or by a household code."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = fk("account.id", ondelete="CASCADE")
    estate_id: int = fk("housingestate.id")
    since: date
    until: date | None = None
    confirmed_by: str = Field(max_length=20)  # STAFF | CODE
    __table_args__ = (
        CheckConstraint("until IS NULL OR until >= since", name="residency_period_ordered"),
        day_bounded(
            "since", "until", name="residency_period_bounded", low=f"'{bounds.RESIDENCY_SINCE_MIN.isoformat()}'"
        ),
    )


class ResidencyCode(SQLModel, table=True):
    """A one-time code handed out per household; only its hash is kept."""

    id: int | None = Field(default=None, primary_key=True)
    estate_id: int = fk("housingestate.id", ondelete="CASCADE")
    code_hash: str = Field(max_length=128, unique=True)
    household: str = Field(max_length=50)  # e.g. the lease number, as the organisation labels it
    expires_at: datetime = tz_datetime()
    used_at: datetime | None = tz_datetime(nullable=True)
    __table_args__ = (moment_bounded("expires_at", name="residencycode_expiry_bounded"),)


class ResidencyCodeAttempt(SQLModel, table=True):
    """A household code redemption that has not succeeded, counted to limit guessing.

    Who and when only, never the code. "Who" is the identity (issuer and subject) as a keyed hash,
    not the account row: erasing the account and signing in again keeps the count. Rows older than
    the limit's window are pruned.
    """

    id: int | None = Field(default=None, primary_key=True)
    identity_key: str = Field(max_length=64)  # backend.services.residency.attempt_key
    at: datetime = tz_datetime(default_now=True)
    __table_args__ = (
        Index("ix_residencycodeattempt_identity_at", "identity_key", "at"),
        Index("ix_residencycodeattempt_at", "at"),
    )


class ClientBudget(SQLModel, table=True):
    """What one anonymous client has spent of its query budget in one minute (backend/budget.py).

    The client is a hash of its address, never the address; rows of past minutes are pruned.
    """

    client: str = Field(primary_key=True, max_length=64)
    minute: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # minutes since the epoch
    cost: int = 0


class ResidentInput(SQLModel, table=True):
    """Input from a resident to their follow-up group (or registered by staff on their behalf)."""

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = fk("followupgroup.id", ondelete="CASCADE")
    author_account_id: int | None = fk("account.id", ondelete="SET NULL", nullable=True)  # NULL once erased
    title: str = Field(max_length=200)
    body: str = Field(max_length=5000)
    language: str = Field(default="da", max_length=10)
    concerns_activity_id: int | None = fk("activity.id", ondelete="SET NULL", nullable=True)
    concerns_focus_area_id: int | None = fk("focusarea.id", ondelete="SET NULL", nullable=True)
    status: InputStatus = InputStatus.RECEIVED
    channel: InputChannel = InputChannel.WEB
    published: bool = False
    hidden: bool = False
    hidden_reason: str | None = Field(default=None, max_length=500)
    withdrawn: bool = False
    content_hash: str | None = Field(default=None, max_length=64)  # catches the same submission twice
    created_at: datetime = tz_datetime(default_now=True, index=True)
    updated_at: datetime = tz_datetime(default_now=True)
    version: int = edit_version()
    __table_args__ = (
        Index("ix_residentinput_group_status", "group_id", "status"),
        UniqueConstraint("author_account_id", "content_hash", name="residentinput_no_duplicate"),
    )


class InputAnswer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    input_id: int = fk("residentinput.id", ondelete="CASCADE")
    body: str = Field(max_length=5000)
    author_kind: ActorKind
    created_at: datetime = tz_datetime(default_now=True)
    version: int = edit_version()


class InputReport(SQLModel, table=True):
    """A report that an input is abusive; staff of the plan look at it."""

    id: int | None = Field(default=None, primary_key=True)
    input_id: int = fk("residentinput.id", ondelete="CASCADE")
    reporter_account_id: int | None = fk("account.id", ondelete="SET NULL", nullable=True)
    reason: str = Field(max_length=500)
    created_at: datetime = tz_datetime(default_now=True)


# ---------------------------------------------------------------- notifications
class NotificationKind(str, enum.Enum):
    """What a notification tells (backend/services/notifications.py says who hears of what)."""

    INPUT_ANSWERED = "INPUT_ANSWERED"  # residents: their input
    INPUT_PUBLISHED = "INPUT_PUBLISHED"
    INPUT_HIDDEN = "INPUT_HIDDEN"
    INPUT_STATUS_CHANGED = "INPUT_STATUS_CHANGED"
    ACTIVITY_CHANGED = "ACTIVITY_CHANGED"  # residents: an activity they follow
    OCCURRENCE_MOVED = "OCCURRENCE_MOVED"  # residents who follow the activity, and its partners
    OCCURRENCE_CANCELLED = "OCCURRENCE_CANCELLED"
    MEETING_CREATED = "MEETING_CREATED"  # residents: a meeting of their follow-up group
    MEETING_MOVED = "MEETING_MOVED"
    INPUT_RECEIVED = "INPUT_RECEIVED"  # staff of the plan: new input in their groups
    AGREEMENT_AWAITS_APPROVAL = "AGREEMENT_AWAITS_APPROVAL"  # Landsbyggefonden: a strategic agreement


class EmailFrequency(str, enum.Enum):
    NEVER = "NEVER"
    EACH = "EACH"  # one mail per notification
    DAILY = "DAILY"  # a daily digest (offered to staff)


class Notification(SQLModel, table=True):
    """Something one account should hear of: a kind and the object it is about, never personal text.

    `params` holds the public names the sentence is made of (a group's name, an activity's title);
    the sentence itself is rendered in the reader's language when it is read.
    """

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = fk("account.id", ondelete="CASCADE", index=False)
    kind: NotificationKind
    subject_type: str = Field(max_length=50)  # a Node type name, e.g. ResidentInput
    subject_id: int
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON_DOCUMENT, nullable=False))
    created_at: datetime = tz_datetime(default_now=True)
    read_at: datetime | None = tz_datetime(nullable=True)
    # The list is read newest first per account, and the unread count on every signed-in page.
    __table_args__ = (Index("ix_notification_account_id_id", "account_id", "id"),)


class NotificationPreference(SQLModel, table=True):
    """How one account wants to hear of one kind; without a row: in the portal and by single mails."""

    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True))
    kind: NotificationKind = Field(primary_key=True)
    portal: bool = True
    email: EmailFrequency = EmailFrequency.EACH


class ActivityFollow(SQLModel, table=True):
    """A resident follows an activity: they hear when it changes, moves or is cancelled."""

    account_id: int = Field(sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), primary_key=True))
    activity_id: int = Field(
        sa_column=Column(Integer, ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    created_at: datetime = tz_datetime(default_now=True)


# ---------------------------------------------------------------- audit
class AuditEvent(SQLModel, table=True):
    """Who did what, when, with before and after; ids only, never residents' personal data."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = tz_datetime(default_now=True, index=True)
    actor_kind: ActorKind | None = None  # NULL for the system (migrations, demo data)
    actor_account_id: int | None = Field(default=None, index=True)  # not a FK: the log outlives accounts
    action: str = Field(max_length=100)
    object_type: str = Field(max_length=50)
    object_id: int | None = None
    plan_id: int | None = Field(default=None, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON_DOCUMENT, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON_DOCUMENT, nullable=True))
    reason: str | None = Field(default=None, max_length=500)
    # The last write of an object (who, as a role, and when) for an update refused as out of date.
    __table_args__ = (Index("ix_auditevent_object", "object_type", "object_id", "id"),)


class LiveEvent(SQLModel, table=True):
    """A change for live subscribers in other processes, polled on SQLite (PostgreSQL uses NOTIFY).

    Ids only; rows are pruned after a while, they are not a history.
    """

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = tz_datetime(default_now=True, index=True)
    topic: str = Field(max_length=50)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON_DOCUMENT, nullable=False))


class WebSession(SQLModel, table=True):
    """A browser session: the cookie holds a random id, the row holds its hash and the signed-in actor."""

    id_hash: str = Field(primary_key=True, max_length=64)
    account_id: int | None = fk("account.id", ondelete="CASCADE", nullable=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON_DOCUMENT, nullable=False))  # csrf, ...
    created_at: datetime = tz_datetime(default_now=True)
    expires_at: datetime = tz_datetime(index=True)


# SQLite reuses the highest id after a delete unless a table says AUTOINCREMENT; a reused id would
# give a new plan, account or live event the audit trail or place of a deleted one.
for _table in SQLModel.metadata.tables.values():
    if "id" in _table.c and _table.c.id.primary_key:
        _table.dialect_kwargs["sqlite_autoincrement"] = True
