"""FHIR R4 exports: every bundle parses, every reference resolves, every code has a system, every quantity is UCUM;
ids are stable; the regimen, refills and procedures survive a round trip; the clinic's bulk NDJSON export."""
import io
import json
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from companion.accounts.models import Patient, User
from companion.audit.models import AuditEvent
from companion.careteam.exports import fhir, queries
from companion.clock import utcnow
from companion.escalation import services as escalation
from companion.escalation.models import RESOLUTIONS, Case
from companion.extensions import db
from companion.pump import queries as pump_queries
from companion.pump.models import ProcedureNotice
from tests.careteam.conftest import URGENT, open_case
from tests.conftest import login

UCUM = "http://unitsofmeasure.org"
RESOLVED_AS = next(iter(RESOLUTIONS))
QUANTITY_KEYS = {"valueQuantity", "doseQuantity", "dose", "numerator", "denominator"}


def walk(node, path=""):
    """Every (path, key, value) in a JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from walk(value, path)


def conformance_problems(bundle_json: dict) -> list[str]:
    """References that do not resolve inside the bundle, codings without a system, quantities without UCUM."""
    full_urls = {e["fullUrl"] for e in bundle_json["entry"]}
    problems = []
    for path, key, value in walk(bundle_json):
        if key == "reference" and value not in full_urls:
            problems.append(f"{path}: unresolved reference {value}")
        if key == "coding":
            problems += [f"{path}: coding without system {c}" for c in value if not c.get("system")]
        if key in QUANTITY_KEYS and isinstance(value, dict) and "value" in value:
            if value.get("system") != UCUM or not value.get("code"):
                problems.append(f"{path}.{key}: quantity without a UCUM unit {value}")
    return problems


def test_the_guard_catches_each_kind_of_problem():
    bad = {"entry": [{"fullUrl": "urn:uuid:1", "resource": {
        "subject": {"reference": "urn:uuid:2"}, "code": {"coding": [{"code": "x"}]},
        "valueQuantity": {"value": 1, "unit": "mg"}}}]}
    assert len(conformance_problems(bad)) == 3


@pytest.fixture
def rich_world(record_world):
    """Record world plus a resolved case with a message to the patient, an MRI and an open case."""
    w = record_world
    case_id = open_case(w.patient_a, 120, URGENT, 1)
    case = db.session.get(Case, case_id)
    escalation.resolve(case, w.nurse1, RESOLVED_AS, "We changed your alarm settings. Call us if it beeps again.",
                       now=utcnow() - timedelta(minutes=30))
    open_case(w.patient_a, 10, URGENT, 2)
    db.session.add(ProcedureNotice(patient_id=w.patient_a.id, clinic_id=w.clinic1.id, kind="mri",
                                   planned_at=utcnow() - timedelta(days=3), details="Lumbar spine, 1.5 T",
                                   reported_by="patient", reported_by_user_id=w.patient_a_user.id,
                                   followup_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    return w


def _bundle(patient) -> dict:
    return json.loads(fhir.bundle_json(queries.gather(patient, utcnow())))


def test_every_bundle_parses_resolves_and_codes_with_systems(rich_world):
    raw = _bundle(rich_world.patient_a)
    bundle = Bundle.model_validate(raw)
    assert conformance_problems(raw) == []
    for entry in raw["entry"]:  # each resource on its own, as an importer reads it
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    for kind in ("Medication", "MedicationStatement", "MedicationAdministration", "Procedure", "Practitioner",
                 "Communication", "Flag"):
        assert kind in kinds, kind
    flags = {e.resource.status for e in bundle.entry if e.resource.get_resource_type() == "Flag"}
    assert flags == {"active", "inactive"}  # the open case and the resolved one, with its end
    message = next(e.resource for e in bundle.entry if e.resource.get_resource_type() == "Communication")
    assert message.payload[0].contentString.startswith("We changed your alarm settings")


def test_profiles_routes_and_units(rich_world):
    raw = _bundle(rich_world.patient_a)
    resources = [e["resource"] for e in raw["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    assert patient["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]
    assert patient["gender"] == "unknown"
    temperature = next(r for r in resources if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"]
                       == "8310-5")
    assert temperature["meta"]["profile"] == ["http://hl7.org/fhir/StructureDefinition/bodytemp"]
    assert temperature["valueQuantity"]["code"] == "Cel"
    statements = [r for r in resources if r["resourceType"] == "MedicationStatement"]
    for s in statements:
        route = s["dosage"][0]["route"]["coding"][0]
        assert (route["system"], route["code"]) == ("http://snomed.info/sct", "72607000")
    morphine = next(r for r in resources if r["resourceType"] == "Medication" and r["id"].startswith("medication-"))
    assert morphine["code"]["coding"][0] == {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7052",
                                             "display": "morphine"}


def test_resource_ids_and_full_urls_are_stable_across_exports(rich_world):
    first, second = _bundle(rich_world.patient_a), _bundle(rich_world.patient_a)
    assert [(e["fullUrl"], e["resource"]["id"]) for e in first["entry"]] == \
        [(e["fullUrl"], e["resource"]["id"]) for e in second["entry"]]
    assert len({e["fullUrl"] for e in first["entry"]}) == len(first["entry"])  # no two resources share one


def test_the_download_declares_fhir_r4(client, rich_world):
    login(client, rich_world.nurse1)
    response = client.get(f"/care/patients/{rich_world.patient_a.id}/export/fhir.json")
    assert response.headers["Content-Type"] == "application/fhir+json; fhirVersion=4.0"
    tag = json.loads(response.data)["meta"]["tag"][0]
    assert tag == {"system": "urn:companion:fhir-version", "code": "4.0.1"}


# ---- Round trip: a receiving system rebuilds the pump record from the demo patient's bundle ----

def rebuild(raw: dict) -> dict:
    """What an importer reads back: the current regimen, every refill and every procedure (resources by fullUrl)."""
    by_url = {e["fullUrl"]: e["resource"] for e in raw["entry"]}
    resources = list(by_url.values())
    regimen = []
    for s in resources:
        if s["resourceType"] == "MedicationStatement" and s["status"] == "active":
            medication = by_url[s["medicationReference"]["reference"]]
            strength = medication["ingredient"][0]["strength"]["numerator"]
            dose = s["dosage"][0]["doseAndRate"][0]["doseQuantity"]
            regimen.append((medication["code"]["text"], Decimal(str(strength["value"])), strength["unit"],
                            Decimal(str(dose["value"]))))
    refills = []
    for a in resources:
        if a["resourceType"] == "MedicationAdministration":
            people = {p["function"]["coding"][0]["code"]: by_url[p["actor"]["reference"]]["name"][0]["text"]
                      for p in a["performer"]}
            refills.append((datetime.fromisoformat(a["effectiveDateTime"]), Decimal(str(a["dosage"]["dose"]["value"])), people["performer"],
                            people.get("verifier")))
    procedures = sorted((p["code"]["text"], p["status"], p["performedDateTime"][:10]) for p in resources
                        if p["resourceType"] == "Procedure")
    return {"regimen": sorted(regimen), "refills": sorted(refills), "procedures": procedures}


def test_the_demo_patients_regimen_refills_and_procedures_survive_a_round_trip(app):
    from companion.demo import seed

    seed()
    patient = db.session.scalar(select(Patient).join(User, User.id == Patient.user_id)
                                .where(User.email == "patient@demo.test"))
    now = utcnow()
    back = rebuild(json.loads(fhir.bundle_json(queries.gather(patient, now))))
    current = pump_queries.latest_confirmed(patient)
    assert back["regimen"] == sorted((d.name, d.concentration.normalize(), d.unit, d.daily_dose.normalize())
                                     for d in current.regimen.drugs)
    confirmed = [r for r in pump_queries.refill_history(patient) if r.status == "confirmed"]
    assert len(confirmed) >= 2
    assert back["refills"] == sorted((r.performed_at, r.fill_volume_ml,
                                      r.first_clinician.display_name, r.second_clinician.display_name)
                                     for r in confirmed)
    implanted = (pump_queries.profile(patient).implanted_on if pump_queries.profile(patient) else None) \
        or patient.implanted_on
    notices = db.session.scalars(select(ProcedureNotice).where(ProcedureNotice.patient_id == patient.id)).all()
    expected = [("Implantation of intrathecal drug delivery pump", "completed", implanted.isoformat())]
    expected += [("MRI scan" if n.kind == "mri" else (n.details or "Procedure"),
                  "completed" if n.planned_at <= now else "preparation", n.planned_at.isoformat()[:10])
                 for n in notices]
    assert back["procedures"] == sorted(expected)


# ---- Bulk export per clinic ----

def _bulk(client) -> tuple[dict, dict[str, list[dict]]]:
    response = client.post("/admin/export/fhir.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    manifest = json.loads(archive.read("manifest.json"))
    files = {name: [json.loads(line) for line in archive.read(name).decode().splitlines()]
             for name in archive.namelist() if name.endswith(".ndjson")}
    return manifest, files


def test_admin_downloads_the_clinics_records_as_ndjson(client, rich_world):
    w = rich_world
    login(client, w.admin1)
    manifest, files = _bulk(client)
    assert manifest["fhirVersion"] == "4.0.1"
    assert {o["url"]: o["count"] for o in manifest["output"]} == {name: len(rows) for name, rows in files.items()}
    names = {f"{r['resourceType']}/{r['id']}" for rows in files.values() for r in rows}
    for name, rows in files.items():
        for row in rows:
            assert row["resourceType"] == name.removesuffix(".ndjson")
            get_fhir_model_class(row["resourceType"]).model_validate(row)
            for _path, key, value in walk(row):
                if key == "reference":
                    assert value in names, value
    patients = {r["identifier"][0]["value"] for r in files["Patient.ndjson"]}
    assert patients == {w.patient_a.record_number, w.patient_b.record_number}  # clinic 1 only, never clinic 2
    assert len(files["Practitioner.ndjson"]) == len({r["id"] for r in files["Practitioner.ndjson"]})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "clinic_fhir_exported"))
    assert event.user_id == w.admin1.id and event.detail["patients"] == 2


@pytest.mark.parametrize("who", ["nurse1", "physician1", "patient_a_user", "admin2"])
def test_only_the_clinics_admin_gets_the_bulk_export(client, rich_world, who):
    login(client, getattr(rich_world, who))
    response = client.post("/admin/export/fhir.zip")
    if who == "admin2":  # another clinic's admin gets their own clinic: none of clinic 1's patients
        files = zipfile.ZipFile(io.BytesIO(response.data))
        assert rich_world.patient_a.record_number not in files.read("Patient.ndjson").decode()
    else:
        assert response.status_code == 403
