"""The questionnaire definitions: CHECKIN, WOUND and POST_REFILL."""
from companion.diary.questionnaires.checkin import CHECKIN
from companion.diary.questionnaires.post_refill import POST_REFILL
from companion.diary.questionnaires.wound import SITES, WOUND

ALL = (CHECKIN, WOUND, POST_REFILL)

__all__ = ["ALL", "CHECKIN", "POST_REFILL", "SITES", "WOUND"]
