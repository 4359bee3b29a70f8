"""Diary: questionnaires as data, check-in and wound-check normalisation, due tasks."""
