"""The decision aid's content: every language has the same keys and figures, figures are sourced and out of
100 with their time stated, no invented numbers, and the words read at the course's grade limits."""
import re
from pathlib import Path

import pytest
import textstat

from companion.consent.decision_aid import content as da
from companion.consent.decision_aid.content import LANGUAGES, load, option_text, patient_text, read_raw

MAX_GRADE, MAX_AVERAGE = 8.0, 7.0  # the course's limits (tests/consent/test_content.py)
REQUIRED_OPTIONS = {"stay", "medicines", "pump", "scs", "nondrug"}
NO_FIGURE = {"en": "no good figure exists", "es": "no hay una buena cifra"}
SHARED = Path(__file__).resolve().parents[3] / "shared"
NUMERIC = ("language", "content_date", "evidence_date", "next_review")  # compared as facts, not text


def shape(node, path="") -> set[str]:
    """Every key path of a YAML tree; list items are named by their 'key' when they have one."""
    if isinstance(node, dict):
        return {p for k, v in node.items() for p in {f"{path}/{k}"} | shape(v, f"{path}/{k}")}
    if isinstance(node, list):
        return {p for i, v in enumerate(node)
                for p in shape(v, f"{path}[{v.get('key', i) if isinstance(v, dict) else i}]")}
    return set()


def facts(raw) -> list:
    """The language-free facts: option and outcome keys, kinds, figures, counts, ranges and sources."""
    return [(o["key"], tuple(o.get("sources") or ()),
             [(x["key"], x["kind"], x["figure"], x.get("count"), x.get("high"), tuple(x.get("sources") or ()))
              for x in o["outcomes"]]) for o in raw["options"]] + [[v["key"] for v in raw["values"]]]


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_each_language_file_exists_with_the_same_keys_and_facts_as_english(language):
    path = da.CONTENT_DIR / f"{language}.yaml"
    assert path.is_file(), f"{path.name} is missing: copy en.yaml and translate every text value"
    english, other = read_raw("en"), read_raw(language)
    assert shape(other) == shape(english), sorted(shape(english) ^ shape(other))
    assert facts(other) == facts(english), "numbers, figures and sources must not change in translation"
    assert other["language"] == language and other["content_date"] == english["content_date"]
    assert load(language).language == language


def test_every_option_is_there_including_keeping_the_current_treatment():
    aid = load("en")
    assert {o.key for o in aid.options} == REQUIRED_OPTIONS
    assert aid.options[0].key == "stay"
    for o in aid.options:
        assert o.involves and o.living_with and o.certainty, o.key
        assert o.benefits and o.harms, f"{o.key}: both good and bad outcomes, even if no figure exists"


@pytest.mark.parametrize("language", LANGUAGES)
def test_figures_are_out_of_100_sourced_and_state_their_time(language):
    if not (da.CONTENT_DIR / f"{language}.yaml").is_file():
        pytest.skip("checked by the key test")
    aid = load(language)
    for o in aid.options:
        for x in o.outcomes:
            assert x.figure in da.FIGURES, x.key
            if x.figure in ("count", "range"):
                assert x.sources, f"{x.key}: a number needs a source"
                assert 0 <= x.count <= 100 and "100" in x.sentence and str(x.count) in x.sentence, x.key
                assert x.period, f"{x.key}: say over what time (or that the sources do not say)"
                if x.figure == "range":
                    assert x.count < x.high <= 100 and str(x.high) in x.sentence, x.key
            elif x.figure == "none":
                assert NO_FIGURE[language] in x.sentence.lower(), f"{x.key}: say no good figure exists"
                assert not re.search(r"\d", x.sentence), f"{x.key}: no number where no figure exists"
            else:
                assert x.sources, x.key


def test_the_same_outcome_across_options_uses_the_same_time_frame():
    aid = load("en")
    by_outcome = {}
    for o in aid.options:
        for x in o.outcomes:
            if x.figure in ("count", "range"):
                by_outcome.setdefault(x.key.split("_", 1)[1], set()).add(x.period)
    assert all(len(periods) == 1 for periods in by_outcome.values()), by_outcome


def test_every_cited_key_is_in_the_source_list_and_the_clinical_reference():
    aid = load("en")
    cited = {k for o in aid.options for k in o.sources + tuple(s for x in o.outcomes for s in x.sources)}
    listed = {s["key"] for s in aid.sources}
    assert cited <= listed, cited - listed
    reference = "".join(p.read_text(encoding="utf-8") for p in SHARED.glob("clinical-reference*.md")) \
        if SHARED.is_dir() else ""
    if not reference:
        pytest.skip("shared/ clinical references not beside the repository")
    assert [k for k in sorted(listed) if f"[{k}]" not in reference] == []


def grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text))


def test_the_gate_can_fail():
    assert grade("Intrathecal pharmacotherapy necessitates comprehensive multidisciplinary evaluation.") > MAX_GRADE


def test_each_option_reads_at_grade_8_or_below_and_the_average_at_7():
    aid = load("en")
    grades = {o.key: grade(option_text(o)) for o in aid.options}
    assert all(g <= MAX_GRADE for g in grades.values()), grades
    assert sum(grades.values()) / len(grades) <= MAX_AVERAGE, grades


def test_no_long_sentence_hides_in_the_average():
    sentences = re.split(r"(?<=[.?!:])\s+", patient_text(load("en")))
    assert [s for s in sentences if len(s.split()) >= 12 and grade(s) > MAX_GRADE + 1] == []


def test_the_reading_grade_shown_on_the_about_page_is_the_measured_one():
    aid = load("en")
    assert abs(aid.measured_grade - round(grade(patient_text(aid)), 1)) <= 0.1, grade(patient_text(aid))
    assert "{grade}" in aid.about["testing"]


TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "consent" / "decision_aid"
PATIENT_TEMPLATES = ["options.html", "_outcome.html", "values.html", "_values.html", "summary.html",
                     "_summary_body.html", "about.html"]
_STRING = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")


def template_strings() -> list[str]:
    """Every _() string of the decision aid's patient pages, placeholders filled with short words."""
    out = []
    for name in PATIENT_TEMPLATES:
        for double, single in _STRING.findall((TEMPLATES / name).read_text(encoding="utf-8")):
            text = re.sub(r"%\((\w+)\)s", "3", double or single)
            out.append(text if text.rstrip().endswith((".", "?", "!", ":")) else text + ".")
    return out


def test_the_page_words_around_the_content_read_at_grade_8_or_below():
    strings = template_strings()
    assert len(" ".join(strings).split()) >= 100, "too little text to score reliably"
    assert grade(" ".join(strings)) <= MAX_GRADE, grade(" ".join(strings))
    assert [s for s in strings if len(s.split()) >= 12 and grade(s) > MAX_GRADE + 1] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_at_a_glance_table_has_a_cell_for_every_column_of_every_option(language):
    aid = load(language)
    assert len(aid.glance_columns) == 4
    assert all(len(o.glance) == len(aid.glance_columns) for o in aid.options)
