"""Exports: the FHIR Bundle parses, the PDF opens with the patient's name, CSV rows; access and audit for each."""
import csv
import io
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.careteam.exports import csv as diary_csv
from companion.careteam.exports import fhir, queries
from companion.clock import utcnow
from companion.extensions import db
from tests.careteam.conftest import URGENT, open_case
from tests.conftest import login

STAFF_EXPORTS = ("/export/summary.pdf?days=30", "/export/summary.pdf?days=90", "/export/diary.csv",
                 "/export/fhir.json")


def _audited(action: str, user) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                            AuditEvent.user_id == user.id)))


def test_fhir_bundle_has_every_resource_and_parses_back(client, record_world):
    w = record_world
    open_case(w.patient_a, 30, URGENT, 1)
    login(client, w.nurse1)
    response = client.get(f"/care/patients/{w.patient_a.id}/export/fhir.json")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    assert "attachment" in response.headers["Content-Disposition"] and response.headers["Cache-Control"] == "no-store"
    bundle = Bundle.model_validate(json.loads(response.data))
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert {"Patient", "QuestionnaireResponse", "Observation", "Flag", "Device", "DeviceUseStatement"} <= set(kinds)
    assert kinds.count("QuestionnaireResponse") == 12  # 10 check-ins, 1 with temperature, 1 wound check
    codes = [e.resource.code.coding[0].code for e in bundle.entry if e.resource.get_resource_type() == "Observation"]
    assert codes.count("72514-3") == 11 and codes.count("8310-5") == 1
    patient = next(e.resource for e in bundle.entry if e.resource.get_resource_type() == "Patient")
    assert patient.name[0].given == ["Alice"] and patient.identifier[0].value == w.patient_a.record_number
    refs = {e.fullUrl for e in bundle.entry}
    assert all(e.resource.subject.reference in refs for e in bundle.entry if hasattr(e.resource, "subject")
               and e.resource.subject is not None)
    assert _audited("patient_exported", w.nurse1)[0].detail["export"] == "fhir_bundle"


def test_fhir_consent_resource_for_a_signed_record(record_world):
    data = queries.gather(record_world.patient_a, utcnow())
    data.consents = [{"id": 7, "signed_at": utcnow(), "decision": "agrees_implant", "content_version": "1.0.0",
                      "clinician_name": "Nurse"}, {"id": 8, "signed_at": utcnow(), "decision": "declines",
                                                   "content_version": "1.0.0", "clinician_name": "Nurse"}]
    bundle = Bundle.model_validate_json(fhir.bundle_json(data))
    consents = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Consent"]
    assert [(c.status, c.provision.type) for c in consents] == [("active", "permit"), ("rejected", "deny")]


@pytest.mark.parametrize("days", [30, 90])
def test_visit_summary_pdf_opens_and_names_the_patient(client, record_world, days):
    w = record_world
    login(client, w.physician1)
    response = client.get(f"/care/patients/{w.patient_a.id}/export/summary.pdf?days={days}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("Alice", w.patient_a.record_number, f"Last {days} days", "Lorazepam 1 mg", "SEDATING",
                     "Refills and dose changes", "Dose change, dose up"):
        assert expected in text, expected
    assert _audited("patient_exported", w.physician1)[0].detail == {"export": "summary_pdf", "days": days}


def test_diary_csv_has_a_row_per_entry_and_neutralises_formulas(client, record_world):
    w = record_world
    login(client, w.admin1, follow=True)
    response = client.get(f"/care/patients/{w.patient_a.id}/export/diary.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 12 and rows[0]["kind"] == "checkin" and {"pain_now", "temperature_c"} <= set(rows[0])
    assert [r["recorded_at_utc"] for r in rows] == sorted(r["recorded_at_utc"] for r in rows)
    entry = {**{c: None for c in ("pain_now", "peg_score", "sleepiness", "breaths_per_min", "temperature_c",
                                   "wound_redness", "wound_drainage", "wound_swelling")},
             "id": 1, "kind": "checkin", "recorded_at": utcnow(), "received_at": utcnow(), "reporter": "patient",
             "tier": "none", "photos": 0, "questionnaire_id": "daily-checkin", "questionnaire_version": "1",
             "items": [{"text": "Note", "label": "x", "unit": None}]}
    entry["sleepiness"] = "=HYPERLINK(1)"
    assert "'=HYPERLINK(1)" in diary_csv.diary_csv([entry], "UTC")
    cell = diary_csv._cell("=1+1")
    assert cell == "'=1+1" and diary_csv._cell("-3") == "-3"


def test_patient_downloads_own_csv_and_fhir_from_account(client, record_world):
    w = record_world
    login(client, w.patient_a_user)
    assert "/account/export/diary.csv" in client.get("/account").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/account/export/diary.csv").get_data(as_text=True))))
    assert len(rows) == 12
    bundle = Bundle.model_validate_json(client.get("/account/export/fhir.json").data)
    assert bundle.entry[0].resource.name[0].given == ["Alice"]
    assert len(_audited("own_data_exported", w.patient_a_user)) == 2
    login(client, w.patient_b_user)
    assert "Alice" not in client.get("/account/export/fhir.json").get_data(as_text=True)


@pytest.mark.parametrize("who", ["caregiver", "nurse1"])
def test_only_the_patient_uses_the_account_exports(client, world, who):
    login(client, getattr(world, who))
    assert client.get("/account/export/diary.csv").status_code == 403
    assert client.get("/account/export/fhir.json").status_code == 403


def test_every_care_team_route_and_export_is_404_for_another_clinic_and_403_for_a_patient(client, world):
    urls = [f"/care/patients/{world.patient_a.id}{suffix}" for suffix in ("", "?days=90", *STAFF_EXPORTS)]
    login(client, world.nurse2)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/care/patients/{world.patient_a.id}/enrolment-code").status_code == 404
    assert len(_audited("access_refused", world.nurse2)) == len(urls) + 1
    assert not _audited("patient_exported", world.nurse2)
    login(client, world.patient_a_user)
    for url in ["/care", "/care/patients", *urls]:
        assert client.get(url).status_code == 403, url
