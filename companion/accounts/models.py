"""Clinics, users, patients, caregiver links, enrolment codes and sign-in attempts."""
import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.clock import utcnow
from companion.extensions import db

ROLES = ("patient", "caregiver", "nurse", "physician", "admin")


def new_token() -> str:
    """A random session token (Flask-Login's alternative id)."""
    return secrets.token_urlsafe(32)


class Clinic(db.Model):
    """A clinic: a separate tenant with its own phone numbers and settings."""

    __tablename__ = "clinic"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    out_of_hours_phone: Mapped[str] = mapped_column(String(40), default="")
    emergency_number: Mapped[str] = mapped_column(String(20), default="911")
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    # Clinic settings (admin): nurses and physicians must use two-factor too; refill reminder days before the visit.
    staff_two_factor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reminder_offsets: Mapped[str] = mapped_column(String(40), default="14,7,2,1,0", server_default="14,7,2,1,0")
    # Hours after a refill or dose increase when the first sleep-and-breathing check is offered [T18][T24].
    first_post_refill_hours: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("first_post_refill_hours >= 2 AND first_post_refill_hours <= 12",
                                      name="first_post_refill_hours_range"),)


class User(db.Model):
    """A person who signs in: patient, caregiver, nurse, physician or clinic admin."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # the last accepted 30 s step: each code works once
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")  # patients and caregivers
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The language this person reads Companion in (companion.i18n.LANGUAGES); staff pages stay English.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # A staff invite for an address that has an account in another clinic: the address the admin typed, shown
    # in their staff list, while `email` is an unusable placeholder and the set-up link never works (issue 15.8).
    listed_email: Mapped[str | None] = mapped_column(String(254))

    clinic: Mapped[Clinic] = relationship()
    # A patient account's own record, loaded with the user in one query on each request (issue 18); read-only
    # here: Patient.user_id is what links them.
    patient_record: Mapped["Patient | None"] = relationship(primaryjoin="User.id == Patient.user_id", viewonly=True,
                                                            uselist=False)

    @property
    def shown_email(self) -> str:
        """The email to show on staff pages (the typed address of an invite that can never be completed)."""
        return self.listed_email or self.email

    # Flask-Login protocol. get_id returns the rotating token, so logout revokes sessions.
    @property
    def is_authenticated(self) -> bool:
        """Every loaded user is signed in."""
        return True

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot use a session."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """A loaded user is never anonymous."""
        return False

    def get_id(self) -> str:
        """The session token, rotated on logout and password change."""
        return self.session_token

    @property
    def is_staff(self) -> bool:
        """Nurses, physicians and clinic admins."""
        return self.role in ("nurse", "physician", "admin")


class Patient(db.Model):
    """A patient record, created by the clinic before the patient has an account."""

    __tablename__ = "patient"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    record_number: Mapped[str] = mapped_column(String(40))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    implanted_on: Mapped[date | None] = mapped_column(Date)
    therapy_stage: Mapped[str] = mapped_column(String(20), default="maintenance")
    # Set by the clinic: an interpreter is booked for visits and the consent discussion.
    needs_interpreter: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    clinic: Mapped[Clinic] = relationship()
    user: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("clinic_id", "record_number"),)

    @property
    def full_name(self) -> str:
        """Given and family name."""
        return f"{self.given_name} {self.family_name}"


class CaregiverLink(db.Model):
    """A patient's invitation to a caregiver; access only while accepted and not revoked."""

    __tablename__ = "caregiver_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    caregiver_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    patient: Mapped[Patient] = relationship()
    caregiver: Mapped[User | None] = relationship()

    @property
    def is_live(self) -> bool:
        """Accepted and not revoked."""
        return self.accepted_at is not None and self.revoked_at is None


class EnrolmentCode(db.Model):
    """A one-time, expiring code a nurse gives a patient to set up their account."""

    __tablename__ = "enrolment_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    patient: Mapped[Patient] = relationship()


class LoginAttempt(db.Model):
    """One sign-in attempt; counted in the database so throttling holds across workers."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean)
    # "password" or "totp" (the second factor is throttled like the first); pending names one half-signed-in session.
    kind: Mapped[str] = mapped_column(String(10), default="password", server_default="password")
    pending: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_login_attempt_email_at", "email", "at"), Index("ix_login_attempt_ip_at", "ip", "at"))
