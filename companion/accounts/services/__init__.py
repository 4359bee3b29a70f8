"""The only writers of accounts: sign-in, sessions, enrolment, caregivers, passwords, 2FA (one module per topic)."""
from companion.accounts.services.common import AccountError
from companion.accounts.services.enrolment import (accept_caregiver_invite, create_patient, enrol_patient,
                                                   invite_caregiver, issue_enrolment_code, revoke_caregiver)
from companion.accounts.services.profile import change_password, set_active, set_language, set_phone
from companion.accounts.services.sign_in import (FAILED, THROTTLED, SignIn, authenticate, complete_sign_in,
                                                 second_factor_due, sign_out)
from companion.accounts.services.two_factor import confirm_totp, start_totp, verify_totp

__all__ = ["FAILED", "THROTTLED", "AccountError", "SignIn", "accept_caregiver_invite", "authenticate",
           "change_password", "complete_sign_in", "confirm_totp", "create_patient", "enrol_patient",
           "invite_caregiver", "issue_enrolment_code", "revoke_caregiver", "second_factor_due", "set_active",
           "set_language", "set_phone", "sign_out", "start_totp", "verify_totp"]
