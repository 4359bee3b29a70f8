"""Caregiver pages (issue 16): a clear page when access ended (no menu), the join form's label, and a
caregiver with several patients chooses whom they help, named on every page."""
from datetime import datetime, timezone

from sqlalchemy import select

from companion.accounts.models import CaregiverLink
from companion.diary.models import DiaryEntry
from companion.extensions import db
from tests.conftest import login
from tests.diary.helpers import ORDINARY, form


def revoke_all(caregiver, when=datetime(2026, 12, 6, 15, 0, tzinfo=timezone.utc)):
    for link in db.session.scalars(select(CaregiverLink).where(CaregiverLink.caregiver_id == caregiver.id)):
        link.revoked_at = when
    db.session.commit()


def test_revoked_caregiver_sees_the_ended_page_without_a_menu(client, world):
    revoke_all(world.caregiver)
    login(client, world.caregiver)
    for path in ("/", "/checkin", "/diary"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 403, path
        assert f"Your access to {world.patient_a.given_name}'s diary has ended" in html
        assert "ended it on 6 Dec" in html and 'class="tab-bar"' not in html and "data-access-ended" in html


def test_unlinked_caregiver_still_gets_not_found(client, world):
    login(client, world.unlinked_caregiver)
    assert client.get("/checkin").status_code == 404


def test_join_form_asks_for_the_invite_code_of_the_person_cared_for(client):
    html = client.get("/caregiver/join").get_data(as_text=True)
    assert "Invite code from the person you care for" in html and "Code from your clinic" not in html


def test_caregiver_with_two_patients_chooses_and_every_page_names_them(client, factory, world):
    factory.link_caregiver(world.patient_b, world.caregiver)
    login(client, world.caregiver)
    response = client.get("/checkin")
    assert response.status_code == 302 and "/caring-for" in response.headers["Location"]
    chooser = client.get("/caring-for").get_data(as_text=True)
    assert world.patient_a.given_name in chooser and world.patient_b.given_name in chooser
    chosen = client.post("/caring-for", data={"patient_id": world.patient_b.id, "next": "/checkin"})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/checkin")
    for path in ("/", "/checkin", "/diary", "/pump"):
        html = client.get(path).get_data(as_text=True)
        assert f"You are helping {world.patient_b.given_name} {world.patient_b.family_name}" in html, path
    client.post("/checkin", data=form(ORDINARY | {"pain_now": ""}, None))  # caregivers do not rate pain
    entry = db.session.scalar(select(DiaryEntry).order_by(DiaryEntry.id.desc()))
    assert entry is not None and entry.patient_id == world.patient_b.id


def test_caregiver_cannot_choose_someone_not_linked(client, world):
    login(client, world.caregiver)
    assert client.post("/caring-for", data={"patient_id": world.patient_b.id}).status_code == 422
    html = client.get("/").get_data(as_text=True)
    assert f"You are helping {world.patient_a.given_name}" in html and world.patient_b.given_name not in html


def test_patients_see_no_helping_bar(client, world):
    login(client, world.patient_a_user)
    assert "data-helping" not in client.get("/").get_data(as_text=True)
