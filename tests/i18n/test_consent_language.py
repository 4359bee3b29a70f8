"""A consent session for a Spanish-speaking patient: the record says `es` and its PDF is in Spanish, whoever
downloads it (the nurse's pages stay English)."""
from sqlalchemy import select

from companion.consent.models import ConsentRecord
from companion.extensions import db
from tests.conftest import login
from tests.consent.helpers import sign_form_data
from tests.consent.test_views import pdf_text

HX = {"HX-Request": "true"}


def test_a_spanish_speaking_patients_consent_is_recorded_and_printed_in_spanish(client, world):
    world.patient_a_user.language = "es"
    world.patient_a.needs_interpreter = True
    db.session.commit()
    login(client, world.nurse1)
    url = f"/care/patients/{world.patient_a.id}/consent"
    page = client.get(url).get_data(as_text=True)
    assert 'lang="en"' in page and "Spanish" in page and "needs interpreter" in page
    response = client.post(url + "/sign", headers=HX, data=sign_form_data(
        interpreter_used="y", interpreter_language="Spanish", questions="¿Voy a poder nadar?"))
    assert response.status_code == 200
    record = db.session.scalar(select(ConsentRecord))
    assert record.language == "es"
    text = pdf_text(client.get(f"{url}/records/{record.id}.pdf").data)
    assert "Registro de consentimiento" in text and "Firma del paciente" in text and "Acepta hacer una prueba" in text
    assert "Infección" in text and "Signature of the patient" not in text and "Decision" not in text


def test_an_english_speaking_patients_record_stays_english(client, world):
    login(client, world.nurse1)
    url = f"/care/patients/{world.patient_a.id}/consent"
    client.post(url + "/sign", headers=HX, data=sign_form_data())
    record = db.session.scalar(select(ConsentRecord))
    assert record.language == "en"
    text = pdf_text(client.get(f"{url}/records/{record.id}.pdf").data)
    assert "Signature of the patient" in text and "Registro" not in text
