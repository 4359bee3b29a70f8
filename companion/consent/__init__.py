"""Consent: versioned patient education, teach-back, clinic consent sessions and signatures."""
