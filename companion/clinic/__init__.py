"""Clinic administration: clinic settings, staff accounts and the staff set-up link."""
