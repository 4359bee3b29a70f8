"""Care-team reads: the roster (fixed number of grouped queries) and the patient record (timeline, markers)."""
from companion.careteam.queries.record import (Marker, TimelineEvent, contact_people, markers_for, photo_series,
                                               record_context, timeline_for)
from companion.careteam.queries.roster import RosterPage, RosterRow, roster_page, roster_rows

__all__ = ["Marker", "RosterPage", "RosterRow", "TimelineEvent", "contact_people", "markers_for", "photo_series", "record_context",
           "roster_page", "roster_rows", "timeline_for"]
