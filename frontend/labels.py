"""Danish words for the API's enum values (translated through the catalog where shown)."""

from __future__ import annotations

from frontend.i18n import N_

LABELS: dict[str, dict[str, str]] = {
    "PlanStatus": {
        "PREQUALIFIED": N_("Prækvalificeret"),
        "IN_DIALOGUE": N_("I dialog med Landsbyggefonden"),
        "APPROVED_BY_CITY_COUNCIL": N_("Godkendt af Borgerrepræsentationen"),
        "APPROVED_BY_LBF": N_("Godkendt af Landsbyggefonden"),
        "ACTIVE": N_("I gang"),
        "ENDED": N_("Afsluttet"),
    },
    "ActivityStatus": {
        "PLANNED": N_("Planlagt"),
        "ACTIVE": N_("I gang"),
        "PAUSED": N_("Sat på pause"),
        "ENDED": N_("Afsluttet"),
    },
    "InputStatus": {
        "RECEIVED": N_("Modtaget"),
        "UNDER_CONSIDERATION": N_("Under behandling"),
        "ANSWERED": N_("Besvaret"),
        "CLOSED": N_("Lukket"),
    },
    "InputChannel": {
        "WEB": N_("Portalen"),
        "PAPER": N_("Papir"),
        "PHONE": N_("Telefon"),
        "IN_PERSON": N_("Personligt fremmøde"),
    },
    "NotificationKind": {
        "INPUT_ANSWERED": N_("Dit input er besvaret"),
        "INPUT_PUBLISHED": N_("Dit input er offentliggjort"),
        "INPUT_HIDDEN": N_("Dit input er skjult"),
        "INPUT_STATUS_CHANGED": N_("Dit input har fået en ny status"),
        "ACTIVITY_CHANGED": N_("En aktivitet, du følger, er ændret"),
        "OCCURRENCE_MOVED": N_("En dato for en aktivitet er flyttet"),
        "OCCURRENCE_CANCELLED": N_("En dato for en aktivitet er aflyst"),
        "MEETING_CREATED": N_("Nyt møde i din følgegruppe"),
        "MEETING_MOVED": N_("Et møde i din følgegruppe er flyttet"),
        "INPUT_RECEIVED": N_("Nyt input til jeres følgegrupper"),
        "AGREEMENT_AWAITS_APPROVAL": N_("En strategisk aftale venter på godkendelse"),
    },
    "EmailFrequency": {
        "NEVER": N_("Ingen e-mail"),
        "EACH": N_("En e-mail hver gang"),
        "DAILY": N_("Én samlet e-mail om dagen"),
    },
    "PartnerRole": {
        "RESPONSIBLE": N_("Ansvarlig"),
        "CO_RESPONSIBLE": N_("Medansvarlig"),
        "CONTRIBUTING": N_("Bidrager"),
    },
    "PartnerKind": {
        "MUNICIPAL_ADMINISTRATION": N_("Kommunal forvaltning"),
        "HOUSING_ORGANISATION": N_("Boligorganisation"),
        "POLICE": N_("Politi"),
        "SCHOOL": N_("Skole"),
        "ASSOCIATION": N_("Forening"),
        "FOUNDATION": N_("Fond"),
        "OTHER": N_("Andet"),
    },
    "FinancingParty": {
        "LANDSBYGGEFONDEN": N_("Landsbyggefonden"),
        "MUNICIPALITY": N_("Kommunen"),
        "HOUSING_ORGANISATION": N_("Boligorganisationerne"),
        "OTHER": N_("Andre"),
    },
    "IndicatorDirection": {
        "INCREASE": N_("Skal stige"),
        "DECREASE": N_("Skal falde"),
        "KEEP": N_("Skal fastholdes"),
    },
    "OtherEffortKind": {
        "LETTING_AGREEMENT": N_("Udlejningsaftale"),
        "DEVELOPMENT_PLAN": N_("Udviklingsplan"),
        "AREA_RENEWAL": N_("Områdefornyelse"),
    },
    "AgreementKind": {
        "STRATEGIC": N_("Strategisk samarbejdsaftale"),
        "SUB_AGREEMENT": N_("Delaftale"),
        "EMERGENCY_PLAN": N_("Beredskabsplan"),
    },
    "DecisionOutcome": {
        "APPROVED": N_("Godkendt"),
        "SENT_BACK": N_("Sendt tilbage"),
    },
    "ActorKind": {
        "RESIDENT": N_("Beboer"),
        "HOUSING_ORGANISATION": N_("Boligorganisation"),
        "MUNICIPALITY": N_("Kommune"),
        "PARTNER": N_("Partner"),
        "FUND": N_("Landsbyggefonden"),
    },
    "ResidencyConfirmation": {
        "STAFF": N_("Bekræftet af boligorganisationen"),
        "CODE": N_("Med husstandskode"),
    },
}


# Names that come as data but are the portal's own words, so they are in the catalogue: Landsbyggefonden's
# focus areas (all funding generations) and the roles of follow-up group members.
DATA_TEXTS = (
    N_("Børn, unge og familie"),
    N_("Uddannelse, beskæftigelse og erhverv"),
    N_("Beboernetværk, inddragelse og demokrati"),
    N_("Sundhed"),
    N_("Udsatte grupper"),
    N_("Kultur og fritid"),
    N_("Image og kommunikation"),
    N_("Tryghed og trivsel"),
    N_("Kriminalpræventiv indsats"),
    N_("Uddannelse og beskæftigelse"),
    N_("Forebyggelse og forældreansvar"),
    N_("Uddannelse og livschancer"),
    N_("Beskæftigelse"),
    N_("Kriminalitetsforebyggelse"),
    N_("Sammenhængskraft og medborgerskab"),
    N_("formand"),
    N_("næstformand"),
    N_("medlem"),
    N_("beboerrepræsentant"),
)


def data_text(gettext, value) -> str:
    """A name from the data in the page's language when the catalogue knows it, else as it is."""
    return gettext(value) if value else ""


def input_state(gettext, item: dict) -> str:
    """Where a resident's input stands, as its author is told: withdrawn and published come first."""
    if item.get("withdrawn"):
        return gettext("Trukket tilbage")
    if item.get("published") and not item.get("hidden"):
        return gettext("Offentliggjort")
    return label(gettext, "InputStatus", item.get("status"))


def label(gettext, enum: str, value) -> str:
    if value is None:
        return ""
    text = LABELS.get(enum, {}).get(str(value))
    return gettext(text) if text else str(value)
