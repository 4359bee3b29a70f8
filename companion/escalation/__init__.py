"""Escalation: red-flag rules, their thresholds, and (elsewhere) cases and routing."""
