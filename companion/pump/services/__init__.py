"""The only writer of pump records (one verb per operation): refills here, visits in care, MRI and procedures in procedures."""
from companion.pump.services.care import (add_medicine, book_appointment, cancel_appointment,  # noqa: F401
                                          save_dose_settings, set_caregiver_reminders, stop_medicine)
from companion.pump.services.procedures import (complete_procedure_task, confirm_happened, mri_review,  # noqa: F401
                                                report_procedure)
from companion.pump.services.refills import (DrugEntry, PumpError, confirm_refill, performed_at_for,  # noqa: F401
                                             record_refill, save_profile)
