"""Resident input to a follow-up group: submit, edit, withdraw, and the group's handling of it."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Insert, Update, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from backend import audit, clock, events, policy
from backend.actor import Actor, residency_current
from backend.models import (
    Account,
    Activity,
    AuditEvent,
    FocusArea,
    FollowUpGroup,
    FollowUpGroupEstate,
    InputAnswer,
    InputChannel,
    InputReport,
    InputStatus,
    Plan,
    Residency,
    ResidentInput,
    max_length,
    pk,
)
from backend.services import notifications, versions
from backend.services.errors import FieldError, NotFound, ValidationFailed
from backend.services.validation import Checker, get_or_404, now, referenced

TITLE_MAX = max_length(ResidentInput, "title")
BODY_MAX = max_length(ResidentInput, "body")
ANSWER_MAX = max_length(InputAnswer, "body")
REASON_MAX = max_length(InputReport, "reason")
HIDDEN_REASON_MAX = max_length(ResidentInput, "hidden_reason")
# Per resident, counted in the database so that it holds across server processes.
RATE_LIMIT_COUNT = 10
RATE_LIMIT_WINDOW = timedelta(hours=1)

GROUP_DA, GROUP_EN = "Følgegruppen", "The follow-up group"
# One message for absent and forbidden, which also says where a resident may give input.
SUBMIT_GROUP = (
    "Følgegruppen (du kan give input til følgegrupperne for den afdeling, du bor i)",
    "The follow-up group (you can give input to the groups of the estate you live in)",
)
INPUT_DA, INPUT_EN = "Inputtet", "The input"


def content_hash(group_id: int, title: str, body: str) -> str:
    return hashlib.sha256(f"{group_id}\x1f{title}\x1f{body}".encode()).hexdigest()


async def _group_and_plan(
    session: AsyncSession, group_id: int | None, field: str = "groupId", what: tuple[str, str] = (GROUP_DA, GROUP_EN)
) -> tuple[FollowUpGroup, Plan]:
    group = await get_or_404(session, FollowUpGroup, group_id, field, *what)
    plan = await referenced(session, Plan, group.plan_id)
    return group, plan


async def _input_for(
    session: AsyncSession,
    actor: Actor | None,
    input_id: int | None,
    *,
    field: str = "inputId",
    staff: bool = False,
    author: bool = False,
    reader: bool = False,
) -> tuple[ResidentInput, int]:
    """The input and its plan id, if the actor may act on it in the given capacity; else NotFound."""
    row = await get_or_404(session, ResidentInput, input_id, field, INPUT_DA, INPUT_EN)
    group = await referenced(session, FollowUpGroup, row.group_id)
    plan_id = group.plan_id
    allowed = (
        (staff and policy.can_moderate_input(actor, plan_id))
        or (author and policy.can_edit_own_input(actor, row.author_account_id))
        or (
            reader
            and actor is not None
            and policy.can_read_input(
                actor,
                plan_id=plan_id,
                author_account_id=row.author_account_id,
                published=row.published,
                hidden=row.hidden,
            )
        )
    )
    if not allowed:
        raise NotFound(field, INPUT_DA, INPUT_EN)
    return row, plan_id


async def _concerns(
    session: AsyncSession, check: Checker, plan: Plan, concerns: tuple[str, int] | None
) -> tuple[int | None, int | None]:
    """(activity_id, focus_area_id) for an optional subject: an activity of the plan or a focus area of its
    generation."""
    if concerns is None:
        return None, None
    kind, key = concerns
    if kind == "Activity":
        activity = await session.get(Activity, key)
        if activity is not None and activity.plan_id == plan.id:
            return activity.id, None
    elif kind == "FocusArea":
        area = await session.get(FocusArea, key)
        if area is not None and area.generation_id == plan.generation_id:
            return None, area.id
    check.add(
        "concernsId",
        "NOT_FOUND",
        "Aktiviteten eller indsatsområdet findes ikke i denne helhedsplan.",
        "The activity or focus area does not exist in this plan.",
    )
    return None, None


def _check_texts(
    check: Checker, title: str | None, body: str | None, *, required: bool = True
) -> tuple[str | None, str | None]:
    title = check.text(
        "title",
        title,
        max_len=TITLE_MAX,
        required=required,
        label_da="Overskriften",
        label_en="The title",
        single_line=True,
    )
    body = check.text("body", body, max_len=BODY_MAX, required=required, label_da="Teksten", label_en="The text")
    return title, body


def _duplicate() -> ValidationFailed:
    return ValidationFailed(
        FieldError(
            None,
            "DUPLICATE",
            "Du har allerede sendt præcis det samme input.",
            "You have already sent exactly the same input.",
        )
    )


async def _rate_limited(session: AsyncSession, account_id: int) -> bool:
    since = now() - RATE_LIMIT_WINDOW
    count = (
        await session.execute(
            select(func.count())
            .select_from(ResidentInput)
            .where(col(ResidentInput.author_account_id) == account_id, col(ResidentInput.created_at) >= since)
        )
    ).scalar_one()
    return count >= RATE_LIMIT_COUNT


async def _flush_input(session: AsyncSession, row: ResidentInput, *, expected_version: int | None = None) -> None:
    """Store the input (a new one flushed, a stored one as its next version); the unique (author, content
    hash) turns a concurrent twin into DUPLICATE."""
    try:
        if row.id is None:
            await session.flush()
        else:
            await versions.save(session, row, expected_version, field="inputId")
    except IntegrityError as exc:
        _raise_duplicate_for(exc)
        raise


def _raise_duplicate_for(exc: IntegrityError) -> None:
    """DUPLICATE when the unique (author, content hash) refused the write."""
    if "residentinput_no_duplicate" in str(exc.orig) or "content_hash" in str(exc.orig):
        raise _duplicate() from None


@dataclass(frozen=True)
class Submitted:
    """A stored submission and the plan of its group (what the API answers with, without reading it again)."""

    row: ResidentInput
    plan_id: int


async def submit(
    *,
    session: AsyncSession,
    actor: Actor | None,
    group_id: int | None,
    title: str | None,
    body: str | None,
    language: str | None = None,
    concerns: tuple[str, int] | None = None,
) -> ResidentInput:
    """`submit_input`'s stored row."""
    submitted = await submit_input(
        session=session,
        actor=actor,
        group_id=group_id,
        title=title,
        body=body,
        language=language,
        concerns=concerns,
    )
    return submitted.row


async def submit_input(
    *,
    session: AsyncSession,
    actor: Actor | None,
    group_id: int | None,
    title: str | None,
    body: str | None,
    language: str | None = None,
    concerns: tuple[str, int] | None = None,
) -> Submitted:
    """A resident gives input to a follow-up group of the estate they live in.

    On PostgreSQL the common success takes two statements (`_submit_at_once`); whatever it does not store
    goes the long way below, which finds the exact refusal."""
    tried = False
    if concerns is None and policy.can_submit_input(actor, group_id or 0):
        try:
            texts = _checked_texts(title, body, language)
        except ValidationFailed:
            texts = None  # the long way names every error, in its order
        if texts is not None and (await session.connection()).dialect.name == "postgresql":
            row = _new_input(actor, group_id or 0, *texts, None, None)
            found = await _submit_at_once(session, actor, row)
            if found is not None:
                plan_id, group_name = found
                await _tell(session, actor, row, plan_id, group_name)
                return Submitted(row, plan_id)
            tried = True
    group, plan = await _group_and_plan(session, group_id, what=SUBMIT_GROUP)
    # A group of a plan the resident cannot see (a draft) takes no input: it could never be read back.
    if not policy.can_submit_input(actor, pk(group)) or not policy.can_read_plan(actor, pk(plan), plan.status):
        raise NotFound("groupId", *SUBMIT_GROUP)
    check = Checker()
    title, body = _check_texts(check, title, body)
    language = check.language("language", language)
    activity_id, focus_area_id = await _concerns(session, check, plan, concerns)
    title = check.done(title)
    body = check.done(body)
    await session.execute(ONE_AT_A_TIME, _one_at_a_time_params(actor.account_id))
    row = _new_input(actor, pk(group), title, body, language, activity_id, focus_area_id)
    existing = await session.execute(
        select(col(ResidentInput.id)).where(
            col(ResidentInput.author_account_id) == actor.account_id,
            col(ResidentInput.content_hash) == row.content_hash,
        )
    )
    if existing.first() is not None:
        raise _duplicate()
    if await _rate_limited(session, actor.account_id):
        raise ValidationFailed(
            FieldError(
                None,
                "RATE_LIMITED",
                f"Du har sendt {RATE_LIMIT_COUNT} input inden for den seneste time. Prøv igen senere.",
                f"You have sent {RATE_LIMIT_COUNT} inputs within the last hour. Please try again later.",
            )
        )
    if tried:  # what the actor's scope still says, the residency of today no longer does
        raise NotFound("groupId", *SUBMIT_GROUP)
    session.add(row)
    await _flush_input(session, row)
    await audit.record(session, actor=actor, action="residentInput.submit", obj=row, plan_id=plan.id)
    await _tell(session, actor, row, pk(plan), group.name)
    return Submitted(row, pk(plan))


def _checked_texts(title: str | None, body: str | None, language: str | None) -> tuple[str, str, str]:
    check = Checker()
    title, body = _check_texts(check, title, body)
    language = check.language("language", language)
    return check.done(title, body, language)


def _new_input(
    actor: Actor,
    group_id: int,
    title: str,
    body: str,
    language: str,
    activity_id: int | None,
    focus_area_id: int | None,
) -> ResidentInput:
    return ResidentInput(
        group_id=group_id,
        author_account_id=actor.account_id,
        title=title,
        body=body,
        language=language,
        concerns_activity_id=activity_id,
        concerns_focus_area_id=focus_area_id,
        channel=InputChannel.WEB,
        content_hash=content_hash(group_id, title, body),
    )


def _one_at_a_time() -> Update:
    """One resident's submissions run one at a time (row lock on PostgreSQL, write lock on SQLite), so the
    rate limit and the duplicate check, in the statements after this one, count what the others committed.
    Built once (parameters `_at_once_params`): on the table, since no loaded Account needs the new time."""
    accounts = Account.__table__  # type: ignore[attr-defined]  # sqlmodel sets it on table models
    return (
        update(accounts)
        .where(accounts.c.id == bindparam("account_id"))
        .values(last_seen_at=bindparam("seen_at", type_=accounts.c.last_seen_at.type))
    )


ONE_AT_A_TIME = _one_at_a_time()
# The first statement of `_submit_at_once`: the lock and the input's id.
_LOCK_AND_ID = ONE_AT_A_TIME.returning(func.nextval(func.pg_get_serial_sequence(ResidentInput.__tablename__, "id")))


def _one_at_a_time_params(account_id: int | None) -> dict[str, Any]:
    return {"account_id": account_id, "seen_at": now()}


async def _submit_at_once(session: AsyncSession, actor: Actor, row: ResidentInput) -> tuple[int, str] | None:
    """PostgreSQL: store a submission that passes every check in two statements, or nothing (None).

    The first takes the resident's lock (`ONE_AT_A_TIME`) and the input's id. The second, run after the
    lock with a snapshot of its own (READ COMMITTED), so that it counts what the resident's other
    submissions committed, inserts the input and its audit row only where the group's plan is public,
    the resident lives in one of its estates today, is under the hourly limit and has not sent the same
    text: (plan id, group name) when it did. Both are built once, with parameters (their construction
    and cache key cost more CPU than the rest of a submission)."""
    locked = await session.execute(_LOCK_AND_ID, _one_at_a_time_params(actor.account_id))
    row.id = locked.scalar_one_or_none()
    if row.id is None:  # the account has just been erased
        raise NotFound("groupId", *SUBMIT_GROUP)
    event = audit.event_of(actor=actor, action="residentInput.submit", obj=row)
    stored, audited = _values(ResidentInput, row, "i_"), _values(AuditEvent, event, "a_")
    params = {
        "account_id": actor.account_id,
        "group_id": row.group_id,
        "content_hash": row.content_hash,
        "today": clock.today(),
        "since": now() - RATE_LIMIT_WINDOW,
    }
    try:
        statement = _stored_at_once(tuple(stored), tuple(audited))
        found = (await session.execute(statement, params | stored | audited)).first()
    except IntegrityError as exc:  # an edit of another of her inputs to this text, committed meanwhile
        _raise_duplicate_for(exc)
        raise
    return None if found is None else (found[0], found[1])


def _values(model: type[SQLModel], obj: SQLModel, prefix: str) -> dict[str, Any]:
    """obj's stored values (not None) by column name with `prefix`: the parameters of `_insert_from`."""
    table = model.__table__  # type: ignore[attr-defined]  # sqlmodel sets it on table models
    return {prefix + c.name: value for c in table.columns if (value := getattr(obj, c.name)) is not None}


@functools.cache
def _stored_at_once(stored: tuple[str, ...], audited: tuple[str, ...]) -> Insert:
    """`_submit_at_once`'s second statement for the input's and audit row's parameter names (always the same
    few sets): account_id, group_id, content_hash, today, since, and the values of `_values`."""
    mine = col(ResidentInput.author_account_id) == bindparam("account_id")
    lives_there = (
        select(col(Residency.id))
        .join(FollowUpGroupEstate, col(FollowUpGroupEstate.estate_id) == col(Residency.estate_id))
        .where(
            col(FollowUpGroupEstate.group_id) == col(FollowUpGroup.id),
            col(Residency.account_id) == bindparam("account_id"),
            residency_current(bindparam("today")),
        )
    )
    recent = (
        select(func.count()).select_from(ResidentInput).where(mine, col(ResidentInput.created_at) >= bindparam("since"))
    )
    twin = select(col(ResidentInput.id)).where(mine, col(ResidentInput.content_hash) == bindparam("content_hash"))
    ok = (
        select(col(FollowUpGroup.plan_id).label("plan_id"), col(FollowUpGroup.name).label("name"))
        .join(Plan, col(Plan.id) == col(FollowUpGroup.plan_id))
        .where(
            col(FollowUpGroup.id) == bindparam("group_id"),
            # as can_read_plan: only a resident submits here, and a resident gives input to public plans only
            policy.plan_filter(None),
            lives_there.exists(),
            recent.scalar_subquery() < RATE_LIMIT_COUNT,
            ~twin.exists(),
        )
        .cte("ok")
    )
    audit_row = _insert_from(AuditEvent, audited, "a_", ok, plan_id=ok.c.plan_id).cte("audited")
    return (
        _insert_from(ResidentInput, stored, "i_", ok)
        .add_cte(audit_row)
        .returning(select(ok.c.plan_id).scalar_subquery(), select(ok.c.name).scalar_subquery())
    )


def _insert_from(model: type[SQLModel], names: tuple[str, ...], prefix: str, source: Any, **columns: Any) -> Insert:
    """INSERT INTO model SELECT the parameters `names` (column name after `prefix`), and `columns` from
    `source`, FROM source: a row per row of source."""
    table = model.__table__  # type: ignore[attr-defined]  # sqlmodel sets it on table models
    targets = [name.removeprefix(prefix) for name in names]
    values = [bindparam(name, type_=table.c[target].type) for name, target in zip(names, targets, strict=True)]
    return insert(table).from_select([*targets, *columns], select(*values, *columns.values()).select_from(source))


async def _tell(session: AsyncSession, actor: Actor | None, row: ResidentInput, plan_id: int, group_name: str) -> None:
    """The plan's staff hear of a new input, and live subscribers see it."""
    await notifications.input_received(session, actor, input_id=pk(row), plan_id=plan_id, group_name=group_name)
    await events.publish(
        session, events.RESIDENT_INPUT_RECEIVED, input_id=row.id, group_id=row.group_id, plan_id=plan_id
    )


async def register(
    *,
    session: AsyncSession,
    actor: Actor | None,
    group_id: int | None,
    title: str | None,
    body: str | None,
    channel: InputChannel,
    language: str | None = None,
    concerns: tuple[str, int] | None = None,
) -> ResidentInput:
    """Staff register input on a resident's behalf (paper, phone, in person); no account is linked."""
    group, plan = await _group_and_plan(session, group_id)
    if not policy.can_register_input(actor, pk(plan)):
        raise NotFound("groupId", GROUP_DA, GROUP_EN)
    check = Checker()
    title, body = _check_texts(check, title, body)
    language = check.language("language", language)
    if channel not in (InputChannel.PAPER, InputChannel.PHONE, InputChannel.IN_PERSON):
        check.add(
            "channel",
            "INVALID",
            "Kanalen skal være papir, telefon eller personligt fremmøde.",
            "The channel must be paper, phone or in person.",
        )
    activity_id, focus_area_id = await _concerns(session, check, plan, concerns)
    title = check.done(title)
    body = check.done(body)
    row = ResidentInput(
        group_id=pk(group),
        author_account_id=None,
        title=title,
        body=body,
        language=language,
        concerns_activity_id=activity_id,
        concerns_focus_area_id=focus_area_id,
        channel=channel,
    )
    await audit.created(session, row, actor=actor, action="residentInput.register", plan_id=plan.id)
    await _tell(session, actor, row, pk(plan), group.name)
    return row


async def _has_answer(session: AsyncSession, input_id: int) -> bool:
    return (
        await session.execute(select(col(InputAnswer.id)).where(col(InputAnswer.input_id) == input_id).limit(1))
    ).first() is not None


WITHDRAWN = FieldError("inputId", "WITHDRAWN", "Inputtet er trukket tilbage.", "The input has been withdrawn.")


async def _changed(
    session: AsyncSession,
    actor: Actor | None,
    row: ResidentInput,
    before: audit.AuditData,
    *,
    action: str,
    plan_id: int,
    expected_version: int | None,
    reason: str | None = None,
) -> ResidentInput:
    """Stamp, save (at `expected_version` when given, else CONFLICT) and audit a change to an input
    (`before`: its snapshot from before the change)."""
    row.updated_at = now()
    await versions.save(session, row, expected_version, field="inputId")
    await audit.record(session, actor=actor, action=action, obj=row, plan_id=plan_id, before=before, reason=reason)
    return row


async def _check_still_open(session: AsyncSession, row: ResidentInput) -> None:
    if row.withdrawn:
        raise ValidationFailed(WITHDRAWN)
    if not policy.input_open_to_author(
        withdrawn=False, status=row.status, answered=await _has_answer(session, pk(row))
    ):
        raise ValidationFailed(
            FieldError(
                "inputId",
                "ALREADY_ANSWERED",
                "Inputtet er besvaret eller lukket og kan ikke længere ændres.",
                "The input has been answered or closed and can no longer be changed.",
            )
        )


async def edit(
    *,
    session: AsyncSession,
    actor: Actor | None,
    input_id: int | None,
    title: str | None = None,
    body: str | None = None,
    language: str | None = None,
    expected_version: int | None = None,
) -> ResidentInput:
    """The author changes their input while it is unanswered."""
    row, plan_id = await _input_for(session, actor, input_id, author=True)
    await versions.expect(session, row, expected_version, field="inputId")
    await _check_still_open(session, row)
    check = Checker()
    new_title = (
        check.text("title", title, max_len=TITLE_MAX, label_da="Overskriften", label_en="The title", single_line=True)
        if title is not None
        else row.title
    )
    new_body = (
        check.text("body", body, max_len=BODY_MAX, label_da="Teksten", label_en="The text")
        if body is not None
        else row.body
    )
    new_language = check.language("language", language, default=row.language)
    new_title = check.done(new_title)
    new_body = check.done(new_body)
    before = audit.snapshot(row)
    row.title, row.body, row.language = new_title, new_body, new_language
    row.content_hash = content_hash(row.group_id, new_title, new_body)
    row.updated_at = now()
    await _flush_input(session, row, expected_version=expected_version)
    await audit.record(session, actor=actor, action="residentInput.edit", obj=row, plan_id=plan_id, before=before)
    return row


async def withdraw(
    *, session: AsyncSession, actor: Actor | None, input_id: int | None, expected_version: int | None = None
) -> ResidentInput:
    """The author withdraws their unanswered input; it is closed and no longer counts as a duplicate."""
    row, plan_id = await _input_for(session, actor, input_id, author=True)
    await versions.expect(session, row, expected_version, field="inputId")
    await _check_still_open(session, row)
    before = audit.snapshot(row)
    row.withdrawn, row.status, row.published, row.content_hash = True, InputStatus.CLOSED, False, None
    return await _changed(
        session, actor, row, before, action="residentInput.withdraw", plan_id=plan_id, expected_version=expected_version
    )


async def set_status(
    *,
    session: AsyncSession,
    actor: Actor | None,
    input_id: int | None,
    status: InputStatus,
    expected_version: int | None = None,
) -> ResidentInput:
    row, plan_id = await _input_for(session, actor, input_id, staff=True)
    await versions.expect(session, row, expected_version, field="inputId")
    if row.withdrawn:
        raise ValidationFailed(WITHDRAWN)
    if status == InputStatus.ANSWERED and not await _has_answer(session, pk(row)):
        raise ValidationFailed(
            FieldError(
                "status",
                "NOT_ANSWERED",
                "Status kan først blive 'besvaret', når der er et svar.",
                "The status can only become ANSWERED once there is an answer.",
            )
        )
    before = audit.snapshot(row)
    row.status = status
    await _changed(
        session,
        actor,
        row,
        before,
        action="residentInput.setStatus",
        plan_id=plan_id,
        expected_version=expected_version,
    )
    if audit.snapshot(row)["status"] != before["status"]:
        await notifications.input_handled(session, actor, row, "status")
    return row


async def answer(
    *,
    session: AsyncSession,
    actor: Actor | None,
    input_id: int | None,
    body: str | None,
    expected_version: int | None = None,
) -> tuple[ResidentInput, InputAnswer]:
    """Staff of the plan answer; the status becomes ANSWERED and the author is told.

    An answer is a write of the input (its status, a new version): with `expected_version`, two staff
    members answering the same version are not both stored."""
    row, plan_id = await _input_for(session, actor, input_id, staff=True)
    await versions.expect(session, row, expected_version, field="inputId")
    if row.withdrawn:
        raise ValidationFailed(WITHDRAWN)
    check = Checker()
    body = check.text("body", body, max_len=ANSWER_MAX, label_da="Svaret", label_en="The answer")
    body = check.done(body)
    assert actor is not None  # _input_for lets only the plan's staff through
    before = audit.snapshot(row)
    row.status = InputStatus.ANSWERED
    row.updated_at = now()
    await versions.save(session, row, expected_version, field="inputId")
    reply = InputAnswer(input_id=pk(row), body=body, author_kind=actor.kind)
    session.add(reply)
    await session.flush()
    await audit.record(session, actor=actor, action="residentInput.answer", obj=row, plan_id=plan_id, before=before)
    await audit.record(session, actor=actor, action="inputAnswer.create", obj=reply, plan_id=plan_id)
    await notifications.input_handled(session, actor, row, "answered")
    await events.publish(
        session,
        events.RESIDENT_INPUT_ANSWERED,
        input_id=row.id,
        author_account_id=row.author_account_id,
        plan_id=plan_id,
    )
    return row, reply


async def publish(
    *,
    session: AsyncSession,
    actor: Actor | None,
    input_id: int | None,
    published: bool = True,
    expected_version: int | None = None,
) -> ResidentInput:
    """The group shows an answered input with its answer on the public portal (never its author)."""
    row, plan_id = await _input_for(session, actor, input_id, staff=True)
    await versions.expect(session, row, expected_version, field="inputId")
    if published:
        if row.withdrawn:
            raise ValidationFailed(WITHDRAWN)
        if row.hidden:
            raise ValidationFailed(
                FieldError(
                    "inputId",
                    "NOT_ALLOWED",
                    "Et skjult input kan ikke offentliggøres.",
                    "A hidden input cannot be published.",
                )
            )
        if not await _has_answer(session, pk(row)):
            raise ValidationFailed(
                FieldError(
                    "inputId",
                    "NOT_ANSWERED",
                    "Inputtet kan først offentliggøres sammen med et svar.",
                    "The input can only be published together with an answer.",
                )
            )
    before = audit.snapshot(row)
    row.published = published
    action = "residentInput.publish" if published else "residentInput.unpublish"
    await _changed(session, actor, row, before, action=action, plan_id=plan_id, expected_version=expected_version)
    if published and not before["published"]:
        await notifications.input_handled(session, actor, row, "published")
    return row


async def hide(
    *,
    session: AsyncSession,
    actor: Actor | None,
    input_id: int | None,
    reason: str | None,
    hidden: bool = True,
    expected_version: int | None = None,
) -> ResidentInput:
    """Moderation: hide an input with a reason, which the audit log keeps."""
    row, plan_id = await _input_for(session, actor, input_id, staff=True)
    await versions.expect(session, row, expected_version, field="inputId")
    check = Checker()
    reason = check.text(
        "reason", reason, max_len=HIDDEN_REASON_MAX, required=hidden, label_da="Begrundelsen", label_en="The reason"
    )
    check.done()
    before = audit.snapshot(row)
    row.hidden = hidden
    row.hidden_reason = reason if hidden else None
    if hidden:
        row.published = False
    action = "residentInput.hide" if hidden else "residentInput.unhide"
    await _changed(
        session, actor, row, before, action=action, plan_id=plan_id, expected_version=expected_version, reason=reason
    )
    if hidden and not before["hidden"]:
        await notifications.input_handled(session, actor, row, "hidden")
    return row


async def report(
    *, session: AsyncSession, actor: Actor | None, input_id: int | None, reason: str | None
) -> InputReport:
    """Anyone signed in who can see an input may report it as abusive (once)."""
    row, plan_id = await _input_for(session, actor, input_id, reader=True)
    check = Checker()
    reason = check.text("reason", reason, max_len=REASON_MAX, label_da="Begrundelsen", label_en="The reason")
    reason = check.done(reason)
    assert actor is not None  # _input_for lets only a signed-in reader through
    already = await session.execute(
        select(col(InputReport.id)).where(
            col(InputReport.input_id) == row.id, col(InputReport.reporter_account_id) == actor.account_id
        )
    )
    if already.first() is not None:
        raise ValidationFailed(
            FieldError(
                None, "DUPLICATE", "Du har allerede anmeldt dette input.", "You have already reported this input."
            )
        )
    item = InputReport(input_id=pk(row), reporter_account_id=actor.account_id, reason=reason)
    session.add(item)
    await session.flush()
    ids = {"id": item.id, "input_id": row.id}  # ids only: the reporter's words stay out of the log
    await audit.record(session, actor=actor, action="residentInput.report", obj=item, plan_id=plan_id, after=ids)
    return item
