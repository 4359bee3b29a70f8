"""Take-home naloxone on the pump card (issue 12): staff record it on the profile; the card and wallet PDF show it."""
import io

from pypdf import PdfReader

from companion.pump import queries, services
from tests.conftest import HX, login


def test_staff_record_naloxone_at_home_and_the_card_shows_it(client, world):
    login(client, world.nurse1)
    response = client.post(f"/care/patients/{world.patient_a.id}/pump/profile", headers=HX, data={
        "model": "synchromed_ii_20", "naloxone_at_home": "yes", "opioid_tolerant": "yes", "other_model_name": "",
        "catheter_tip_level": "", "pocket_side": "", "spasticity_origin": ""})
    assert response.status_code == 200
    assert queries.profile(world.patient_a).naloxone_at_home is True
    patient = client.application.test_client()
    login(patient, world.patient_a_user)
    page = patient.get("/pump").get_data(as_text=True)
    assert "<dt>Naloxone at home</dt><dd>Yes</dd>" in page
    pdf = PdfReader(io.BytesIO(patient.get("/pump/card.pdf").data))
    assert "Naloxone at home: yes" in " ".join(p.extract_text() for p in pdf.pages)


def test_not_recorded_shows_nothing_rather_than_no(client, world):
    services.save_profile(world.nurse1, world.patient_a, model="synchromed_ii_20", reservoir_ml=None)
    login(client, world.patient_a_user)
    assert "Naloxone at home" not in client.get("/pump").get_data(as_text=True)
    services.save_profile(world.nurse1, world.patient_a, model="synchromed_ii_20", reservoir_ml=None,
                          naloxone_at_home=False)
    assert "<dt>Naloxone at home</dt><dd>No</dd>" in client.get("/pump").get_data(as_text=True)


def test_a_baclofen_pump_card_warns_never_to_stop_it_suddenly(client, world):
    from decimal import Decimal as D

    from tests.pump.conftest import confirm, record

    services.save_profile(world.nurse1, world.patient_a, model="synchromed_ii_20", reservoir_ml=None,
                          spasticity_origin="spinal")
    login(client, world.patient_a_user)
    assert "Baclofen must never stop suddenly." not in client.get("/pump").get_data(as_text=True)
    # 500 mcg/mL at 200 mcg/day: a usual spinal maintenance dose, so no dose check waits for an answer
    confirm(world, record(world, drugs=[services.DrugEntry("Baclofen", D("500"), D("200"), "mcg")]))
    assert queries.pump_card(world.patient_a)["holds_baclofen"] is True
    assert "Baclofen must never stop suddenly." in client.get("/pump").get_data(as_text=True)
