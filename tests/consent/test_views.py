"""Consent pages: the patient's course, documents and PDF; the clinic's consent session; access and audit."""
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.consent import queries, services
from companion.consent.models import ConsentRecord
from companion.extensions import db
from tests.conftest import HX, login
from tests.consent.helpers import answer, consent_input, sign_form_data


def audit_actions(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# ---- patient side ----

def test_learn_lists_every_module_with_time_progress_and_where_to_resume(client, world):
    content = queries.current_content()
    services.mark_read(world.patient_a, content, "how-it-works")
    answer(world.patient_a, "trial", "why-watched", right=True)
    login(client, world.patient_a_user)
    page = client.get("/learn").get_data(as_text=True)
    for module in content.modules:
        assert module.title in page
    assert "You have read 1 of 11 parts" in page
    assert "About 3 minutes" in page
    assert f'Continue: {content.module("trial").title}' in page  # resumes in the module answered last
    partial = client.get("/learn", headers=HX)
    assert "<html" not in partial.get_data(as_text=True) and "You have read 1 of 11" in partial.get_data(as_text=True)


def test_module_page_shows_text_diagram_and_big_radio_questions(client, world):
    login(client, world.patient_a_user)
    page = client.get("/learn/how-it-works").get_data(as_text=True)
    assert "Part 1 of 11" in page and 'src="/static/img/pump-diagram.svg"' in page
    assert 'alt="Where the pump and tube sit in the body.' in page
    assert page.count('class="answer-choice"') == 6 and 'hx-post="/learn/how-it-works/questions/where-drug-goes"' in page
    assert client.get("/learn/no-such-module").status_code == 404


def test_answering_swaps_in_the_explanation_for_the_chosen_answer_right_or_wrong(client, world):
    login(client, world.patient_a_user)
    question = queries.current_content().module("trial").questions[0]
    wrong = next(c for c in question.choices if not c.correct)
    response = client.post(f"/learn/trial/questions/{question.id}", data={"choice": wrong.id}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert wrong.explanation in body and "Not the best answer" in body and "Try this question again" in body
    right = question.correct_choice
    body = client.post(f"/learn/trial/questions/{question.id}", data={"choice": right.id}, headers=HX).get_data(as_text=True)
    assert right.explanation in body and "Right. You chose:" in body
    # Saved: a new page load shows the newest answer.
    assert right.explanation in client.get("/learn/trial").get_data(as_text=True)
    retry = client.get(f"/learn/trial/questions/{question.id}", headers=HX).get_data(as_text=True)
    assert 'type="radio"' in retry


def test_answering_without_htmx_goes_back_to_the_module(client, world):
    login(client, world.patient_a_user)
    q = queries.current_content().module("trial").questions[0]
    response = client.post(f"/learn/trial/questions/{q.id}", data={"choice": q.correct_choice.id})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/learn/trial#q-{q.id}")


def test_no_answer_or_a_made_up_answer_is_422_with_the_question_kept(client, world):
    login(client, world.patient_a_user)
    q = queries.current_content().module("trial").questions[0]
    for data in ({}, {"choice": "zz"}):
        response = client.post(f"/learn/trial/questions/{q.id}", data=data, headers=HX)
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and 'aria-invalid="true"' in body and q.text in body
    assert queries.progress(world.patient_a).results == {}


def test_marking_a_module_read_goes_to_the_next_and_the_last_back_to_the_list(client, world):
    login(client, world.patient_a_user)
    response = client.post("/learn/how-it-works/read")
    assert response.status_code == 303 and response.headers["Location"].endswith("/learn/benefits-and-limits")
    assert client.post("/learn/other-options/read").headers["Location"].endswith("/learn")
    assert queries.progress(world.patient_a).read == {"how-it-works", "other-options"}
    page = client.get("/learn/how-it-works").get_data(as_text=True)
    assert "You have read this part." in page


def test_about_page_gives_the_date_change_note_and_sources(client, world):
    login(client, world.patient_a_user)
    page = client.get("/learn/about").get_data(as_text=True)
    content = queries.current_content()
    assert content.date.isoformat() in page and " ".join(content.change_note.split()[:8]) in page
    assert all(f'id="source-{s.key}"' in page for s in content.sources)


def test_documents_list_the_patients_records_and_the_pdf_download_is_audited(client, world):
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input())
    login(client, world.patient_a_user)
    page = client.get("/documents").get_data(as_text=True)
    assert "Signed on 2026-11-23" in page and "Agrees to a trial" in page
    response = client.get(f"/documents/consent/{record.id}.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert world.patient_a.full_name in text and "Agrees to a trial" in text
    event = audit_actions("consent_pdf_downloaded")[0]
    assert (event.patient_id, event.user_id, event.object_id) == (world.patient_a.id, world.patient_a_user.id, str(record.id))


# ---- care team ----

def test_consent_session_flags_wrong_answers_and_is_audited(client, world):
    answer(world.patient_a, "trial", "why-watched", right=False)
    answer(world.patient_a, "surgery-risks", "leak-headache", right=False)
    answer(world.patient_a, "surgery-risks", "leak-headache", right=True)
    login(client, world.nurse1)
    page = client.get(f"/care/patients/{world.patient_a.id}/consent").get_data(as_text=True)
    assert 'data-missed="trial/why-watched"' in page and 'data-missed="surgery-risks/leak-headache"' in page
    assert "right on try 2" in page and "teach-back gaps" in page
    assert page.count('name="topics"') == len(queries.current_content().risk_topics)
    event = audit_actions("consent_viewed")[0]
    assert (event.patient_id, event.user_id) == (world.patient_a.id, world.nurse1.id)


def test_clinic_mode_module_view_shows_the_patients_answer_and_is_audited(client, world):
    answer(world.patient_a, "trial", "why-watched", right=False)
    login(client, world.nurse1)
    page = client.get(f"/care/patients/{world.patient_a.id}/consent/modules/trial").get_data(as_text=True)
    assert "patient's answer" in page and "right answer" in page
    assert audit_actions("consent_module_viewed")[0].object_id == "trial"


def test_recording_a_question_adds_a_row_and_errors_keep_what_was_typed(client, world):
    login(client, world.nurse1)
    url = f"/care/patients/{world.patient_a.id}/consent/questions"
    response = client.post(url, data={"question": "Can I swim?", "answer": "Yes, after the wound heals."}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Can I swim?" in body
    response = client.post(url, data={"question": "Will it beep?", "answer": ""}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Will it beep?" in body and 'aria-invalid="true"' in body
    assert "error-summary" in body
    assert len(audit_actions("consent_question_recorded")) == 1


def test_signing_saves_a_record_and_redirects_with_htmx(client, world):
    login(client, world.nurse1)
    url = f"/care/patients/{world.patient_a.id}/consent/sign"
    response = client.post(url, data=sign_form_data(), headers=HX)
    assert response.status_code == 200
    record = db.session.scalar(select(ConsentRecord))
    assert response.headers["HX-Redirect"].endswith(f"/care/patients/{world.patient_a.id}/consent?signed={record.id}")
    assert record.clinician_id == world.nurse1.id and record.patient_signature_kind == "drawn"
    page = client.get(f"/care/patients/{world.patient_a.id}/consent").get_data(as_text=True)
    assert "The consent record is saved" in page and f"/consent/records/{record.id}.pdf" in page


def test_signing_with_gaps_is_422_with_values_kept(client, world):
    login(client, world.nurse1)
    url = f"/care/patients/{world.patient_a.id}/consent/sign"
    data = sign_form_data(topics=["infection"], interpreter_used="y", interpreter_language="Tagalog",
                          clinician_typed_name="Nurse Kept")
    response = client.post(url, data=data, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body and "Every risk must be discussed" in body
    assert 'value="Tagalog"' in body and 'value="Nurse Kept"' in body and 'value="infection" checked' in body
    assert data["patient_signature"] in body  # the drawn signature comes back to be shown again
    response = client.post(url, data=sign_form_data(decision=""), headers=HX)
    assert response.status_code == 422 and "Please choose the patient's decision." in response.get_data(as_text=True)
    assert db.session.scalar(select(ConsentRecord)) is None


def test_staff_pdf_has_names_date_version_hash_decision_and_is_audited(client, world):
    services.record_question(world.nurse1, world.patient_a, "Can I fly?", "Yes. Show your card.")
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input(decision="agrees_implant"))
    assert record.content_version == queries.current_content().version
    login(client, world.physician1)
    response = client.get(f"/care/patients/{world.patient_a.id}/consent/records/{record.id}.pdf")
    text = pdf_text(response.data)
    for expected in (world.patient_a.full_name, world.nurse1.display_name, "2026-11-23", record.content_version,
                     record.content_hash[:20], "Agrees to the implant", "Can I fly?", "Nurse Example", "Infection"):
        assert expected in text.replace("\n", ""), expected
    assert len(PdfReader(io.BytesIO(response.data)).pages[-1].images) >= 1  # the drawn signature
    assert audit_actions("consent_pdf_downloaded")[0].user_id == world.physician1.id


def test_reconsent_page_lists_nobody_when_content_is_current(client, world):
    services.sign_consent(world.nurse1, world.patient_a, consent_input())
    login(client, world.nurse1)
    page = client.get("/care/consent/re-consent").get_data(as_text=True)
    assert "No patient needs to consent again." in page
    assert audit_actions("reconsent_list_viewed")


# ---- access ----

def test_a_patient_cannot_see_another_patients_record_or_pdf(client, world):
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input())
    login(client, world.patient_b_user)
    assert client.get(f"/documents/consent/{record.id}.pdf").status_code == 404
    assert world.patient_a.full_name not in client.get("/documents").get_data(as_text=True)
    assert client.get(f"/care/patients/{world.patient_a.id}/consent").status_code == 403
    assert client.get(f"/care/patients/{world.patient_a.id}/consent/records/{record.id}.pdf").status_code == 403
    assert not audit_actions("consent_pdf_downloaded")


def test_staff_of_another_clinic_get_404_everywhere(client, world):
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input())
    login(client, world.nurse2)
    base = f"/care/patients/{world.patient_a.id}/consent"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/modules/trial").status_code == 404
    assert client.get(f"{base}/records/{record.id}.pdf").status_code == 404
    assert client.post(f"{base}/questions", data={"question": "x", "answer": "y"}).status_code == 404
    assert client.post(f"{base}/sign", data=sign_form_data()).status_code == 404
    assert db.session.scalar(select(db.func.count()).select_from(ConsentRecord)) == 1
    assert len(audit_actions("access_refused")) == 5


def test_a_record_of_another_patient_of_the_same_clinic_is_404_by_path(client, world):
    record = services.sign_consent(world.nurse1, world.patient_b, consent_input())
    login(client, world.nurse1)
    assert client.get(f"/care/patients/{world.patient_a.id}/consent/records/{record.id}.pdf").status_code == 404


def test_caregiver_may_read_the_course_but_not_answer_sign_or_download(client, world):
    record = services.sign_consent(world.nurse1, world.patient_a, consent_input())
    login(client, world.caregiver)
    page = client.get("/learn").get_data(as_text=True)
    assert "Only Alice can answer the questions." in page
    module = client.get("/learn/trial").get_data(as_text=True)
    assert "Only Alice can answer these questions." in module and 'type="radio"' not in module
    q = queries.current_content().module("trial").questions[0]
    assert client.post(f"/learn/trial/questions/{q.id}", data={"choice": q.correct_choice.id}).status_code == 403
    assert client.post("/learn/trial/read").status_code == 403
    assert client.get("/documents").status_code == 403
    assert client.get(f"/documents/consent/{record.id}.pdf").status_code == 403
    assert client.post(f"/care/patients/{world.patient_a.id}/consent/sign", data=sign_form_data()).status_code == 403
    assert queries.progress(world.patient_a).results == {}


def test_unlinked_caregiver_and_anonymous_get_nothing(app, client, world):
    assert client.get("/learn").status_code == 302
    assert client.get("/learn/trial", headers=HX).headers["HX-Redirect"].startswith("/login")
    login(client, world.unlinked_caregiver)
    assert client.get("/learn").status_code == 404


@pytest.mark.parametrize("who", ["admin1", "patient_a_user"])
def test_only_clinicians_open_the_consent_session(client, world, who):
    login(client, getattr(world, who))
    assert client.get(f"/care/patients/{world.patient_a.id}/consent").status_code == 403
    assert client.get("/care/consent/re-consent").status_code == 403


def test_no_health_data_or_names_in_consent_urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("consent."):
            assert not re.search(r"name|email|mrn|record_number", rule.rule), rule.rule
