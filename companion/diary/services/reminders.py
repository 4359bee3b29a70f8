"""Check-in reminder times, and the scheduler job that sends the reminders that are due."""
from __future__ import annotations

from datetime import datetime, time

from companion.accounts.models import Patient, User
from companion.audit import services as audit
from companion.clock import utcnow
from companion.diary import queries
from companion.diary.models import CheckinReminderPreference
from companion.extensions import db
from companion.notify import services as notify
from companion.scheduler import Job, register


def set_reminder_time(patient: Patient, remind_at: time | None, *, user: User) -> CheckinReminderPreference | None:
    """Save the local time of day for the check-in reminder (None switches it off)."""
    pref = queries.reminder_preference(patient)
    if pref is None and remind_at is None:
        return None
    if pref is None:
        pref = CheckinReminderPreference(patient_id=patient.id, remind_at=remind_at, enabled=True)
        db.session.add(pref)
    elif remind_at is None:
        pref.enabled = False
    else:
        pref.remind_at, pref.enabled = remind_at, True
    audit.record("checkin_reminder_set", patient_id=patient.id, object_type="checkin_reminder",
                 user=user, remind_at=remind_at.strftime("%H:%M") if remind_at else "off")
    db.session.commit()
    return pref


def send_checkin_reminders(now: datetime | None = None) -> int:
    """Queue today's reminder for every patient whose time has come, who has not checked in and has none queued;
    returns how many were queued. Set-based: a query per clinic time zone and one bulk insert.

    Idempotent: the notify outbox's dedupe key (one per patient and local day) stops a second send.
    """
    now = now or utcnow()
    due = queries.due_checkin_reminders(now)
    notify.enqueue_many([{"user_id": user_id, "patient_id": patient_id, "due_at": now,
                          "dedupe_key": f"checkin:{patient_id}:{on.isoformat()}", "detail": {"on": on.isoformat()}}
                         for patient_id, user_id, on in due], kind="checkin_reminder", channels=("in_app", "push"))
    db.session.commit()
    return len(due)


def checkin_reminders_job() -> None:
    """Scheduler entry point (every 5 minutes)."""
    send_checkin_reminders()


register(Job("checkin_reminders", 300, checkin_reminders_job))
