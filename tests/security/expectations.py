"""Who may use each route: the explicit table the generated route matrix checks the app against.

Each endpoint maps to (roles, scope). `roles` must equal the view's own `roles_required(...)` list, so a
change to either shows up. `scope` says whose data the route is about:

- "anyone":    public (sign-in, set-up, the PWA shell, health); anonymous visitors get it too.
- "signed_in": any signed-in person (sign-out).
- "self":      the signed-in person's own things or their clinic's lists; no other patient's ids in the path.
- "patient":   the current patient's own pages (a caregiver's linked patient); no linked patient -> 404.
- "a_data":    the path carries patient A's ids (or the page shows A's own records): only people who may
               see A's data get it; every other allowed role gets 404 (never 403, never a leak).
- "clinic1":   the path carries an id of clinic 1's own object (a staff account, a rota shift): clinic 1 only,
               else 404.
- "a_owner":   an object of A's own account (an in-app notification): only A's login; others 404.

A new route without a row here fails the matrix with its name: decide who may use it, then add it.
"""
from companion.web import CLINICIANS, PATIENT_SIDE, STAFF

EVERYONE = PATIENT_SIDE + STAFF
ANYONE = ("anyone",)

TABLE: dict[str, tuple[tuple[str, ...], str]] = {
    # Public
    "accounts.login": (ANYONE, "anyone"),
    "accounts.two_factor": (ANYONE, "anyone"),
    "accounts.enrol": (ANYONE, "anyone"),
    "accounts.caregiver_join": (ANYONE, "anyone"),
    "accounts.caring_for": (("caregiver",), "self"),  # choose among one's own linked patients
    "accounts.language": (ANYONE, "anyone"),  # the language choice: saved on the account when signed in
    "home.index": (ANYONE, "anyone"),
    "home.help_now": (ANYONE, "anyone"),
    "home.more": (PATIENT_SIDE, "self"),
    "pwa.manifest": (ANYONE, "anyone"),
    "pwa.icon": (ANYONE, "anyone"),
    "pwa.service_worker": (ANYONE, "anyone"),
    "pwa.offline": (ANYONE, "anyone"),
    "health.healthz": (ANYONE, "anyone"),
    "static": (ANYONE, "anyone"),
    "accounts.logout": ((), "signed_in"),
    # Accounts
    "accounts.account": (EVERYONE, "self"),
    "accounts.password": (EVERYONE, "self"),
    "accounts.phone": (PATIENT_SIDE, "self"),
    "accounts.keepalive": (STAFF, "self"),
    "accounts.two_factor_setup": (STAFF, "self"),
    "accounts.invite_caregiver": (("patient",), "patient"),
    "accounts.revoke_caregiver": (("patient",), "a_data"),
    "accounts.accept_invite": (("caregiver",), "self"),
    # Diary
    "diary.checkin": (PATIENT_SIDE, "patient"),
    "diary.wound": (PATIENT_SIDE, "patient"),
    "diary.post_refill": (PATIENT_SIDE, "patient"),
    "diary.history": (PATIENT_SIDE, "patient"),
    "diary.checkin_shell": (PATIENT_SIDE, "self"),  # the offline form: no patient data at all
    "diary.wound_shell": (PATIENT_SIDE, "self"),
    "diary.settings": (("patient",), "patient"),
    "diary.photo": (PATIENT_SIDE + STAFF, "a_data"),
    "diary.compare_photos": (PATIENT_SIDE, "patient"),
    "diary.api_record": (PATIENT_SIDE, "patient"),
    "diary.api_csrf": (PATIENT_SIDE, "self"),
    "diary.staff_diary": (STAFF, "a_data"),
    # Escalation
    "careteam.queue": (STAFF, "self"),
    "escalation.queue": (STAFF, "self"),
    "escalation.staff_case": (STAFF, "a_data"),
    "escalation.acknowledge": (STAFF, "a_data"),  # admins are the ladder's top rung
    "escalation.contact": (CLINICIANS, "a_data"),
    "careteam.phone": (CLINICIANS, "a_data"),
    "escalation.resolve": (CLINICIANS, "a_data"),
    "escalation.clear_review": (CLINICIANS, "a_data"),
    "escalation.patient_case": (PATIENT_SIDE, "a_data"),
    "escalation.patient_case_status": (PATIENT_SIDE, "a_data"),
    "escalation.patient_case_read": (PATIENT_SIDE, "a_data"),
    # Care team
    "careteam.roster": (STAFF, "self"),
    "reports.index": (STAFF, "self"),
    "reports.download": (STAFF, "self"),
    "careteam.roster_search": (STAFF, "self"),
    "careteam.new_patient": (CLINICIANS, "self"),
    "careteam.patient": (STAFF, "a_data"),
    "careteam.enrolment_code": (CLINICIANS, "a_data"),
    # Consent
    "consent.learn": (PATIENT_SIDE, "patient"),
    "consent.about": (PATIENT_SIDE, "self"),
    "consent.module": (PATIENT_SIDE, "patient"),
    "consent.question": (PATIENT_SIDE, "patient"),
    "consent.mark_read": (("patient",), "patient"),
    "consent.documents": (("patient",), "patient"),
    "consent.patient_pdf": (("patient",), "a_data"),
    "consent.session": (CLINICIANS, "a_data"),
    "consent.care_module": (CLINICIANS, "a_data"),
    "consent.add_question": (CLINICIANS, "a_data"),
    "consent.sign": (CLINICIANS, "a_data"),
    "consent.staff_pdf": (CLINICIANS, "a_data"),
    "consent.reconsent": (CLINICIANS, "self"),
    "decision_aid.options": (PATIENT_SIDE, "patient"),
    "decision_aid.values": (("patient",), "patient"),
    "decision_aid.summary": (("patient",), "patient"),
    "decision_aid.summary_pdf": (("patient",), "patient"),
    "decision_aid.about": (PATIENT_SIDE, "self"),
    "decision_aid.staff_summary_pdf": (CLINICIANS, "a_data"),
    # Pump
    "pump.card": (PATIENT_SIDE, "patient"),
    "pump.card_offline": (PATIENT_SIDE, "patient"),
    "pump.card_download": (PATIENT_SIDE, "a_data"),  # B has no pump profile: 404 for B, like a stranger
    "pump.appointment_ics": (PATIENT_SIDE, "a_data"),  # B has no visit booked
    "pump.report_procedure": (PATIENT_SIDE, "patient"),
    "pump.add_medicine": (PATIENT_SIDE, "patient"),
    "pump.caregiver_reminders": (("caregiver",), "patient"),
    "pump.record": (CLINICIANS, "a_data"),
    "pump.save_profile": (CLINICIANS, "a_data"),
    "pump.record_refill": (CLINICIANS, "a_data"),
    "pump.confirm_refill": (CLINICIANS, "a_data"),
    "pump.book_appointment": (CLINICIANS, "a_data"),
    "pump.cancel_appointment": (CLINICIANS, "a_data"),
    "pump.add_staff_medicine": (CLINICIANS, "a_data"),
    "pump.stop_medicine": (CLINICIANS, "a_data"),
    "pump.procedure_done": (CLINICIANS, "a_data"),
    "pump.add_procedure": (CLINICIANS, "a_data"),
    "pump.refills": (CLINICIANS, "self"),
    "pump.settings": (("physician", "admin"), "self"),
    # Notifications
    "notify.index": (EVERYONE, "self"),
    "notify.read": (EVERYONE, "a_owner"),
    "notify.settings": (EVERYONE, "self"),
    "notify.subscribe": (EVERYONE, "self"),
    "notify.unsubscribe": (EVERYONE, "self"),
    # Clinic admin
    "audit.index": (("admin",), "self"),
    "audit.export": (("admin",), "self"),
    "settings.index": (("admin",), "self"),
    "settings.staff": (("admin",), "self"),
    "settings.contacts": (("admin",), "self"),
    "settings.hours": (("admin",), "self"),
    "settings.oncall": (("admin",), "self"),
    "settings.thresholds": (("admin",), "self"),
    "settings.add_shift": (("admin",), "self"),
    "settings.remove_shift": (("admin",), "clinic1"),
    "settings.staff_two_factor": (("admin",), "self"),
    "settings.reminders": (("admin",), "self"),
    "settings.post_refill_check": (("admin",), "self"),
    "settings.invite": (("admin",), "self"),
    "settings.deactivate": (("admin",), "clinic1"),
    "settings.deactivate_account": (("admin",), "clinic1"),
    "settings.reactivate_account": (("admin",), "clinic1"),
    "settings.reactivate": (("admin",), "clinic1"),
    "settings.renew_invite": (("admin",), "clinic1"),
    "settings.reset_two_factor": (("admin",), "clinic1"),
    "settings.staff_join": (ANYONE, "anyone"),
    # Exports: the patient's own copy, and the care team's copies of a patient's record
    "exports.my_diary_csv": (("patient",), "patient"),
    "exports.my_fhir_bundle": (("patient",), "patient"),
    "exports.diary_csv": (STAFF, "a_data"),
    "exports.fhir_bundle": (STAFF, "a_data"),
    "exports.summary_pdf": (STAFF, "a_data"),
    "exports.clinic_fhir_bulk": (("admin",), "self"),
    "pump.procedure_happened": (PATIENT_SIDE, "a_data"),
    "pump.staff_procedure_happened": (CLINICIANS, "a_data"),
}

# A GET that answers with a redirect for some signed-in people, by design.
GET_REDIRECTS = {
    "home.index": {"nurse", "physician", "admin", "anonymous"},  # staff go to /care; visitors to sign in
    "accounts.two_factor": {"*"},  # no pending sign-in: back to /login
}
# Public pages that show the current patient: a signed-in caregiver with no linked patient gets 404.
NO_PATIENT_404 = {"home.index"}
# POSTs an allowed role is still refused inside the view (a caregiver cannot answer the patient's quiz).
POST_FORBIDDEN = {"consent.question": {"caregiver"}}
