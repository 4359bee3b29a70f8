"""Views: the subscription screen, saving a subscription, the in-app list and marking read."""
from sqlalchemy import select

from companion.extensions import db
from companion.notify import services
from companion.notify.models import PushSubscription
from tests.conftest import HX, login


def test_settings_page_shows_the_vapid_key_and_subscribe_saves(app, client, world, tmp_path):
    app.config["VAPID_DIR"] = str(tmp_path)
    login(client, world.patient_a_user)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'data-vapid-key="B' in page and "js/notify.js" in page and "Alerts are off." in page
    assert (tmp_path / "vapid_private.pem").exists()
    sub = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {"p256dh": "BAAA", "auth": "xyz"}}
    assert client.post("/notifications/subscriptions", json=sub).status_code == 204
    assert client.post("/notifications/subscriptions", json={"endpoint": "javascript:x"}).status_code == 422
    assert db.session.scalar(select(PushSubscription.user_id)) == world.patient_a_user.id
    assert "Alerts are on for 1" in client.get("/notifications/settings", headers=HX).get_data(as_text=True)
    assert client.post("/notifications/subscriptions/delete", json={"endpoint": sub["endpoint"]}).status_code == 204
    assert db.session.scalar(select(PushSubscription.revoked_at)) is not None


def test_in_app_list_links_without_details_and_read_is_per_person(app, client, world):
    mine = services.enqueue(user_id=world.nurse1.id, kind="case_opened", dedupe_key="case:5:round:1:user:x",
                            channels=("in_app",))[0]
    theirs = services.enqueue(user_id=world.nurse2.id, kind="case_opened", dedupe_key="case:6:round:1:user:y",
                              channels=("in_app",))[0]
    db.session.commit()
    login(client, world.nurse1)
    page = client.get("/notifications").get_data(as_text=True)
    assert f'action="/notifications/{mine}/read"' in page and "Open Companion to see it." in page
    assert client.post(f"/notifications/{theirs}/read", headers=HX).status_code == 404
    assert client.post(f"/notifications/{mine}/read", headers=HX).status_code == 200
    opened = client.post(f"/notifications/{mine}/read")  # opening (a plain POST) goes where the message leads
    assert opened.status_code == 303 and opened.headers["Location"] == "/care/cases/5"
    assert services.in_app_for(world.nurse1) == [] and len(services.in_app_for(world.nurse2)) == 1


def test_anonymous_cannot_subscribe(client):
    response = client.post("/notifications/subscriptions", json={})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
