"""The list of blueprints, one per capability."""
from companion.accounts.views import bp as accounts
from companion.audit.views import bp as audit
from companion.careteam.views import bp as careteam
from companion.health import bp as health
from companion.home import bp as home
from companion.pwa.views import bp as pwa

ALL = [accounts, audit, careteam, health, home, pwa]
