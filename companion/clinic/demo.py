"""Demo data: a weekly on-call rota with a backup for the demo clinic (evenings, nights and weekends)."""
from datetime import time

from sqlalchemy import select

from companion.accounts.models import User
from companion.clinic.models import OnCallShift
from companion.extensions import db

NURSE, DOCTOR = "nurse@demo.test", "doctor@demo.test"
# weekday (0 = Monday), from, to (an earlier "to" ends the next morning), who
ROTA = [(0, time(17), time(8), NURSE), (1, time(17), time(8), DOCTOR), (2, time(17), time(8), NURSE),
        (3, time(17), time(8), DOCTOR), (4, time(17), time(8), NURSE), (5, time(8), time(20), DOCTOR),
        (5, time(20), time(8), NURSE), (6, time(8), time(20), DOCTOR), (6, time(20), time(8), DOCTOR)]


def seed(clinic, patients) -> None:
    """Add the demo rota: the demo nurse and physician take turns out of hours."""
    people = {u.email: u.id for u in db.session.scalars(select(User).where(
        User.clinic_id == clinic.id, User.email.in_((NURSE, DOCTOR))))}
    for weekday, starts, ends, email in ROTA:
        if email in people:
            db.session.add(OnCallShift(clinic_id=clinic.id, weekday=weekday, starts=starts, ends=ends,
                                       user_id=people[email]))
        backup = DOCTOR if email == NURSE else NURSE  # the other one is the backup on call (the rota's slot 2)
        if backup in people:
            db.session.add(OnCallShift(clinic_id=clinic.id, weekday=weekday, starts=starts, ends=ends,
                                       user_id=people[backup], slot=2))
    db.session.flush()
