"""Users, roles, clinics, enrolment codes, caregiver links, sign-in and sessions."""
