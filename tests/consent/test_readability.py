"""The consent pages' own patient-facing words (not the modules, scored in test_content) read at grade 8 or below."""
import re
from pathlib import Path

import textstat

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "consent"
PATIENT_TEMPLATES = ["learn.html", "_module_list.html", "module.html", "_question.html", "question_page.html",
                     "about.html", "documents.html"]
MAX_GRADE = 8.0
_STRING = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def patient_strings() -> list[str]:
    """Every _() string of the patient-facing consent templates, placeholders filled with short words."""
    out = []
    for name in PATIENT_TEMPLATES:
        for double, single in _STRING.findall((TEMPLATES / name).read_text(encoding="utf-8")):
            text = _PLACEHOLDER.sub(lambda m: "3" if m.group(1) in ("n", "done", "total") else "Sam", double or single)
            out.append(text if text.rstrip().endswith((".", "?", "!", ":")) else text + ".")
    return out


def grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text))


def test_the_gate_can_fail():
    hard = ("Intrathecal pharmacotherapy necessitates comprehensive multidisciplinary evaluation, "
            "encompassing psychological assessment and meticulously documented informed-consent procedures.")
    assert grade(hard) > MAX_GRADE


def test_patient_facing_template_text_is_grade_8_or_below():
    strings = patient_strings()
    text = " ".join(strings)
    assert len(text.split()) >= 100, "too little text to score reliably"
    assert grade(text) <= MAX_GRADE, grade(text)


def test_no_long_sentence_hides_in_the_average():
    long_ones = [s for s in patient_strings() if len(s.split()) >= 12 and grade(s) > MAX_GRADE + 1]
    assert long_ones == []
