"""Form handling shared by the pages: field checks and turning a mutation's typed errors into fields."""

from __future__ import annotations

from frontend.i18n import N_

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


def mutation_errors(payload_errors: list[dict], field_ids: dict[str, str], *, gettext, fallback_field: str) -> dict:
    """Typed errors from a payload -> {form field id: message in the page's language}.

    The API words its errors in Danish (`message`) and English (`messageEn`); the code's own text
    from the catalog is the fallback.
    """
    lang = getattr(gettext, "lang", "da")
    errors: dict[str, str] = {}
    for error in payload_errors or []:
        field_id = field_ids.get(error.get("field") or "", fallback_field)
        text = error.get("message") if lang == "da" else error.get("messageEn")
        if not text:
            known = ERROR_TEXTS.get(str(error.get("code") or ""))
            text = gettext(known) if known else gettext(GENERIC_ERROR)
        errors.setdefault(field_id, text)
    return errors
