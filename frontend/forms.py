"""Form handling shared by the pages: field checks and turning a mutation's typed errors into fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from backend.models import Activity, Decision, InputAnswer, Occurrence, ProgressNote, ResidentInput, max_length
from frontend.i18n import N_
from frontend.labels import label

# The longest text each form takes: the model's limit (backend/models.py), which the API checks again.
# Templates read them as `limits` (hints, maxlength).
LIMITS = {
    "input_title": max_length(ResidentInput, "title"),
    "input_body": max_length(ResidentInput, "body"),
    "answer": max_length(InputAnswer, "body"),
    "activity_description": max_length(Activity, "description"),
    "occurrence_location": max_length(Occurrence, "location"),
    "progress_note": max_length(ProgressNote, "text"),
    "decision_note": max_length(Decision, "note"),
}

# Danish texts for the error codes the mutations answer with; the API's own messages are English.
ERROR_TEXTS = {
    "REQUIRED": N_("Feltet skal udfyldes."),
    "TOO_LONG": N_("Teksten er for lang."),
    "RATE_LIMITED": N_("Du har sendt mange input på kort tid. Vent lidt og prøv igen."),
    "TOO_MANY_ATTEMPTS": N_("For mange forkerte forsøg. Prøv igen om en time."),
    "DUPLICATE": N_("Du har allerede sendt det samme input."),
    "INVALID": N_("Værdien er ikke gyldig."),
    "NOT_FOUND": N_("Det findes ikke længere."),
}
GENERIC_ERROR = N_("Det kunne ikke gemmes. Tjek felterne og prøv igen.")

# Someone else saved the same thing after the page was shown (the API's CONFLICT): who as a role, and when.
CONFLICT_TEXTS = {
    True: N_(
        "En anden gemte en ændring, mens du havde siden åben: %(role)s, %(when)s. Din tekst er ikke gemt. "
        "Sammenlign den med den gemte udgave, og gem igen, hvis din skal gælde."
    ),
    False: N_(
        "En anden gemte en ændring, mens du havde siden åben: %(role)s. Din tekst er ikke gemt. "
        "Sammenlign den med den gemte udgave, og gem igen, hvis din skal gælde."
    ),
}
SYSTEM = N_("systemet")

# The hidden field of every form that edits: the version of the object as the page showed it, sent back
# as the mutation's expectedVersion so that a change made meanwhile is not overwritten unseen.
VERSION_FIELD = "version"


@dataclass
class SentBack:
    """A form the page shows again: what was sent, what is wrong, and the API's CONFLICT when someone saved
    in between (the page then shows what is stored now beside `values` and carries the stored version)."""

    values: dict
    errors: dict[str, str] = field(default_factory=dict)
    conflict: dict | None = None

    @property
    def status_code(self) -> int:
        return 409 if self.conflict else 400

    def context(self) -> dict:
        return {"values": self.values, "errors": self.errors, "conflict": self.conflict}


NOTHING_SENT = SentBack(values={})


def posted_version(form: FormData) -> int | None:
    """The version the form was shown with; none (a form from before versions) changes what is stored now."""
    raw = str(form.get(VERSION_FIELD, "")).strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise HTTPException(status_code=400)  # a tampered form: no version the portal ever shows
    return int(raw)


def edit_conflict(payload_errors: list[dict] | None) -> dict | None:
    """The API's CONFLICT (`currentVersion`, `changedBy`, `changedAt`) when a change named an old version."""
    return next(
        (e["conflict"] for e in payload_errors or [] if e.get("code") == "CONFLICT" and e.get("conflict")), None
    )


def conflict_text(conflict: dict, *, gettext) -> str:
    from frontend.templating import environment  # here, as templating reads this module's LIMITS

    lang = getattr(gettext, "lang", "da")
    role = label(gettext, "ActorKind", conflict.get("changedBy")) or gettext(SYSTEM)
    when = environment(lang).filters["dt"](conflict.get("changedAt"))
    return gettext(CONFLICT_TEXTS[bool(when)]) % {"role": role, "when": when}


def check_text(
    errors: dict, field_id: str, value: str, *, gettext, required: bool = True, max_length: int, name: str
) -> None:
    if required and not value.strip():
        errors[field_id] = gettext("Skriv %(name)s.") % {"name": name}
    elif len(value) > max_length:
        errors[field_id] = gettext("%(name)s må højst være %(count)d tegn.") % {
            "name": name[:1].upper() + name[1:],
            "count": max_length,
        }


def mutation_errors(
    payload_errors: list[dict] | None, field_ids: dict[str, str], *, gettext, fallback_field: str
) -> dict:
    """Typed errors from a payload -> {form field id: message in the page's language}.

    The API words its errors in Danish (`message`) and English (`messageEn`); the code's own text
    from the catalog is the fallback. A CONFLICT says who (a role) changed it when, on the form's main field.
    """
    lang = getattr(gettext, "lang", "da")
    errors: dict[str, str] = {}
    for error in payload_errors or []:
        field_id = field_ids.get(error.get("field") or "", fallback_field)
        if error.get("code") == "CONFLICT" and error.get("conflict"):
            errors.setdefault(fallback_field, conflict_text(error["conflict"], gettext=gettext))
            continue
        text = error.get("message") if lang == "da" else error.get("messageEn")
        if not text:
            known = ERROR_TEXTS.get(str(error.get("code") or ""))
            text = gettext(known) if known else gettext(GENERIC_ERROR)
        errors.setdefault(field_id, text)
    return errors
