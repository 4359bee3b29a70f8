"""Choosing the language: browser default before sign-in, the sign-in page choice, the account setting; staff stay English."""
import re
from datetime import date, datetime, timezone

from flask_babel import force_locale

from companion import i18n
from companion.extensions import db
from companion.notify import channels
from tests.conftest import login


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_browser_language_is_used_before_sign_in(client):
    assert lang_of(client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})) == "es"
    assert lang_of(client.get("/login", headers={"Accept-Language": "de-DE,en;q=0.5"})) == "en"
    assert lang_of(client.get("/login", headers={"Accept-Language": "fr"})) == "en"  # nothing we have: English


def test_the_choice_on_the_sign_in_page_beats_the_browser_and_is_saved_at_sign_in(client, factory):
    clinic = factory.clinic()
    patient = factory.patient(clinic)
    response = client.post("/language", data={"language": "es", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert lang_of(client.get("/login", headers={"Accept-Language": "en"})) == "es"
    login(client, patient.user)
    db.session.refresh(patient.user)
    assert patient.user.language == "es"
    assert lang_of(client.get("/account", headers={"Accept-Language": "en"})) == "es"


def test_a_patient_changes_the_setting_on_the_account_page(client, factory):
    patient = factory.patient(factory.clinic())
    login(client, patient.user)
    page = client.get("/account").get_data(as_text=True)
    assert 'value="es"' in page and 'lang="es"' in page  # "Español" offered, marked as Spanish
    client.post("/language", data={"language": "es", "next": "/account"})
    db.session.refresh(patient.user)
    assert patient.user.language == "es"
    client.post("/language", data={"language": "en", "next": "/account"})
    db.session.refresh(patient.user)
    assert patient.user.language == "en"


def test_an_unknown_language_or_an_outside_next_changes_nothing(client, factory):
    patient = factory.patient(factory.clinic())
    login(client, patient.user)
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    db.session.refresh(patient.user)
    assert patient.user.language == "en"


def test_staff_pages_stay_english(client, factory):
    nurse = factory.user("nurse", factory.clinic())
    login(client, nurse)
    client.post("/language", data={"language": "es", "next": "/account"})
    db.session.refresh(nurse)
    assert nurse.language == "en"
    assert lang_of(client.get("/account", headers={"Accept-Language": "es"})) == "en"


def test_a_patients_message_email_is_in_their_language_without_health_details(app, factory):
    patient = factory.patient(factory.clinic())
    nurse = factory.user("nurse", patient.clinic)
    patient.user.language = "es"
    with app.test_request_context():
        subject, body = channels.wording(patient.user)
        assert (subject, body) != (channels.PATIENT_SUBJECT, channels.PATIENT_BODY)
        assert "Companion" in subject and "mensaje" in body.lower()
        assert channels.wording(nurse) == (channels.STAFF_SUBJECT, channels.STAFF_BODY)
        patient.user.language = "en"
        assert channels.wording(patient.user) == (channels.PATIENT_SUBJECT, channels.PATIENT_BODY)


def test_dates_follow_the_language(app):
    from companion.pump.views.common import fmt_date

    with app.test_request_context():
        with force_locale("es"):
            assert fmt_date(date(2026, 12, 21)) == "lunes 21 de diciembre de 2026"
            assert i18n.short_day(date(2026, 12, 21)).startswith("lun")
        with force_locale("en"):
            assert fmt_date(date(2026, 12, 21)) == "Monday 21 December 2026"


def test_scripts_get_their_words_in_the_page_language(client):
    page = client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    words = re.search(r'<script type="application/json" id="js-strings">(.*?)</script>', page, re.S).group(1)
    assert "no_connection" in words and "Sin conexi" in words.encode().decode("unicode_escape")


def test_stale_catalogues_are_compiled(tmp_path):
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid ""\nmsgstr ""\n\nmsgid "Yes"\nmsgstr "Sí"\n', encoding="utf-8")
    assert i18n.compile_catalogues(tmp_path) == [folder / "messages.mo"]
    assert i18n.compile_catalogues(tmp_path) == []  # up to date: nothing written


def test_the_wallet_card_and_the_calendar_file_are_in_the_patients_language(app):
    import io
    from types import SimpleNamespace

    from pypdf import PdfReader

    from companion.pump import card_pdf, ics

    card = {"patient_name": "Ana López", "model": "SynchroMed II 40 mL", "implanted_on": date(2025, 3, 1),
            "drugs": [], "clinic_name": "Clínica", "clinic_phone": "555-0100", "out_of_hours_phone": "555-0199",
            "mri_note": "Ask your pump clinic before any MRI scan."}
    visit = SimpleNamespace(id=7, starts_at=datetime(2026, 12, 21, 15, tzinfo=timezone.utc), minutes=30, updated_at=None)
    clinic = SimpleNamespace(name="Clínica", phone="555-0100")
    with app.test_request_context(), force_locale("es"):
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(card_pdf.render(card))).pages)
        calendar = ics.appointment_calendar(visit, clinic, datetime(2026, 12, 1, tzinfo=timezone.utc)).decode()
    assert "BOMBA DE MEDICAMENTO" in text and "Medicina: pregunte en la cl" in text and "resonancia" in text
    assert "MRI scan" not in text and "Show this card" not in text
    assert "SUMMARY:Cita de recarga de la bomba" in calendar and "SUMMARY:Pump" not in calendar


def test_staff_see_the_patients_language_and_interpreter_need_and_free_text_as_written(app, client, factory):
    patient = factory.patient(factory.clinic())
    patient.user.language, patient.needs_interpreter = "es", True
    db.session.commit()
    nurse = factory.user("nurse", patient.clinic)
    login(client, nurse)
    for url in (f"/care/patients/{patient.id}", f"/care/patients/{patient.id}/consent"):
        page = client.get(url).get_data(as_text=True)
        assert 'lang="en"' in page and "Spanish" in page and "needs interpreter" in page, url
