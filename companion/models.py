"""Imports every capability's models so SQLAlchemy metadata (and Alembic) sees all tables."""
from companion.accounts.models import CaregiverLink, Clinic, EnrolmentCode, LoginAttempt, Patient, User  # noqa: F401
from companion.audit.models import AuditEvent  # noqa: F401
from companion.scheduler_models import SchedulerHeartbeat  # noqa: F401
