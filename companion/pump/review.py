"""Read-only: the few calendar rows of a clinic that may need its review, narrowed in SQL (the daily digest)."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from companion.accounts.models import Clinic, Patient
from companion.extensions import db
from companion.pump import schedule
from companion.pump.models import Appointment, PumpProfile, RefillRecord
from companion.pump.queries import CONFIRMED, clinic_battery_years, clinic_zone, local_date
from companion.pump.reminders import battery_plan_by


def _start_of(clinic: Clinic, day: date) -> datetime:
    """The UTC instant of the clinic-local midnight that starts `day`."""
    return datetime.combine(day, time(0), tzinfo=clinic_zone(clinic))


def _years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 Feb -> 28 Feb); a bound only, the pure schedule decides exactly."""
    return day.replace(year=day.year - years, day=28 if (day.month, day.day) == (2, 29) else day.day)


def _battery_bounds(prometra: tuple[int, int] | None, plan_by: date) -> tuple[date | None, date | None]:
    """(latest implant date, latest replacement-indicator date) that can give a battery window starting by
    plan_by, over every known model: anything later cannot be an item, so SQL may skip it."""
    specs = schedule.PUMP_MODELS.values()
    years = [spec.battery_years[0] for spec in specs if spec.battery_years]
    years += [spec.hard_max_years for spec in specs if spec.hard_max_years] + ([prometra[0]] if prometra else [])
    days = [spec.eri_to_stop_days for spec in specs if spec.eri_to_stop_days]
    # One day of slack: a clamped 29 February must never fall outside the bound.
    implant = _years_before(plan_by, min(years)) + timedelta(days=1) if years else None
    eri = plan_by - timedelta(days=min(days)) if days else None
    return implant, eri


def review_rows(clinic: Clinic, now: datetime, no_visit_days: int) -> list[dict]:
    """calendar_rows' due date, next visit and battery start for every patient of the clinic who may have a review
    item today (a superset: clinic_review_items decides); one query, its date bounds computed here, not in SQL."""
    today = local_date(clinic, now)
    prometra = clinic_battery_years(clinic.id, "prometra_ii_20")
    implant_bound, eri_bound = _battery_bounds(prometra, battery_plan_by(today))
    current = (select(RefillRecord.id).where(RefillRecord.patient_id == Patient.id, RefillRecord.status == CONFIRMED)
               .order_by(RefillRecord.performed_at.desc(), RefillRecord.id.desc()).limit(1)
               .correlate(Patient).scalar_subquery())
    visit = (select(Appointment.patient_id, func.min(Appointment.starts_at).label("starts_at"))
             .join(Patient, Patient.id == Appointment.patient_id)
             .where(Patient.clinic_id == clinic.id, Appointment.cancelled_at.is_(None),
                    Appointment.attended_refill_id.is_(None), Appointment.starts_at >= now - timedelta(hours=12))
             .group_by(Appointment.patient_id).subquery())
    implanted = func.coalesce(PumpProfile.implanted_on, Patient.implanted_on)
    due = RefillRecord.due_on
    # A refill item needs a due date within the no-visit window (overdue, or nothing booked in time), or a visit
    # booked after a later due date; a battery item needs an old implant or a replacement indicator.
    maybe = [due <= today + timedelta(days=no_visit_days),
             (due > today + timedelta(days=no_visit_days))
             & (visit.c.starts_at >= _start_of(clinic, today + timedelta(days=no_visit_days + 1)))]
    if implant_bound is not None:
        maybe.append(PumpProfile.id.is_not(None) & (implanted <= implant_bound))
    if eri_bound is not None:
        maybe.append(PumpProfile.replacement_indicator_on <= eri_bound)
    stmt = (select(Patient.id, due, visit.c.starts_at, PumpProfile.model, implanted,
                   PumpProfile.replacement_indicator_on)
            .outerjoin(RefillRecord, RefillRecord.id == current)
            .outerjoin(visit, visit.c.patient_id == Patient.id)
            .outerjoin(PumpProfile, PumpProfile.patient_id == Patient.id)
            .where(Patient.clinic_id == clinic.id, or_(*maybe)))
    rows = []
    for patient_id, due_on, starts_at, model, implanted_on, indicator in db.session.execute(stmt):
        battery = (schedule.battery_window(model, implanted_on, indicator,
                                           clinic_years=prometra if model.startswith("prometra") else None)
                   if model is not None and implanted_on is not None else None)
        rows.append({"patient_id": patient_id, "due_on": due_on,
                     "appointment_on": local_date(clinic, starts_at) if starts_at else None,
                     "battery_window_start": battery[0] if battery else None})
    return rows
