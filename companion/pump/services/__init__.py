"""The only writer of pump records (one verb per operation): refills here, visits and notices in care."""
from companion.pump.services.care import (add_medicine, book_appointment, cancel_appointment,  # noqa: F401
                                          complete_procedure_task, report_procedure, save_dose_settings,
                                          set_caregiver_reminders, stop_medicine)
from companion.pump.services.refills import (DrugEntry, PumpError, confirm_refill, performed_at_for,  # noqa: F401
                                             record_refill, save_profile)
