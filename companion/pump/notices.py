"""Pump messages put in the notification outbox (in the caller's transaction; texts say "open Companion")."""
from sqlalchemy import select

from companion.accounts.models import Patient, User
from companion.extensions import db
from companion.notify.services import enqueue, withdraw
from companion.pump import queries
from companion.pump.models import Appointment, ProcedureNotice, RefillRecord


def tell_patient_to_call(patient: Patient, appointment: Appointment) -> None:
    """The booked visit is after the refill due date: ask the patient to call for an earlier one."""
    if patient.user_id is None:
        return
    key = f"{patient.id}:refill-late:{appointment.id}:{appointment.starts_at.date().isoformat()}"
    enqueue(user_id=patient.user_id, kind="refill_appointment_late", dedupe_key=key,
            channels=("in_app", "email", "push"), patient_id=patient.id,
            detail={"on": queries.local_date(patient.clinic, appointment.starts_at).isoformat()})


def clinicians(clinic_id: int) -> list[User]:
    """Active nurses and physicians of the clinic."""
    return list(db.session.scalars(select(User).where(
        User.clinic_id == clinic_id, User.role.in_(("nurse", "physician")), User.active.is_(True))))


def tell_clinic_about_procedure(patient: Patient, notice: ProcedureNotice) -> None:
    """An in-app task for the clinic's clinicians: a patient reported an MRI or procedure."""
    for user in clinicians(patient.clinic_id):
        enqueue(user_id=user.id, kind="pump_procedure_task", dedupe_key=f"{patient.id}:procedure:{notice.id}:u{user.id}",
                channels=("in_app",), patient_id=patient.id)


def tell_clinic_refill_waiting(patient: Patient, record: RefillRecord, recorder: User, physician_only: bool) -> None:
    """In-app and email to the clinicians who may confirm a refill (emails say only "open Companion")."""
    for user in clinicians(patient.clinic_id):
        if user.id == recorder.id or (physician_only and user.role != "physician"):
            continue
        enqueue(user_id=user.id, kind="pump_refill_check", dedupe_key=f"{patient.id}:refill-check:{record.id}:u{user.id}",
                channels=("in_app", "email"), patient_id=patient.id)


def refill_checked(record: RefillRecord) -> None:
    """The refill is confirmed: the notices asking for its check are withdrawn (unsent ones are not sent)."""
    withdraw(f"{record.patient_id}:refill-check:{record.id}:")
