"""One patient as a FHIR R4 collection Bundle, built and validated with fhir.resources.R4B (pure: plain data in)."""
from __future__ import annotations

import uuid
from datetime import datetime

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.device import Device
from fhir.resources.R4B.deviceusestatement import DeviceUseStatement
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

NAMESPACE = uuid.UUID("5f0e7c1a-8c2e-4d0b-9a57-6a1d2f0c9e11")  # stable ids: the same record exports the same
LOINC, UCUM = "http://loinc.org", "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
PAIN = {"system": LOINC, "code": "72514-3", "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
TEMPERATURE = {"system": LOINC, "code": "8310-5", "display": "Body temperature"}
AGREED = ("agrees_trial", "agrees_implant")


def _ref(kind: str, key: object) -> str:
    """A urn:uuid for one resource of one patient (references inside the bundle use it)."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}/{key}')}"


def _when(at: datetime) -> str:
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


def _patient(p: dict) -> Patient:
    data = {"id": f"patient-{p['id']}", "active": True, "name": [{"family": p["family_name"], "given": [p["given_name"]]}],
            "identifier": [{"system": f"urn:companion:clinic:{p['clinic_id']}:record-number", "value": p["record_number"]}]}
    if p.get("birth_date"):
        data["birthDate"] = p["birth_date"].isoformat()
    return Patient.model_validate(data)


def _response(e: dict, subject: str) -> QuestionnaireResponse:
    items = [{"linkId": i["link_id"], "text": i["text"], "answer": _answer(i["value"])} for i in e["items"]]
    return QuestionnaireResponse.model_validate({
        "id": f"entry-{e['id']}", "status": "completed", "subject": {"reference": subject},
        "questionnaire": f"urn:companion:questionnaire:{e['questionnaire_id']}|{e['questionnaire_version']}",
        "authored": _when(e["recorded_at"]), "item": [i for i in items if i["answer"]] or None,
        "source": {"reference": subject} if e["reporter"] == "patient" else None})


def _observation(e: dict, subject: str, code: dict, category: str, value: dict, key: str) -> Observation:
    return Observation.model_validate({
        "id": f"{key}-{e['id']}", "status": "final", "code": {"coding": [code], "text": code["display"]},
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}], "subject": {"reference": subject},
        "effectiveDateTime": _when(e["recorded_at"]), "derivedFrom": [{"reference": _ref("entry", e["id"])}], **value})


def _flag(c: dict, subject: str) -> Flag:
    return Flag.model_validate({
        "id": f"case-{c['id']}", "status": "active", "subject": {"reference": subject},
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/flag-category", "code": "clinical"}]}],
        "code": {"text": f"{c['tier'].capitalize()} case: " + "; ".join(c["reasons"])},
        "period": {"start": _when(c["opened_at"])}})


def _consent(r: dict, subject: str) -> Consent:
    agreed = r["decision"] in AGREED
    return Consent.model_validate({
        "id": f"consent-{r['id']}", "status": "active" if agreed else "rejected",
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "treatment"}]},
        "category": [{"coding": [{"system": LOINC, "code": "59284-0", "display": "Consent Document"}]}],
        "patient": {"reference": subject}, "dateTime": _when(r["signed_at"]),
        "policyRule": {"text": f"Intrathecal drug pump therapy consent, content version {r['content_version']}"},
        "provision": {"type": "permit" if agreed else "deny"}})


def _pump(pump: dict, p: dict, subject: str) -> list:
    device_ref = _ref("device", p["id"])
    device = Device.model_validate({
        "id": f"pump-{p['id']}", "status": "active", "patient": {"reference": subject},
        "type": {"text": "Implanted intrathecal drug infusion pump"},
        "deviceName": [{"name": pump.get("model") or "Intrathecal pump", "type": "user-friendly-name"}]})
    drugs = "; ".join(f"{d['name']} {d['concentration']} {d['concentration_unit']} at {d['daily_dose']} "
                      f"{d['daily_dose_unit']}" for d in pump.get("drugs", []))
    use = {"id": f"pump-use-{p['id']}", "status": "active", "subject": {"reference": subject},
           "device": {"reference": device_ref}}
    if pump.get("implanted_on"):
        use["timingDateTime"] = pump["implanted_on"].isoformat()
    if drugs:
        use["note"] = [{"text": drugs}]
    return [(device_ref, device), (_ref("device-use", p["id"]), DeviceUseStatement.model_validate(use))]


def build_bundle(data) -> Bundle:
    """Patient, a QuestionnaireResponse per check-in and wound check, pain and temperature Observations,
    a Flag per open case, Consent per signed record, and the pump as Device + DeviceUseStatement."""
    p = data.patient
    subject = _ref("patient", p["id"])
    entries: list[tuple[str, object]] = [(subject, _patient(p))]
    for e in data.entries:
        entries.append((_ref("entry", e["id"]), _response(e, subject)))
        if e["pain_now"] is not None:
            entries.append((_ref("pain", e["id"]), _observation(e, subject, PAIN, "survey",
                                                                {"valueInteger": e["pain_now"]}, "pain")))
        if e["temperature_c"] is not None:
            quantity = {"value": e["temperature_c"], "unit": "Cel", "system": UCUM, "code": "Cel"}
            entries.append((_ref("temperature", e["id"]), _observation(e, subject, TEMPERATURE, "vital-signs",
                                                                       {"valueQuantity": quantity}, "temperature")))
    entries += [(_ref("case", c["id"]), _flag(c, subject)) for c in data.cases if c["open"]]
    entries += [(_ref("consent", r["id"]), _consent(r, subject)) for r in data.consents]
    if data.pump:
        entries += _pump(data.pump, p, subject)
    return Bundle.model_validate({
        "type": "collection", "timestamp": _when(data.generated_at),
        "identifier": {"system": "urn:companion:export", "value": str(uuid.uuid5(NAMESPACE, f"{p['id']}/{data.generated_at}"))},
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries]})


def bundle_json(data) -> str:
    """The Bundle as JSON text, parsed back once more so a broken export never leaves the server."""
    text = build_bundle(data).model_dump_json(exclude_none=True)
    Bundle.model_validate_json(text)
    return text
