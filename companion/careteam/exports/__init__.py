"""Exports for one patient: visit summary PDF, diary CSV and a FHIR R4 Bundle (pure builders + a gathering query)."""
