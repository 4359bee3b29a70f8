"""The list of blueprints, one per capability."""
from companion.accounts.views import bp as accounts
from companion.audit.views import bp as audit
from companion.careteam.reports.views import bp as reports
from companion.careteam.views import bp as careteam
from companion.clinic.views import bp as clinic_settings
from companion.careteam.exports.views import bp as exports
from companion.consent.views import bp as consent
from companion.consent.decision_aid.views import bp as decision_aid
from companion.diary.views import bp as diary
from companion.escalation.views import bp as escalation
from companion.health import bp as health
from companion.home import bp as home
from companion.notify.views import bp as notify
from companion.pump.views import bp as pump
from companion.pwa.views import bp as pwa

ALL = [accounts, audit, careteam, clinic_settings, exports, consent, decision_aid, diary, escalation, health, home,
       notify, pump, pwa, reports]
