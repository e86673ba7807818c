"""Who may read and do what: the one place where access is decided.

Rules are pure functions over the actor (None when not signed in) and plain facts about the object,
so the GraphQL layer, the portal and the services all ask the same question the same way.
List queries use the `*_filter` functions to load only what the actor may see (filter in SQL).
Every rule that only a signed-in actor can pass returns `TypeGuard[Actor]`, so after
`if not policy.can_x(actor, ...): raise ...` the type checker knows the actor is there.

In short:
- anonymous: public plans and their public activities, agreements other than emergency plans,
  goals, follow-up groups and the inputs a group has published (without their author);
- resident: also their own inputs and the answers; may give input to the groups of their estate;
- partner staff: also the internal details of activities their organisation takes part in, and may
  update only those;
- housing organisation staff: everything of the plans their organisation takes part in;
- municipality staff: everything in their municipality; approve plans and answer inputs;
- Landsbyggefonden (FUND): financing, goals, measurements, activities and reports of all plans,
  but no personal data of residents (no inputs, no residencies, no audit details).
"""

from __future__ import annotations

from typing import TypeGuard

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel import col

from backend.actor import Actor
from backend.db import one_of
from backend.models import (
    Activity,
    ActivityStatus,
    ActorKind,
    Agreement,
    AgreementKind,
    AuditEvent,
    Financing,
    FollowUpGroup,
    InputStatus,
    Plan,
    PlanStatus,
    ResidentInput,
    Visibility,
)

# A plan is public once the City Council has approved it; before that it is a draft between parties.
PUBLIC_PLAN_STATUSES = frozenset(
    {PlanStatus.APPROVED_BY_CITY_COUNCIL, PlanStatus.APPROVED_BY_LBF, PlanStatus.ACTIVE, PlanStatus.ENDED}
)


def _kind(actor: Actor | None) -> ActorKind | None:
    return actor.kind if actor else None


def is_plan_staff(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    """Housing organisation staff of a participating organisation, or municipality staff."""
    return bool(actor and actor.is_staff and plan_id in actor.plan_ids)


def is_housing_staff_of_plan(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    return bool(actor and actor.kind == ActorKind.HOUSING_ORGANISATION and plan_id in actor.plan_ids)


def is_fund(actor: Actor | None) -> TypeGuard[Actor]:
    return _kind(actor) == ActorKind.FUND


# ---------------------------------------------------------------- plans
def can_read_plan(actor: Actor | None, plan_id: int, status: PlanStatus) -> bool:
    return status in PUBLIC_PLAN_STATUSES or is_plan_staff(actor, plan_id) or is_fund(actor)


def plan_filter(actor: Actor | None) -> ColumnElement[bool]:
    public = col(Plan.status).in_([s.value for s in PUBLIC_PLAN_STATUSES])
    if is_fund(actor):
        return true()
    if actor and actor.is_staff and actor.plan_ids:
        return or_(public, one_of(Plan.id, sorted(actor.plan_ids)))
    return public


def can_read_financing(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    return is_plan_staff(actor, plan_id) or is_fund(actor)


def can_read_emergency_plan(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    return is_plan_staff(actor, plan_id)


def can_read_agreement(actor: Actor | None, plan_id: int, kind: AgreementKind) -> bool:
    if kind == AgreementKind.EMERGENCY_PLAN:
        return can_read_emergency_plan(actor, plan_id)
    return True  # strategic and sub-agreements are public documents of a readable plan


def can_read_annual_report(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    return is_plan_staff(actor, plan_id) or is_fund(actor)


def can_read_audit(actor: Actor | None, plan_id: int | None) -> TypeGuard[Actor]:
    if actor is None or not actor.is_staff:
        return False
    if actor.kind == ActorKind.MUNICIPALITY:
        return plan_id is None or plan_id in actor.plan_ids
    return plan_id is not None and plan_id in actor.plan_ids


def can_manage_plan(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    """Write the plan's documents, activities, goals, financing and groups."""
    return is_housing_staff_of_plan(actor, plan_id)


def can_create_plan(actor: Actor | None) -> TypeGuard[Actor]:
    return _kind(actor) == ActorKind.HOUSING_ORGANISATION


def can_approve_plan(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    """The City Council's approval is registered by municipality staff."""
    return bool(actor and actor.kind == ActorKind.MUNICIPALITY and plan_id in actor.plan_ids)


# ---------------------------------------------------------------- activities
def activity_filter(actor: Actor | None) -> ColumnElement[bool]:
    """Activities the actor may see; joins Plan (the caller joins Activity.plan_id == Plan.id)."""
    if is_fund(actor):
        return true()
    public = and_(col(Activity.visibility) == Visibility.PUBLIC, plan_filter(None))
    clauses = [public]
    if actor and actor.is_staff and actor.plan_ids:
        clauses.append(one_of(Activity.plan_id, sorted(actor.plan_ids)))
    if actor and actor.kind == ActorKind.PARTNER and actor.activity_ids:
        clauses.append(one_of(Activity.id, sorted(actor.activity_ids)))
    return or_(*clauses)


def can_read_activity_internals(actor: Actor | None, *, activity_id: int, plan_id: int) -> TypeGuard[Actor]:
    """Progress notes, contact details meant for partners, participant counts per occurrence."""
    if is_plan_staff(actor, plan_id) or is_fund(actor):
        return True
    return bool(actor and actor.kind == ActorKind.PARTNER and activity_id in actor.activity_ids)


def can_update_activity(actor: Actor | None, *, activity_id: int, plan_id: int) -> TypeGuard[Actor]:
    if is_housing_staff_of_plan(actor, plan_id):
        return True
    return bool(actor and actor.kind == ActorKind.PARTNER and activity_id in actor.activity_ids)


ACTIVITY_STATUSES_PARTNERS_MAY_SET = frozenset(ActivityStatus)


# ---------------------------------------------------------------- follow-up groups and input
def can_submit_input(actor: Actor | None, group_id: int) -> TypeGuard[Actor]:
    return bool(actor and actor.kind == ActorKind.RESIDENT and group_id in actor.group_ids)


def can_read_group_inputs(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    """All inputs of a group, unpublished ones included: the plan's staff (not the fund)."""
    return is_plan_staff(actor, plan_id)


def can_answer_input(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    return is_plan_staff(actor, plan_id)


def can_read_input(
    actor: Actor | None, *, plan_id: int, author_account_id: int | None, published: bool, hidden: bool
) -> bool:
    if is_plan_staff(actor, plan_id):
        return True
    if actor and actor.kind == ActorKind.RESIDENT and author_account_id == actor.account_id:
        return True
    return published and not hidden


def can_edit_own_input(actor: Actor | None, author_account_id: int | None) -> TypeGuard[Actor]:
    return bool(actor and actor.kind == ActorKind.RESIDENT and author_account_id == actor.account_id)


# Once the group has answered or closed an input, it stays as the answer refers to it.
INPUT_STATUSES_CLOSED_TO_AUTHOR = frozenset({InputStatus.ANSWERED, InputStatus.CLOSED})


def input_open_to_author(*, withdrawn: bool, status: InputStatus | str, answered: bool) -> bool:
    """Whether an input may still be edited or withdrawn by its author: not withdrawn, not answered
    (no answer, whatever its status says) and not closed."""
    return not withdrawn and not answered and InputStatus(status) not in INPUT_STATUSES_CLOSED_TO_AUTHOR


def can_change_own_input(
    actor: Actor | None, *, author_account_id: int | None, withdrawn: bool, status: InputStatus | str, answered: bool
) -> TypeGuard[Actor]:
    """Edit or withdraw (residentInputEdit / residentInputWithdraw): the author, while the input is open."""
    return can_edit_own_input(actor, author_account_id) and input_open_to_author(
        withdrawn=withdrawn, status=status, answered=answered
    )


def can_see_input_author(actor: Actor | None, author_account_id: int | None) -> TypeGuard[Actor]:
    """Only the author sees that an input is theirs; staff see the text, not who wrote it."""
    return bool(actor and author_account_id is not None and actor.account_id == author_account_id)


def can_manage_residency(actor: Actor | None, estate_organisation_id: int) -> TypeGuard[Actor]:
    return bool(
        actor
        and actor.kind == ActorKind.HOUSING_ORGANISATION
        and actor.housing_organisation_id == estate_organisation_id
    )


def can_redeem_residency_code(actor: Actor | None) -> TypeGuard[Actor]:
    """A signed-in resident links themselves to an estate with a household code."""
    return _kind(actor) == ActorKind.RESIDENT


def can_end_residency(actor: Actor | None, *, account_id: int | None, estate_organisation_id: int) -> TypeGuard[Actor]:
    """The resident (moving out) or staff of the estate's housing organisation."""
    return can_read_own_data(actor, account_id) or can_manage_residency(actor, estate_organisation_id)


# ---------------------------------------------------------------- writes of the services
# Who registers each move of a plan's status (DOMAIN.md): the plan's parties prepare it, the
# municipality registers the City Council's approval, Landsbyggefonden its own approval, and the
# housing organisations start and end the plan.
PLAN_STATUS_MOVES: dict[tuple[PlanStatus, PlanStatus], frozenset[ActorKind]] = {
    (PlanStatus.PREQUALIFIED, PlanStatus.IN_DIALOGUE): frozenset(
        {ActorKind.HOUSING_ORGANISATION, ActorKind.MUNICIPALITY}
    ),
    (PlanStatus.IN_DIALOGUE, PlanStatus.APPROVED_BY_CITY_COUNCIL): frozenset({ActorKind.MUNICIPALITY}),
    (PlanStatus.APPROVED_BY_CITY_COUNCIL, PlanStatus.APPROVED_BY_LBF): frozenset({ActorKind.FUND}),
    (PlanStatus.APPROVED_BY_LBF, PlanStatus.ACTIVE): frozenset({ActorKind.HOUSING_ORGANISATION}),
    (PlanStatus.ACTIVE, PlanStatus.ENDED): frozenset({ActorKind.HOUSING_ORGANISATION}),
}


def is_plan_party(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    """Staff of the plan or Landsbyggefonden: those who take part in moving its status."""
    return is_plan_staff(actor, plan_id) or is_fund(actor)


def can_change_plan_status(actor: Actor | None, plan_id: int, current: PlanStatus, new: PlanStatus) -> TypeGuard[Actor]:
    kinds = PLAN_STATUS_MOVES.get((current, new), frozenset())
    if actor is None or actor.kind not in kinds:
        return False
    if actor.kind == ActorKind.FUND:
        return True
    if actor.kind == ActorKind.MUNICIPALITY:
        return (
            can_approve_plan(actor, plan_id)
            if new == PlanStatus.APPROVED_BY_CITY_COUNCIL
            else is_plan_staff(actor, plan_id)
        )
    return is_housing_staff_of_plan(actor, plan_id)


# The moves that are a decision of the municipality or of Landsbyggefonden on a plan the housing
# organisations prepared: they are approved, or sent back with a note, on the decisions page.
DECISION_MOVES: dict[PlanStatus, PlanStatus] = {
    PlanStatus.PREQUALIFIED: PlanStatus.IN_DIALOGUE,
    PlanStatus.IN_DIALOGUE: PlanStatus.APPROVED_BY_CITY_COUNCIL,
    PlanStatus.APPROVED_BY_CITY_COUNCIL: PlanStatus.APPROVED_BY_LBF,
}


def plan_decision_for(actor: Actor | None, plan_id: int, status: PlanStatus) -> PlanStatus | None:
    """The move the actor decides on for a plan in this status (approve it or send it back), or None.

    The municipality decides on the prequalification and registers the City Council's approval,
    Landsbyggefonden its own approval; the housing organisations' own moves are no decisions.
    """
    new = DECISION_MOVES.get(PlanStatus(status))
    if new is None or actor is None or actor.kind not in (ActorKind.MUNICIPALITY, ActorKind.FUND):
        return None
    return new if can_change_plan_status(actor, plan_id, PlanStatus(status), new) else None


def can_approve_agreement(actor: Actor | None, plan_id: int, kind: AgreementKind) -> TypeGuard[Actor]:
    """Changes to the strategic agreement need Landsbyggefonden's approval; the municipality approves the rest."""
    if kind == AgreementKind.STRATEGIC:
        return is_fund(actor)
    return can_approve_plan(actor, plan_id)


def can_send_back_agreement(actor: Actor | None, plan_id: int, kind: AgreementKind) -> TypeGuard[Actor]:
    """Who approves a version may instead send it back to the housing organisations with a note."""
    return can_approve_agreement(actor, plan_id, kind)


def can_read_decisions(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    """The decisions on a plan and its documents (with their notes): the plan's staff and Landsbyggefonden."""
    return is_plan_party(actor, plan_id)


def can_register_input(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    """Staff register input on a resident's behalf (paper, phone, in person)."""
    return is_plan_staff(actor, plan_id)


def can_moderate_input(actor: Actor | None, plan_id: int) -> TypeGuard[Actor]:
    """Set status, publish, hide: the staff of the group's plan."""
    return is_plan_staff(actor, plan_id)


def can_export_own_data(actor: Actor | None) -> TypeGuard[Actor]:
    return actor is not None


def can_choose_own_language(actor: Actor | None) -> TypeGuard[Actor]:
    return actor is not None


def can_manage_own_mail(actor: Actor | None) -> TypeGuard[Actor]:
    """Everyone signed in may give an e-mail address for their own notifications (residents, and staff
    for their daily digest), turn mail off and remove it."""
    return actor is not None


def can_erase_own_account(actor: Actor | None) -> TypeGuard[Actor]:
    """Residents erase their own account; staff accounts follow their organisation's identity provider."""
    return _kind(actor) == ActorKind.RESIDENT


# ---------------------------------------------------------------- list filters for the read API
def agreement_filter(actor: Actor | None) -> ColumnElement[bool]:
    """Agreements the actor may see (of plans it may read): emergency plans only for the plan's staff."""
    not_emergency = col(Agreement.kind) != AgreementKind.EMERGENCY_PLAN
    if actor and actor.is_staff and actor.plan_ids:
        return or_(not_emergency, one_of(col(Agreement.plan_id), sorted(actor.plan_ids)))
    return not_emergency


def financing_filter(actor: Actor | None) -> ColumnElement[bool]:
    """Plans whose financing the actor may read (the caller selects Financing or Plan rows by plan id)."""
    if is_fund(actor):
        return true()
    if actor and actor.is_staff and actor.plan_ids:
        return one_of(col(Financing.plan_id), sorted(actor.plan_ids))
    return false()


def inbox_filter(actor: Actor | None) -> ColumnElement[bool]:
    """All inputs, unpublished ones included, of the groups of the actor's plans (as can_read_group_inputs;
    the caller joins FollowUpGroup): staff of the plans only, nothing for anyone else."""
    if actor and actor.is_staff and actor.plan_ids:
        return one_of(FollowUpGroup.plan_id, sorted(actor.plan_ids))
    return false()


def resident_input_filter(actor: Actor | None) -> ColumnElement[bool]:
    """Inputs the actor may see across plans (as can_read_input; the caller joins FollowUpGroup).

    The public sees published inputs that are neither hidden nor withdrawn.
    """
    clauses = [
        and_(
            col(ResidentInput.published).is_(True),
            col(ResidentInput.hidden).is_(False),
            col(ResidentInput.withdrawn).is_(False),
        )
    ]
    if actor and actor.is_staff and actor.plan_ids:
        clauses.append(one_of(FollowUpGroup.plan_id, sorted(actor.plan_ids)))
    if actor and actor.kind == ActorKind.RESIDENT:
        clauses.append(col(ResidentInput.author_account_id) == actor.account_id)
    return or_(*clauses)


def audit_filter(actor: Actor | None) -> ColumnElement[bool]:
    """Audit events the actor may read (as can_read_audit)."""
    if actor is None or not actor.is_staff:
        return false()
    of_plans = one_of(AuditEvent.plan_id, sorted(actor.plan_ids)) if actor.plan_ids else false()
    if actor.kind == ActorKind.MUNICIPALITY:
        # Events outside plans, except who lives where: residencies belong to the housing organisations.
        outside_plans = and_(
            col(AuditEvent.plan_id).is_(None), col(AuditEvent.object_type).not_in(PERSONAL_AUDIT_OBJECTS)
        )
        return or_(outside_plans, of_plans)
    return of_plans


PERSONAL_AUDIT_OBJECTS = ("Residency", "ResidencyCode", "Account", "WebSession")


def can_read_own_data(actor: Actor | None, account_id: int | None) -> TypeGuard[Actor]:
    """Personal data (residencies, own inputs) is shown to the person it is about."""
    return bool(actor and account_id is not None and actor.account_id == account_id)


def can_read_residency(actor: Actor | None, *, account_id: int, estate_organisation_id: int) -> TypeGuard[Actor]:
    return can_read_own_data(actor, account_id) or can_manage_residency(actor, estate_organisation_id)


def can_follow_activity_changes(actor: Actor | None, *, activity_id: int, plan_id: int) -> TypeGuard[Actor]:
    """Live activity changes: the plan's staff and the activity's partners."""
    if is_plan_staff(actor, plan_id):
        return True
    return bool(actor and actor.kind == ActorKind.PARTNER and activity_id in actor.activity_ids)


# ---------------------------------------------------------------- notifications
def activity_is_public(visibility: Visibility | str, plan_status: PlanStatus | str) -> bool:
    """What anyone may see of activities (activity_filter's public part, for one activity)."""
    return Visibility(visibility) == Visibility.PUBLIC and PlanStatus(plan_status) in PUBLIC_PLAN_STATUSES


def can_follow_activity(
    actor: Actor | None, visibility: Visibility | str, plan_status: PlanStatus | str
) -> TypeGuard[Actor]:
    """Residents follow public activities (activityFollow): they hear when one changes, moves or is cancelled."""
    return _kind(actor) == ActorKind.RESIDENT and activity_is_public(visibility, plan_status)


def can_read_own_notifications(actor: Actor | None) -> TypeGuard[Actor]:
    """Everyone signed in has notifications, and preferences for them."""
    return actor is not None


def can_read_notification(actor: Actor | None, recipient_account_id: int) -> TypeGuard[Actor]:
    """A notification is its recipient's only: anyone else gets null, as for an absent one."""
    return can_read_own_data(actor, recipient_account_id)
