"""The care team's screens: triage queue, roster, patient record, refill calendar."""
