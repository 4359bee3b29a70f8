"""FHIR resources for the patient, diary entries, cases and consent (pure: plain dicts in, fhir.resources out)."""
from __future__ import annotations

from datetime import datetime

from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from companion.careteam.exports.fhir.codes import (
    CONSENT_DOCUMENT, CONSENT_SCOPE, FLAG_CATEGORY, OBS_CATEGORY, PAIN, PROFILES, TEMPERATURE, quantity)

AGREED = ("agrees_trial", "agrees_implant")


def when(at: datetime) -> str:
    """An instant as FHIR dateTime text."""
    return at.isoformat()


def _answer(value) -> list[dict]:
    """FHIR answer values for a stored answer (bool, number, text or a list of codes)."""
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, bool):
            out.append({"valueBoolean": v})
        elif isinstance(v, int):
            out.append({"valueInteger": v})
        elif isinstance(v, float):
            out.append({"valueDecimal": v})
        elif v not in (None, ""):
            out.append({"valueString": str(v)})
    return out


def patient(p: dict) -> Patient:
    """The patient, to US Core Patient (gender is not collected, so it is the code `unknown`)."""
    data = {"id": f"patient-{p['id']}", "meta": {"profile": [PROFILES["Patient"]]}, "active": True,
            "name": [{"family": p["family_name"], "given": [p["given_name"]]}], "gender": "unknown",
            "identifier": [{"system": f"urn:companion:clinic:{p['clinic_id']}:record-number",
                            "value": p["record_number"]}]}
    if p.get("birth_date"):
        data["birthDate"] = p["birth_date"].isoformat()
    # US Core's race and ethnicity extensions are must-support, not required: we do not collect them, so none.
    return Patient.model_validate(data)


def response(e: dict, subject: str) -> QuestionnaireResponse:
    """One check-in or wound check with every answer."""
    items = [{"linkId": i["link_id"], "text": i["text"], "answer": _answer(i["value"])} for i in e["items"]]
    return QuestionnaireResponse.model_validate({
        "id": f"entry-{e['id']}", "status": "completed", "subject": {"reference": subject},
        "questionnaire": f"urn:companion:questionnaire:{e['questionnaire_id']}|{e['questionnaire_version']}",
        "authored": when(e["recorded_at"]), "item": [i for i in items if i["answer"]] or None,
        "source": {"reference": subject} if e["reporter"] == "patient" else None})


def observations(e: dict, subject: str, entry_ref: str) -> list[tuple[str, Observation]]:
    """Pain score and temperature of one entry, as (key, resource)."""
    out = []
    if e["pain_now"] is not None:
        out.append(("pain", _observation(e, subject, entry_ref, PAIN, "survey", {"valueInteger": e["pain_now"]},
                                         "pain")))
    if e["temperature_c"] is not None:
        out.append(("temperature", _observation(e, subject, entry_ref, TEMPERATURE, "vital-signs",
                                                {"valueQuantity": quantity(e["temperature_c"], "Cel")},
                                                "temperature", profile=PROFILES["temperature"])))
    return out


def _observation(e: dict, subject: str, entry_ref: str, code: dict, category: str, value: dict, key: str,
                 profile: str | None = None) -> Observation:
    data = {"id": f"{key}-{e['id']}", "status": "final", "code": {"coding": [code], "text": code["display"]},
            "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}], "subject": {"reference": subject},
            "effectiveDateTime": when(e["recorded_at"]), "derivedFrom": [{"reference": entry_ref}], **value}
    if profile:
        data["meta"] = {"profile": [profile]}
    return Observation.model_validate(data)


def flag(c: dict, subject: str) -> Flag:
    """A red-flag case: active while open; a resolved case keeps its whole period."""
    period = {"start": when(c["opened_at"])}
    if not c["open"] and c.get("resolved_at"):
        period["end"] = when(c["resolved_at"])
    text = f"{c['tier'].capitalize()} case: " + "; ".join(c["reasons"])
    if c.get("resolution"):
        text += f" (resolved: {c['resolution'].replace('_', ' ')})"
    return Flag.model_validate({
        "id": f"case-{c['id']}", "status": "active" if c["open"] else "inactive", "subject": {"reference": subject},
        "category": [{"coding": [{"system": FLAG_CATEGORY, "code": "clinical"}]}], "code": {"text": text},
        "period": period})


def communication(c: dict, message: dict, subject: str, case_ref: str, sender: str | None) -> Communication:
    """What the care team told the patient about a case (never the internal clinical note)."""
    data = {"id": f"case-{c['id']}-message-{message['key']}", "status": "completed", "subject": {"reference": subject},
            "recipient": [{"reference": subject}], "sent": when(message["sent_at"]), "about": [{"reference": case_ref}],
            "payload": [{"contentString": message["text"]}]}
    if sender:
        data["sender"] = {"reference": sender}
    return Communication.model_validate(data)


def consent(r: dict, subject: str) -> Consent:
    """A signed consent record (trial or implant agreed, or declined)."""
    agreed = r["decision"] in AGREED
    return Consent.model_validate({
        "id": f"consent-{r['id']}", "status": "active" if agreed else "rejected",
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "treatment"}]},
        "category": [{"coding": [CONSENT_DOCUMENT]}],
        "patient": {"reference": subject}, "dateTime": when(r["signed_at"]),
        "policyRule": {"text": f"Intrathecal drug pump therapy consent, content version {r['content_version']}"},
        "provision": {"type": "permit" if agreed else "deny"}})
