"""Imports every capability's models so SQLAlchemy metadata (and Alembic) sees all tables."""
from companion.accounts.models import CaregiverLink, Clinic, EnrolmentCode, LoginAttempt, Patient, User  # noqa: F401
from companion.audit.models import AuditEvent  # noqa: F401
from companion.scheduler_models import SchedulerHeartbeat  # noqa: F401
from companion.pump.models import (Appointment, PatientMedicine, ProcedureNotice, PumpDoseCeiling,  # noqa: F401
                                   PumpDoseSettings, PumpProfile, RefillRecord, Regimen, RegimenDrug, ReminderOptIn)
from companion.escalation.models import (Case, CaseEvent, CaseRecipient, ClinicEscalationSettings,  # noqa: F401
                                         ClinicThreshold, ReviewItem)
from companion.notify.models import Notification, PushSubscription  # noqa: F401
from companion.diary.models import CheckinReminderPreference, DiaryEntry, WoundPhoto  # noqa: F401
from companion.consent.models import ConsentRecord, ConsentSession, ModuleRead, SessionQuestion, TeachBackAnswer  # noqa: F401
from companion.clinic.models import OnCallShift  # noqa: F401
from companion.storage import StoredFile  # noqa: F401
from companion.consent.decision_aid.models import DecisionAidAnswer  # noqa: F401
from companion.roster.models import PatientSummary  # noqa: F401
