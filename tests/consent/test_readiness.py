"""Consent readiness: unread modules, wrong teach-back answers and a trial; the reason gate, record, PDF and roster."""
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from companion.consent import queries, rules, services
from companion.consent.models import ConsentRecord
from companion.extensions import db
from tests.conftest import FIXED_NOW, HX, login
from tests.consent.helpers import answer, consent_input, sign_form_data


def _result(module_id, question_id, correct, ever_wrong=False):
    return rules.QuestionResult(module_id, question_id, "a", correct, ever_wrong, 1, FIXED_NOW)


def test_readiness_lists_unread_modules_in_order_and_answers_still_wrong():
    ready = rules.readiness(module_ids=["m1", "m2", "m3"], read={"m2"},
                            results=[_result("m1", "q1", False), _result("m2", "q2", True, ever_wrong=True)],
                            therapy_stage="before_trial", implanted=False)
    assert ready.unread == ("m1", "m3") and ready.wrong == (("m1", "q1"),) and ready.trial_done is False
    assert ready.gaps("agrees_trial") == {"unread_modules": ["m1", "m3"], "wrong_answers": ["m1/q1"],
                                          "trial_done": False}
    assert ready.gaps("declines") == {} and ready.gaps("more_time") == {}


def test_an_implant_agreement_without_a_trial_is_a_gap_but_a_trial_agreement_is_not():
    ready = rules.readiness(module_ids=["m1"], read={"m1"}, results=[], therapy_stage="before_trial", implanted=False)
    assert ready.gaps("agrees_trial") == {}
    assert ready.gaps("agrees_implant") == {"unread_modules": [], "wrong_answers": [], "trial_done": False}
    for stage, implanted in (("trial", False), ("maintenance", False), ("before_trial", True)):
        done = rules.readiness(module_ids=["m1"], read={"m1"}, results=[], therapy_stage=stage, implanted=implanted)
        assert done.trial_done and done.gaps("agrees_implant") == {}, stage


def _fact(decision, major=2026):
    return rules.SignedFact(1, FIXED_NOW, "2026.11", major, decision, False)


@pytest.mark.parametrize("stage, implanted, record, need", [
    ("maintenance", False, None, "missing"),          # the implanted patient with consent "not started"
    ("before_trial", True, None, "missing"),
    ("post_implant", False, "agrees_trial", "missing"),  # a trial agreement does not cover the implant
    ("maintenance", False, "agrees_implant", ""),
    ("maintenance", False, "declines", "missing"),
    ("trial", False, None, "missing"),
    ("trial", False, "agrees_trial", ""),
    ("before_trial", False, None, ""),                # nothing is due yet
    ("maintenance", False, "agrees_implant@old", "outdated"),
])
def test_consent_need(stage, implanted, record, need):
    fact = None
    if record:
        decision, _, old = record.partition("@")
        fact = _fact(decision, major=1 if old else 2)
    assert rules.consent_need(therapy_stage=stage, implanted=implanted, record=fact, latest_major=2) == need


def _before_trial(world):
    world.patient_a.therapy_stage, world.patient_a.implanted_on = "before_trial", None
    db.session.commit()
    content = queries.current_content()
    for module in content.modules[:3]:
        services.mark_read(world.patient_a, content, module.id)
    answer(world.patient_a, "trial", "why-watched", right=False)


def test_signing_with_gaps_needs_a_reason_kept_in_the_record_and_its_hash(world):
    _before_trial(world)
    with pytest.raises(services.ConsentError) as caught:
        services.sign_consent(world.nurse1, world.patient_a, consent_input(decision="agrees_implant",
                                                                           readiness_reason=" "))
    assert caught.value.field == "readiness_reason"
    assert db.session.scalar(select(ConsentRecord)) is None
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input(
        decision="agrees_implant", readiness_reason="Patient travels 400 km; reviewed the gaps in person."))
    gaps = record.readiness_gaps
    assert len(gaps["unread_modules"]) == len(queries.current_content().modules) - 3
    assert gaps["wrong_answers"] == ["trial/why-watched"] and gaps["trial_done"] is False
    assert record.readiness_reason.startswith("Patient travels 400 km")
    other = services.sign_consent(world.nurse1, world.patient_a, consent_input(
        decision="agrees_implant", readiness_reason="A different reason."))
    assert other.record_hash != record.record_hash
    with pytest.raises(PermissionError):  # immutable like every other field of the record
        record.readiness_reason = "changed"
        db.session.flush()
    db.session.rollback()


def test_declining_or_a_ready_patient_needs_no_reason(world):
    _before_trial(world)
    declined = services.sign_consent(world.nurse1, world.patient_a, consent_input(decision="declines",
                                                                                  readiness_reason=""))
    assert declined.readiness_gaps is None and declined.readiness_reason == ""


def test_session_shows_readiness_and_the_form_422s_without_a_reason_then_the_pdf_has_it(client, world):
    _before_trial(world)
    login(client, world.nurse1)
    page = client.get(f"/care/patients/{world.patient_a.id}/consent").get_data(as_text=True)
    total = len(queries.current_content().modules)
    assert f"{total - 3} of {total} modules unread" in page and "1 teach-back answer still wrong" in page
    assert "No trial yet" in page and 'id="readiness_reason"' in page
    url = f"/care/patients/{world.patient_a.id}/consent/sign"
    response = client.post(url, data=sign_form_data(readiness_reason="", clinician_typed_name="Nurse Kept"), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "write why the patient signs now" in body
    assert 'aria-invalid="true"' in body and 'value="Nurse Kept"' in body
    response = client.post(url, data=sign_form_data(readiness_reason="Wants the trial before winter."), headers=HX)
    assert response.status_code == 200
    record = db.session.scalar(select(ConsentRecord))
    pdf = client.get(f"/care/patients/{world.patient_a.id}/consent/records/{record.id}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).replace("\n", " ")
    assert "Wants the trial before winter." in text and f"{total - 3} module(s) unread" in text


def test_roster_needs_shows_missing_consent_for_an_implanted_patient(client, world):
    world.patient_a.therapy_stage, world.patient_a.implanted_on = "maintenance", date(2025, 5, 1)
    db.session.commit()
    login(client, world.nurse1)
    page = client.get("/care/patients").get_data(as_text=True)
    row = page[page.index(f'id="roster-{world.patient_a.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Consent missing" in row
