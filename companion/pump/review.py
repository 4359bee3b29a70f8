"""Read-only, for the daily review digest: which clinics surely need review, and the others' candidate calendar rows
(narrowed in SQL with date bounds computed here; the pure clinic_review_items decides)."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from companion.accounts.models import Clinic, Patient
from companion.extensions import db
from companion.pump import schedule
from companion.pump.models import Appointment, PumpProfile, RefillRecord
from companion.pump.queries import CONFIRMED, clinic_battery_years, clinic_zone, local_date
from companion.pump.reminders import battery_plan_by


def _start_of(clinic: Clinic, day: date) -> datetime:
    """The instant of the clinic-local midnight that starts `day`."""
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


def _current_and_next_visit(clinic_ids: list[int], now: datetime):
    """Over the clinics' patients: a subquery of the current confirmed record's due date (n = 1), and the next visit
    still open from 12 hours ago (what calendar_rows shows) as a value per patient."""
    in_clinics = select(Patient.id).where(Patient.clinic_id.in_(clinic_ids))
    newest = func.row_number().over(partition_by=RefillRecord.patient_id,
                                    order_by=(RefillRecord.performed_at.desc(), RefillRecord.id.desc()))
    current = (select(RefillRecord.patient_id, RefillRecord.due_on, newest.label("n"))
               .where(RefillRecord.patient_id.in_(in_clinics), RefillRecord.status == CONFIRMED).subquery())
    # Per patient, one index range (patient_id): SQLite scanned a grouped subquery once per patient when joined.
    visit = (select(func.min(Appointment.starts_at)).where(
        Appointment.patient_id == Patient.id, Appointment.cancelled_at.is_(None),
        Appointment.attended_refill_id.is_(None), Appointment.starts_at >= now - timedelta(hours=12))
        .correlate(Patient).scalar_subquery())
    return current, visit


def clinics_with_refill_due(clinics: list[Clinic], now: datetime, no_visit_days: int) -> set[int]:
    """Ids of the clinics with a refill overdue, or due within the no-visit window with nothing booked from today:
    each is a review item for certain (clinic_review_items' rule, exact in SQL), so most clinics need no row read."""
    zones: dict[str, list[Clinic]] = {}
    for clinic in clinics:
        zones.setdefault(clinic_zone(clinic).key, []).append(clinic)
    found: set[int] = set()
    for group in zones.values():
        today, ids = local_date(group[0], now), [clinic.id for clinic in group]
        current, visit = _current_and_next_visit(ids, now)
        due = current.c.due_on
        nothing_booked = visit.is_(None) | (visit < _start_of(group[0], today))
        found |= set(db.session.scalars(
            select(Patient.clinic_id).distinct()
            .join(current, (current.c.patient_id == Patient.id) & (current.c.n == 1))
            .where(Patient.clinic_id.in_(ids), or_(due < today, (due <= today + timedelta(days=no_visit_days))
                                                    & nothing_booked))))
    return found


def review_rows(clinics: list[Clinic], now: datetime, no_visit_days: int) -> dict[int, list[dict]]:
    """Per clinic id: calendar_rows' due date, next visit and battery start for every patient who may have a review
    item today (a superset: clinic_review_items decides). One query per time zone for all its clinics (a query per
    clinic read the whole pump tables a hundred times); date bounds computed here, not in SQL."""
    zones: dict[str, list[Clinic]] = {}
    for clinic in clinics:
        zones.setdefault(clinic_zone(clinic).key, []).append(clinic)
    rows: dict[int, list[dict]] = {clinic.id: [] for clinic in clinics}
    for group in zones.values():
        for clinic_id, row in _zone_rows(group, now, no_visit_days):
            rows[clinic_id].append(row)
    return rows


def _zone_rows(clinics: list[Clinic], now: datetime, no_visit_days: int):
    """(clinic id, row) for the candidates of clinics that share one time zone, so one "today" and one set of bounds;
    each clinic's own Prometra battery life widens the bound and decides each of its rows exactly."""
    today, ids = local_date(clinics[0], now), [clinic.id for clinic in clinics]
    prometra = {clinic.id: clinic_battery_years(clinic.id, "prometra_ii_20") for clinic in clinics}
    shortest = min((years for years in prometra.values() if years), default=None)
    implant_bound, eri_bound = _battery_bounds(shortest, battery_plan_by(today))
    current, visit = _current_and_next_visit(ids, now)
    implanted = func.coalesce(PumpProfile.implanted_on, Patient.implanted_on)
    due, window_end = current.c.due_on, today + timedelta(days=no_visit_days)
    # A refill item needs a due date within the no-visit window (overdue, or nothing booked in time), or a visit
    # booked after a later due date; a battery item needs an old implant or a replacement indicator.
    maybe = [due <= window_end,
             (due > window_end) & (visit >= _start_of(clinics[0], window_end + timedelta(days=1)))]
    if implant_bound is not None:
        maybe.append(PumpProfile.id.is_not(None) & (implanted <= implant_bound))
    if eri_bound is not None:
        maybe.append(PumpProfile.replacement_indicator_on <= eri_bound)
    stmt = (select(Patient.clinic_id, Patient.id, due, visit, PumpProfile.model, implanted,
                   PumpProfile.replacement_indicator_on)
            .outerjoin(current, (current.c.patient_id == Patient.id) & (current.c.n == 1))
            .outerjoin(PumpProfile, PumpProfile.patient_id == Patient.id)
            .where(Patient.clinic_id.in_(ids), or_(*maybe)))
    for clinic_id, patient_id, due_on, starts_at, model, implanted_on, indicator in db.session.execute(stmt):
        years = prometra[clinic_id] if model is not None and model.startswith("prometra") else None
        battery = (schedule.battery_window(model, implanted_on, indicator, clinic_years=years)
                   if model is not None and implanted_on is not None else None)
        yield clinic_id, {"patient_id": patient_id, "due_on": due_on,
                          "appointment_on": local_date(clinics[0], starts_at) if starts_at else None,
                          "battery_window_start": battery[0] if battery else None}
