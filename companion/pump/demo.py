"""Demo pump data: the maintenance patient with refills and a booked visit; the post-op patient's first fill."""
from datetime import datetime, time, timedelta
from decimal import Decimal as D

from sqlalchemy import select

from companion.accounts.models import User
from companion.clock import utcnow
from companion.extensions import db
from companion.pump import queries, services


def _staff(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _fill(nurse, doctor, patient, days_ago: int, volume: D, drugs, kind="refill", **kw):
    """A refill recorded by the nurse and confirmed blind by the doctor, `days_ago` days back."""
    now = utcnow()
    filled_on = now.astimezone(queries.clinic_zone(patient.clinic)).date() - timedelta(days=days_ago)
    record = services.record_refill(nurse, patient, kind=kind, filled_on=filled_on, fill_volume_ml=volume,
                                    alarm_volume_ml=D(2), drugs=drugs, stability_days=90, now=now, **kw)
    services.confirm_refill(doctor, record, [(d.concentration, d.daily_dose) for d in drugs], now=now,
                            volumes={"bolus_dose": 0, "boluses_per_day": 0, "fill_volume_ml": volume,
                                     "alarm_volume_ml": D(2)})
    return record


def seed(clinic, patients) -> None:
    """SynchroMed II 40 mL with morphine 10 mg/mL at 5 mg/day (0.5 mL/day), refilled 50 days ago."""
    nurse, doctor = _staff("nurse@demo.test"), _staff("doctor@demo.test")
    if nurse is None or doctor is None:
        return
    # 0.25-0.5 mL/day is the usual ideal delivery [S39]; morphine is stable up to 90 days [S34].
    main = patients.get("patient@demo.test")
    if main is not None:
        services.save_profile(nurse, main, model="synchromed_ii_40", reservoir_ml=None, implanted_on=main.implanted_on,
                              pocket_side="right", catheter_tip_level="T10", opioid_tolerant=True)
        morphine = [services.DrugEntry("Morphine", D(10), D("4.5"), "mg")]
        _fill(nurse, doctor, main, 126, D(40), morphine, expected_residual_ml=D("3.5"), withdrawn_ml=D("3.2"))
        _fill(nurse, doctor, main, 50, D(40), [services.DrugEntry("Morphine", D(10), D(5), "mg")],
              expected_residual_ml=D("5.8"), withdrawn_ml=D("5.5"), change_reason="Pain 6/10 most days; small rise.")
        zone = queries.clinic_zone(clinic)
        visit_on = utcnow().astimezone(zone).date() + timedelta(days=21)
        services.book_appointment(nurse, main, datetime.combine(visit_on, time(10, 0), tzinfo=zone).astimezone(
            utcnow().tzinfo))
        services.add_medicine(nurse, main, name="Gabapentin 300 mg", medicine_class="gabapentinoid",
                              reported_by="staff")
    postop = patients.get("postop@demo.test")
    if postop is not None:
        services.save_profile(nurse, postop, model="synchromed_ii_20", reservoir_ml=None,
                              implanted_on=postop.implanted_on, pocket_side="left", catheter_tip_level="T9",
                              opioid_tolerant=False)
        _fill(nurse, doctor, postop, 5, D(20), [services.DrugEntry("Morphine", D(10), D(1), "mg")],
              kind="first_fill")
