"""Wound photos compared by incision over days inside the app (issue 16): same size, dates, alt text with the
site and date, a way back, and only the patient's own photos."""
from sqlalchemy import select

from companion.diary.models import WoundPhoto
from companion.extensions import db
from tests.conftest import login
from tests.diary.helpers import jpeg_with_gps
from tests.diary.test_diary_photos import post_wound


def test_photos_of_one_cut_side_by_side_with_dates_and_a_way_back(client, world):
    login(client, world.patient_a_user)
    for _ in range(2):
        assert post_wound(client, {"belly": (jpeg_with_gps((800, 600)), "a.jpg")}).status_code == 200
    assert post_wound(client, {"back": (jpeg_with_gps((800, 600)), "b.jpg")}).status_code == 200
    belly = list(db.session.scalars(select(WoundPhoto.id).where(WoundPhoto.site == "belly").order_by(WoundPhoto.id)))
    html = client.get("/diary/photos?site=belly").get_data(as_text=True)
    assert html.count('width="320" height="320"') == 2 and html.index(f'id="photo-{belly[0]}"') < html.index(
        f'id="photo-{belly[1]}"')  # oldest first, same size
    assert 'alt="Photo of the belly cut, ' in html and 'href="/diary"' in html and "<figcaption>" in html
    back = client.get("/diary/photos?site=back").get_data(as_text=True)
    assert back.count('width="320" height="320"') == 1 and 'alt="Photo of the back cut, ' in back
    diary = client.get("/diary").get_data(as_text=True)
    assert f'href="/diary/photos?site=belly#photo-{belly[0]}"' in diary  # thumbnails open the comparison


def test_another_patients_photos_are_not_compared(app, client, world):
    login(client, world.patient_a_user)
    post_wound(client, {"belly": (jpeg_with_gps((800, 600)), "a.jpg")})
    other = app.test_client()
    login(other, world.patient_b_user)
    html = other.get("/diary/photos?site=belly").get_data(as_text=True)
    assert "<figure>" not in html and "No photos of the belly cut yet." in html
