"""Companion's tests."""
