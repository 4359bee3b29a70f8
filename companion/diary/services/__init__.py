"""The only writers of diary data: entries (with photos and their assessment) and reminder times."""
from companion.diary.services.entries import (EntryConflict, Recorded, clean_client_id, emergency_in,
                                              escalation_for, record_entry, reporter_of)
from companion.diary.services.photos import PhotoError
from companion.diary.services.reminders import send_checkin_reminders, set_reminder_time

__all__ = ["EntryConflict", "PhotoError", "Recorded", "clean_client_id", "emergency_in", "escalation_for",
           "record_entry", "reporter_of", "send_checkin_reminders", "set_reminder_time"]
