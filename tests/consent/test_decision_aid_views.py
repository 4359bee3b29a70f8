"""Decision aid pages: options with icon arrays, values saved and changed, the summary on screen and as PDF,
the clinic's consent session showing the values; access for each kind of person, and audit."""
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from companion.audit.models import AuditEvent
from companion.consent.decision_aid import queries
from companion.consent.decision_aid.content import load
from companion.consent.decision_aid.models import DecisionAidAnswer
from companion.extensions import db
from tests.conftest import HX, login

AID = load("en")
FULL = {"value-no_surgery": "4", "value-pain_relief": "3", "value-no_refills": "0", "leaning": "nondrug",
        "questions": "Can I try physical therapy first?"}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def audit_actions(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_options_page_shows_every_option_with_icon_arrays_for_each_figure(client, world):
    login(client, world.patient_a_user)
    page = client.get("/learn/options").get_data(as_text=True)
    for o in AID.options:
        assert o.name in page and o.involves in page and o.certainty in page and o.living_with in page
    figures = [x for o in AID.options for x in o.outcomes if x.figure in ("count", "range")]
    assert page.count('<svg class="icon-array"') == len(figures) >= 5
    assert 'aria-label="4 out of 100 people"' in page and 'aria-label="2 to 8 out of 100 people"' in page
    assert page.count("no good figure exists") >= 5
    assert 'href="/learn/options/about#source-S40"' in page
    for o in AID.options:  # the at-a-glance table: one row per option, one cell per column
        row = re.search(rf'<tr data-glance="{o.key}">(.*?)</tr>', page).group(1)
        assert row.count("<td") == len(AID.glance_columns) and all(cell in row for cell in o.glance)


def test_caregiver_reads_the_options_but_the_values_are_the_patients_own(client, world):
    login(client, world.caregiver)
    assert client.get("/learn/options").status_code == 200
    assert client.get("/learn/options/values").status_code == 403
    assert client.post("/learn/options/values", data=FULL).status_code == 403
    assert db.session.scalars(select(DecisionAidAnswer)).all() == []


def test_values_saved_then_shown_again_and_changed(client, world):
    login(client, world.patient_a_user)
    response = client.post("/learn/options/values", data=FULL)
    assert response.status_code == 303 and response.headers["Location"].endswith("/learn/options/values?saved=1")
    page = client.get("/learn/options/values?saved=1").get_data(as_text=True)
    assert "Saved. You can change your answers" in page
    assert re.search(r'name="value-no_surgery" value="4"\s+checked', page)
    assert re.search(r'name="value-no_refills" value="0"\s+checked', page)
    assert re.search(r'name="leaning" value="nondrug"\s+checked', page)
    assert "Can I try physical therapy first?" in page
    changed = dict(FULL, **{"value-no_surgery": "1", "leaning": "pump"})
    partial = client.post("/learn/options/values", data=changed, headers=HX)
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in body and 'id="values-saved"' in body
    newest = queries.latest_answer(world.patient_a.id)
    assert newest.ratings == {"no_surgery": 1, "pain_relief": 3, "no_refills": 0} and newest.leaning == "pump"
    assert len(db.session.scalars(select(DecisionAidAnswer)).all()) == 2  # earlier saves are kept
    assert len(audit_actions("decision_aid_saved")) == 2


def test_bad_values_come_back_422_beside_the_field_with_the_rest_kept(client, world):
    login(client, world.patient_a_user)
    bad = dict(FULL, **{"value-pain_relief": "7", "questions": "x" * 2001})
    response = client.post("/learn/options/values", data=bad, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="value-pain_relief-error"' in body and 'id="questions-error"' in body
    assert re.search(r'name="value-no_surgery" value="4"\s+checked', body)
    assert client.post("/learn/options/values", data=dict(FULL, leaning="surgery-now")).status_code == 422
    assert db.session.scalars(select(DecisionAidAnswer)).all() == []


def test_summary_on_screen_and_as_pdf_lists_leaning_values_most_important_first_and_questions(client, world):
    login(client, world.patient_a_user)
    client.post("/learn/options/values", data=FULL)
    page = client.get("/learn/options/summary").get_data(as_text=True)
    assert "Care without drugs" in page and "Can I try physical therapy first?" in page
    assert page.index("Not having surgery") < page.index("Getting as much pain relief") < page.index(
        "Not going back for refills") < page.index("Taking fewer pain pills")
    response = client.get("/learn/options/summary.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = pdf_text(response.data)
    assert world.patient_a.family_name in text and "Care without drugs" in text
    assert "Not having surgery: Very much" in text and "Taking fewer pain pills: not answered" in text
    assert "Can I try physical therapy first?" in text
    assert len(audit_actions("decision_summary_downloaded")) == 1


def test_clinician_sees_the_values_in_the_consent_session_and_the_same_pdf(client, world):
    login(client, world.patient_a_user)
    client.post("/learn/options/values", data=FULL)
    login(client, world.nurse1)
    page = client.get(f"/care/patients/{world.patient_a.id}/consent").get_data(as_text=True)
    section = page[page.index('id="decision-values"'):]
    assert "What matters to the patient" in section and "Care without drugs" in section
    assert "Can I try physical therapy first?" in section
    assert page.index('id="explain-again"') < page.index('id="decision-values"')
    response = client.get(f"/care/patients/{world.patient_a.id}/consent/decision-summary.pdf")
    assert response.status_code == 200 and "Not having surgery: Very much" in pdf_text(response.data)
    events = audit_actions("decision_summary_downloaded")
    assert len(events) == 1 and events[0].user_id == world.nurse1.id and events[0].patient_id == world.patient_a.id


def test_staff_of_another_clinic_get_404_and_it_is_audited(client, world):
    login(client, world.nurse2)
    assert client.get(f"/care/patients/{world.patient_a.id}/consent/decision-summary.pdf").status_code == 404
    assert audit_actions("decision_summary_downloaded") == []


def test_one_patient_never_sees_anothers_answers(client, world):
    login(client, world.patient_a_user)
    client.post("/learn/options/values", data=FULL)
    login(client, world.patient_b_user)
    page = client.get("/learn/options/summary").get_data(as_text=True)
    assert "Can I try physical therapy first?" not in page and "Not said" in page
    assert "Can I try physical therapy first?" not in pdf_text(client.get("/learn/options/summary.pdf").data)


def test_about_page_gives_dates_authors_conflicts_update_policy_testing_and_sources(client, world):
    login(client, world.patient_a_user)
    page = client.get("/learn/options/about").get_data(as_text=True)
    assert AID.content_date.isoformat() in page and AID.evidence_date.isoformat() in page
    assert "None. No one who wrote this is paid" in page and "at least once a year" in page
    assert f"grade {AID.measured_grade:.1f}" in page
    for s in AID.cited():
        assert f'id="source-{s["key"]}"' in page


def test_the_aid_follows_the_reader_language_and_falls_back_to_english(app):
    from flask_babel import force_locale

    with app.test_request_context():
        assert queries.current_aid().language == "en"
        with force_locale("es"):
            assert queries.current_aid().language == "es"
            assert queries.current_aid().option("stay").name == "Seguir con su tratamiento actual"
        with force_locale("fr"):
            assert queries.current_aid().language == "en"
