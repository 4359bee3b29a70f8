"""Companion."""
