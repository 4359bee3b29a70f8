"""One patient as a FHIR R4 collection Bundle, or a clinic as NDJSON per resource type (pure: plain data in)."""
from __future__ import annotations

import json
import uuid
from collections import defaultdict

from fhir.resources.R4B.bundle import Bundle

from companion.careteam.exports.fhir import clinical, pump
from companion.careteam.exports.fhir.codes import FHIR_VERSION, MIME, NDJSON_MIME  # noqa: F401 - re-exported

NAMESPACE = uuid.UUID("5f0e7c1a-8c2e-4d0b-9a57-6a1d2f0c9e11")  # stable ids: the same record exports the same


def ref(kind: str, key: object) -> str:
    """A urn:uuid for one resource (references inside the bundle use it; the same row gives the same uuid)."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}/{key}')}"


def _clinical(data, subject: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for e in data.entries:
        entry_ref = ref("entry", e["id"])
        out.append((entry_ref, clinical.response(e, subject)))
        out += [(ref(key, e["id"]), obs) for key, obs in clinical.observations(e, subject, entry_ref)]
    for c in data.cases:
        case_ref = ref("case", c["id"])
        out.append((case_ref, clinical.flag(c, subject)))
        for m in c.get("messages", []):
            sender = ref("practitioner", m["sender_id"]) if m.get("sender_id") in data.staff else None
            out.append((ref("case-message", f"{c['id']}/{m['key']}"),
                        clinical.communication(c, m, subject, case_ref, sender)))
    out += [(ref("consent", r["id"]), clinical.consent(r, subject)) for r in data.consents]
    return out


def _pump(data, subject: str) -> list[tuple[str, object]]:
    p = data.patient
    out: list[tuple[str, object]] = []
    device_ref = ref("device", p["id"]) if data.pump else None
    if data.pump:
        out += [(ref(key, p["id"]), resource) for key, resource in pump.device(data.pump, p, subject, device_ref)]
    out += [(ref("practitioner", person["id"]), pump.practitioner(person)) for person in data.staff.values()]
    performers = {person_id: ref("practitioner", person_id) for person_id in data.staff}
    for r in data.regimens:
        out.append((ref("pump-fill", r["id"]), pump.mixture_medication(r)))
        for position, d in enumerate(r["drugs"]):
            medication_ref = ref("medication", d["id"])
            out.append((medication_ref, pump.drug_medication(d)))
            out.append((ref("regimen-drug", d["id"]), pump.statement(r, d, subject, medication_ref, position == 0)))
    for f in data.refills:
        if f["status"] == "confirmed":
            out.append((ref("refill", f["id"]),
                        pump.administration(f, subject, ref("pump-fill", f["regimen_id"]), device_ref, performers)))
    implanted_on = (data.pump or {}).get("implanted_on") or p.get("implanted_on")
    if implanted_on:
        out.append((ref("implant", p["id"]), pump.implant(p, implanted_on, subject, device_ref)))
    out += [(ref("procedure", n["id"]), pump.procedure(n, subject)) for n in data.procedures]
    return out


def entries(data) -> list[tuple[str, object]]:
    """Every resource of one patient as (fullUrl, resource)."""
    subject = ref("patient", data.patient["id"])
    return [(subject, clinical.patient(data.patient))] + _clinical(data, subject) + _pump(data, subject)


def build_bundle(data) -> Bundle:
    """Patient; diary entries as QuestionnaireResponses with pain and temperature Observations; cases as Flags
    (open and resolved) with the messages sent to the patient as Communications; consent; the pump as Device,
    its regimens as Medication + MedicationStatement, refills as MedicationAdministration, implant and other
    procedures as Procedure; the clinicians named as Practitioners."""
    p = data.patient
    return Bundle.model_validate({
        "meta": {"tag": [{"system": "urn:companion:fhir-version", "code": FHIR_VERSION}]},
        "type": "collection", "timestamp": clinical.when(data.generated_at),
        "identifier": {"system": "urn:companion:export",
                       "value": str(uuid.uuid5(NAMESPACE, f"{p['id']}/{data.generated_at}"))},
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries(data)]})


def bundle_json(data) -> str:
    """The Bundle as JSON text, parsed back once more so a broken export never leaves the server."""
    text = build_bundle(data).model_dump_json(exclude_none=True)
    Bundle.model_validate_json(text)
    return text


def _relative(value, names: dict[str, str]):
    """Every `reference` rewritten from the bundle's urn:uuid to Type/id (NDJSON files have no fullUrl)."""
    if isinstance(value, dict):
        return {k: (names.get(v, v) if k == "reference" and isinstance(v, str) else _relative(v, names))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_relative(v, names) for v in value]
    return value


def ndjson_files(patients_data) -> dict[str, str]:
    """A clinic's patients as bulk-data NDJSON: one file per resource type, one resource per line; a clinician
    named in several records appears once."""
    lines: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for data in patients_data:
        pairs = entries(data)
        names = {url: f"{resource.get_resource_type()}/{resource.id}" for url, resource in pairs}
        for url, resource in pairs:
            if names[url] in seen:
                continue
            seen.add(names[url])
            body = _relative(json.loads(resource.model_dump_json(exclude_none=True)), names)
            lines[resource.get_resource_type()].append(json.dumps(body, separators=(",", ":")))
    return {f"{kind}.ndjson": "\n".join(rows) + "\n" for kind, rows in sorted(lines.items())}
