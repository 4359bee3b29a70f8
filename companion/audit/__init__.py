"""Append-only audit events and the admin's audit viewer."""
