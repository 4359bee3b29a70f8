"""Issue 15 finding 8: inviting an email that has an account in another clinic looks exactly like inviting a new
email on every admin page (list, counts, renew and deactivate, audit), while the invite can never be completed and
the other account is untouched."""
import re

from sqlalchemy import func, select

from companion import clock
from companion.accounts.models import User
from companion.audit.models import AuditEvent
from companion.extensions import db
from tests.conftest import FIXED_NOW, HX, PASSWORD, login, make_app
from tests.factories import Factory

NEW = "brand.new.person@test.example"


def _normalised(text: str, email: str, user_id: int) -> str:
    """The page with what must differ taken out: the typed email, the new row's id, one-time codes, CSRF tokens."""
    text = text.replace(email, "EMAIL")
    text = re.sub(rf"(staff-|/admin/staff/|object_id=|#){user_id}\b", r"\1ID", text)
    text = re.sub(r"#code=[^\"'<\s]+", "#code=CODE", text)
    text = re.sub(r'id="invite-code" type="text" value="[^"]*"', 'id="invite-code" value="CODE"', text)
    text = re.sub(r"<svg.*?</svg>", "<svg/>", text, flags=re.S)  # the QR code of the link
    return re.sub(r'name="csrf_token" value="[^"]*"|"X-CSRFToken": "[^"]*"|content="[^"]*" name="csrf-token"|'
                  r'name="csrf-token" content="[^"]*"', "CSRF", text)


def _admin_pages(admin, email: str) -> tuple[list[str], int]:
    """Everything the admin sees from inviting `email` through renewing and cancelling it, normalised."""
    invited = admin.post("/admin/staff/invite", headers=HX, data={"display_name": "Pat Doe", "email": email,
                                                                  "role": "nurse"})
    db.session.expire_all()
    user_id = db.session.scalar(select(func.max(User.id)))
    answers = [invited, admin.get("/admin/staff"),
               admin.post(f"/admin/staff/{user_id}/renew-invite", headers=HX),
               admin.post(f"/admin/staff/{user_id}/deactivate", headers=HX),
               admin.post(f"/admin/staff/{user_id}/reactivate", headers=HX),
               admin.get("/admin/staff"), admin.get("/admin/audit")]
    return [f"{r.status_code}\n{_normalised(r.get_data(as_text=True), email, user_id)}" for r in answers], user_id


def _case(folder, pick_email) -> tuple[list[str], User]:
    """A fresh app and world (the same clock, the same rows), the admin's pages for one invite, and its row."""
    clock.freeze(FIXED_NOW)
    folder.mkdir()
    app = make_app(folder)
    with app.app_context():
        world = Factory().world()
        admin = app.test_client()
        login(admin, world.admin1)
        pages, user_id = _admin_pages(admin, pick_email(world))
        refusal = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff_invite_refused"))
        row = db.session.get(User, user_id)
        db.session.expunge_all()
        db.session.remove()
    return pages, row, refusal


def test_the_admins_pages_are_the_same_for_an_email_in_another_clinic(tmp_path):
    try:
        elsewhere, decoy, refusal = _case(tmp_path / "elsewhere", lambda world: world.nurse2.email)  # clinic two's
        new, invited, none = _case(tmp_path / "new", lambda world: NEW)
    finally:
        clock.freeze(None)
    assert len(elsewhere) == len(new) == 7
    for seen_elsewhere, seen_new in zip(elsewhere, new):
        assert seen_elsewhere == seen_new
    assert "Pat Doe" in new[1] and "Invited" in new[1] and "EMAIL" in new[1] and "New set-up link" in new[1]
    assert "staff_invite" in new[6] or "invited" in new[6].lower()
    assert decoy.listed_email and invited.listed_email is None and none is None
    assert refusal.clinic_id is None and refusal.object_id == str(decoy.id)  # operators see it, no clinic does


def test_the_decoy_invite_never_completes_and_the_other_account_is_untouched(app, world):
    admin = app.test_client()
    login(admin, world.admin1)
    text = admin.post("/admin/staff/invite", headers=HX, data={"display_name": "Pat Doe", "email": world.nurse2.email,
                                                               "role": "nurse"}).get_data(as_text=True)
    code = re.search(r'id="invite-code" type="text" value="([^"]+)"', text).group(1)
    opener = app.test_client()
    opened = opener.post("/staff/join", data={"step": "code", "code": code})
    assert opened.status_code == 422 and "This set-up link does not work." in opened.get_data(as_text=True)
    joined = app.test_client().post("/staff/join", data={"code": code, "password": "maple lantern orbit 42",
                                                         "confirm": "maple lantern orbit 42"})
    assert joined.status_code == 422
    db.session.expire_all()
    owner = db.session.get(User, world.nurse2.id)
    assert (owner.email, owner.clinic_id, owner.active) == (world.nurse2.email, world.clinic2.id, True)
    assert login(app.test_client(), world.nurse2.email, PASSWORD).status_code == 302  # signs in as before
    decoy = db.session.scalar(select(User).where(User.listed_email == world.nurse2.email))
    assert decoy.clinic_id == world.clinic1.id and decoy.email.endswith("@decoy.invalid")
    # Inviting the same address again answers like inviting a new address twice.
    again = admin.post("/admin/staff/invite", headers=HX, data={"display_name": "Pat Doe", "email": world.nurse2.email,
                                                                "role": "nurse"})
    assert again.status_code == 422 and "This email already has an account." in again.get_data(as_text=True)
